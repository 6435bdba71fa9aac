"""`llmrouter check`: validate a config and show what it will do, without calling anyone.

`run_check` gathers everything into a `CheckReport`: JSON-ready data (`report.data`, printed
by `check --json`), the exit code and the warnings. `llmrouter.check_render` draws it.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmrouter.check_embeddings import embedding_route_warnings, embeds
from llmrouter.check_qualify import qualify_view
from llmrouter.config.hints import looks_like_litellm
from llmrouter.config.loader import LoadedConfig, load_file
from llmrouter.config.schema import ModelConfig, ProviderConfig, RouterConfig
from llmrouter.config.secrets import ENV_PATTERN, ResolvedProvider, interpolate
from llmrouter.config.yaml_source import parse_yaml
from llmrouter.datapolicy.check_view import policy_view
from llmrouter.errors import ConfigError
from llmrouter.pricing import Price, price_for
from llmrouter.terminal import Terminal, render_plain
from llmrouter.vendors import model_ref

__all__ = ["EXIT_BROKEN", "EXIT_MISSING_ENV", "EXIT_OK", "CheckReport", "run_check"]

EXIT_OK = 0
EXIT_MISSING_ENV = 1
EXIT_BROKEN = 2

_PROBLEM = re.compile(r"^(?P<file>.*?):(?:(?P<line>\d+):)? (?P<rest>.*)$")
_FIELD = re.compile(r"^(?P<field>[\w.\[\]*:-]+): (?P<message>.*)$")


@dataclass
class CheckReport:
    """What `check` found: `data` is the JSON of `check --json`."""

    data: dict[str, Any]
    exit_code: int
    warnings: list[str] = field(default_factory=list)

    def render(self, term: Terminal) -> None:
        """Draw the report as text and tables on `term`."""
        from llmrouter.check_render import render_report

        render_report(self.data, term)

    @property
    def text(self) -> str:
        """The report as plain text, 160 columns wide (the CLI fits the terminal instead)."""
        return render_plain(self.render, width=160)


def run_check(path: str, env: Mapping[str, str] | None = None) -> CheckReport:
    """Validate `path` against `env` (default `os.environ`)."""
    env = os.environ if env is None else env
    try:
        loaded = load_file(path)
        _built_checks(loaded)
    except ConfigError as exc:
        return _broken(path, exc)
    config = loaded.config
    missing = [{"variable": v, "where": w} for v, w in loaded.missing_env(env)]
    providers = [_provider(name, p, config, env) for name, p in config.providers.items()]
    empty = [
        {"variable": p["api_key_env"], "where": _where(loaded, ("providers", p["name"], "api_key"))}
        for p in providers
        if p["api_key"] == "empty"
    ]
    models = [_model(name, m, config, env) for name, m in config.models.items()]
    policy = policy_view(loaded)
    qualify = qualify_view(loaded)
    warnings = sorted(
        _price_warnings(loaded)
        + _budget_warnings(loaded)
        + _endpoint_warnings(loaded, providers)
        + loaded.endpoint_warnings(env)
        + embedding_route_warnings(loaded)
        + (policy.warnings if policy is not None else [])
        + (qualify.warnings if qualify is not None else [])
    ) + _litellm_warnings(models)
    data: dict[str, Any] = {
        "config": path,
        "valid": True,
        "exit_code": EXIT_MISSING_ENV if missing or empty else EXIT_OK,
        "litellm_config": False,
        "problems": [],
        "routes": [_route(name, r) for name, r in config.routes.items()],
        "models": models,
        "providers": providers,
        "budgets": _budgets(config),
        "tables": [  # further sections: the data policy's, per class and route
            {"title": t.title, "headers": list(t.headers), "rows": [list(r) for r in t.rows]}
            for t in (policy.tables if policy is not None else ())
        ]
        + ([qualify.table()] if qualify is not None else []),
        "experiments": qualify.entries if qualify is not None else [],
        "missing_env": missing,
        "empty_env": empty,
        "warnings": warnings,
    }
    return CheckReport(data=data, exit_code=data["exit_code"], warnings=warnings)


def _built_checks(loaded: LoadedConfig) -> None:
    """What only building the router would find: shadows' comparators that do not build."""
    if any(route.shadow is not None for route in loaded.config.routes.values()):
        from llmrouter.qualify.setup import check_comparators

        check_comparators(loaded)


def _broken(path: str, exc: ConfigError) -> CheckReport:
    data: dict[str, Any] = {
        "config": path,
        "valid": False,
        "exit_code": EXIT_BROKEN,
        "litellm_config": _is_litellm_file(path),
        "problems": [_problem(p) for p in exc.problems],
    }
    return CheckReport(data=data, exit_code=EXIT_BROKEN)


def _is_litellm_file(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as file:
            return looks_like_litellm(parse_yaml(file.read(), path).data)
    except (OSError, ConfigError):
        return False


def _problem(text: str) -> dict[str, Any]:
    """`file:line: field: message` taken apart (parts that are absent are None)."""
    out: dict[str, Any] = {"text": text, "file": None, "line": None, "field": None}
    match = _PROBLEM.match(text)
    rest = text
    if match:
        out["file"] = match.group("file")
        out["line"] = int(match.group("line")) if match.group("line") else None
        rest = match.group("rest")
    fielded = _FIELD.match(rest)
    if fielded:
        out["field"], rest = fielded.group("field"), fielded.group("message")
    out["message"] = rest
    return out


def _where(loaded: LoadedConfig, path: tuple[str | int, ...]) -> str:
    return loaded.locate(path).describe(path)


def _route(name: str, route: Any) -> dict[str, Any]:
    return {
        "name": name,
        "strategy": route.strategy,
        "models": list(route.models),
        "retries": route.retries,
        "timeout_s": route.timeout_s,
        "attempt_timeout_s": route.attempt_timeout_s,
    }


def _model(
    name: str, model: ModelConfig, config: RouterConfig, env: Mapping[str, str]
) -> dict[str, Any]:
    price = price_for(model, config.currencies)
    return {
        "name": name,
        "provider": model.provider,
        "model": model.model,
        "adapter": _adapter(name, model, config, env),
        "input_per_mtok": price.input_per_mtok,
        "output_per_mtok": price.output_per_mtok,
        "cached_input_per_mtok": price.cached_input_per_mtok,
        "reasoning_per_mtok": price.reasoning_per_mtok,
        "context_window": price.context_window,
        "price_source": price.source,
        "currency": price.currency,
        "usd_per_unit": price.usd_per_unit,
        "tiers": _tiers(price),
        "embeddings": embeds(model),
    }


def _tiers(price: Price) -> list[dict[str, Any]]:
    return [
        {
            "max_input_tokens": t.max_input_tokens,
            "input_per_mtok": t.input_per_mtok,
            "output_per_mtok": t.output_per_mtok,
            "cached_input_per_mtok": t.cached_input_per_mtok,
            "reasoning_per_mtok": t.reasoning_per_mtok,
        }
        for t in price.tiers
    ]


def _adapter(name: str, model: ModelConfig, config: RouterConfig, env: Mapping[str, str]) -> str:
    """`native` or `litellm`: which adapter the router will use for this model."""
    from llmrouter.providers.base import Deployment
    from llmrouter.providers.dispatch import can_serve_natively

    provider = config.providers.get(model.provider)
    if provider is None or provider.adapter != "auto":
        return provider.adapter if provider is not None else "litellm"
    base = interpolate(provider.api_base, env)[0] if provider.api_base else None
    resolved = ResolvedProvider(
        name=model.provider,
        api_base=base or None,
        api_key=None,
        api_key_env=provider.api_key_env,
        region=provider.region,
        params=provider.params,
    )
    deployment = Deployment(name, model.model, resolved, price_for(model, config.currencies))
    return "native" if can_serve_natively(deployment) else "litellm"


def _provider(
    name: str, provider: ProviderConfig, config: RouterConfig, env: Mapping[str, str]
) -> dict[str, Any]:
    var = provider.api_key_env
    if var is None:
        key_state = None
    elif var not in env:
        key_state = "missing"
    else:
        key_state = "set" if env[var].strip() else "empty"
    url, source = _endpoint(name, provider, config, env)
    return {
        "name": name,
        "api_base": url,
        "api_base_from": source,
        "api_base_config": provider.api_base,
        "api_key_env": var,
        "api_key": key_state,
        "region": provider.region,
        "adapter": provider.adapter,
    }


def _endpoint(
    name: str, provider: ProviderConfig, config: RouterConfig, env: Mapping[str, str]
) -> tuple[str | None, str]:
    """Where traffic goes, and why: `$VAR`, `default of $VAR`, `config` or `adapter default`."""
    if provider.api_base:
        url, _ = interpolate(provider.api_base, env)
        refs = list(ENV_PATTERN.finditer(provider.api_base))
        if not refs:
            return url, "config"
        var = refs[0].group(1)
        return url, f"${var}" if var in env else f"default of ${var}"
    defaults = sorted(
        {_default_base(m.model) for m in config.models.values() if m.provider == name}
    )
    return (", ".join(defaults) or None), "adapter default"


def _default_base(model: str) -> str:
    ref = model_ref(model)
    vendor = ref.vendor
    if vendor.api_base is not None:
        return vendor.api_base
    if vendor.wire is not None:
        return f"(none for {ref.prefix}/: set api_base)"
    return f"litellm's default for {ref.prefix or model}"


def _budgets(config: RouterConfig) -> dict[str, Any]:
    return {
        "counted_in": "memory" if config.state.backend == "memory" else "redis",
        "limits": [
            {"scope": b.scope, "limit_usd": b.limit_usd, "window": b.window} for b in config.budgets
        ],
    }


def _price_warnings(loaded: LoadedConfig) -> list[str]:
    out = []
    for name, model in loaded.config.models.items():
        price = price_for(model, loaded.config.currencies)
        where = _where(loaded, ("models", name))
        if not price.known:
            out.append(
                f"{where}: no price for {model.model!r}; cost_usd will be 0. "
                "Set input_cost_per_mtok and output_cost_per_mtok."
            )
        if price.context_window is None:
            out.append(f"{where}: context window of {model.model!r} unknown; set context_window.")
    return out


def _budget_warnings(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    out = []
    if config.budgets and config.state.backend == "memory":
        cache = config.cache
        if cache is not None and cache.backend == "redis":
            out.append(
                "budgets are counted in this process while the cache is shared in Redis; "
                "set `state: {backend: redis, url: ...}` to share budgets between instances."
            )
    for index, budget in enumerate(config.budgets):
        kind, _, target = budget.scope.partition(":")
        model = config.models.get(target) if kind == "model" else None
        if model is not None and not price_for(model, config.currencies).known:
            where = _where(loaded, ("budgets", index, "scope"))
            out.append(f"{where}: {target} has no price, so nothing is counted against it.")
    return out


def _endpoint_warnings(loaded: LoadedConfig, providers: list[dict[str, Any]]) -> list[str]:
    return [
        f"{_where(loaded, ('providers', p['name'], 'api_base'))}: resolves to an empty URL "
        f"({p['api_base_from']} is set but empty)"
        for p in providers
        if p["api_base_config"] and not p["api_base"]
    ]


def _litellm_warnings(models: list[dict[str, Any]]) -> list[str]:
    needing = [m["name"] for m in models if m["adapter"] == "litellm"]
    if not needing or importlib.util.find_spec("litellm") is not None:
        return []
    return [
        f"{', '.join(needing)}: served through litellm, which is not installed: "
        "pip install 'llmrouter[litellm]'"
    ]
