"""`llmrouter check`: validate a config and show what it will do, without calling anyone."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from llmrouter._table import render_table
from llmrouter.config.loader import LoadedConfig, load_file
from llmrouter.datapolicy.check_view import policy_view
from llmrouter.errors import ConfigError
from llmrouter.pricing import Price, price_for

__all__ = ["EXIT_BROKEN", "EXIT_MISSING_ENV", "EXIT_OK", "CheckReport", "run_check"]

EXIT_OK = 0
EXIT_MISSING_ENV = 1
EXIT_BROKEN = 2


@dataclass
class CheckReport:
    text: str
    exit_code: int
    warnings: list[str] = field(default_factory=list)


def run_check(path: str, env: Mapping[str, str] | None = None) -> CheckReport:
    """Validate `path`; the report's text is what the CLI prints."""
    try:
        loaded = load_file(path)
    except ConfigError as exc:
        return CheckReport(text=str(exc), exit_code=EXIT_BROKEN)
    env = os.environ if env is None else env
    sections = [f"{path}: valid", _routes(loaded), _models(loaded), _providers(loaded, env)]
    budgets = _budgets(loaded)
    if budgets is not None:
        sections.append(budgets)
    policy = policy_view(loaded)
    if policy is not None:
        sections.extend(f"{t.title}\n{render_table(t.headers, t.rows)}" for t in policy.tables)
    warnings = _price_warnings(loaded) + _budget_warnings(loaded) + loaded.endpoint_warnings(env)
    warnings += policy.warnings if policy is not None else []
    missing = loaded.missing_env(env)
    if missing:
        lines = [f"  {var}  ({where})" for var, where in missing]
        sections.append("Missing environment variables (set them before serving traffic):")
        sections.append("\n".join(lines))
    if warnings:
        sections.append("Warnings:\n" + "\n".join(f"  {w}" for w in warnings))
    return CheckReport(
        text="\n\n".join(sections),
        exit_code=EXIT_MISSING_ENV if missing else EXIT_OK,
        warnings=warnings,
    )


def _routes(loaded: LoadedConfig) -> str:
    config = loaded.config
    rows = [
        (
            name,
            route.strategy,
            " -> ".join(route.models),
            route.retries,
            f"{route.timeout_s:g}",
            f"{route.attempt_timeout_s:g}" if route.attempt_timeout_s else "-",
        )
        for name, route in config.routes.items()
    ]
    if not rows:
        return "Routes: none (call models by name)"
    headers = ("route", "strategy", "models (fallback order)", "retries", "timeout_s", "attempt_s")
    return "Routes\n" + render_table(headers, rows)


def _money(value: float | None) -> str:
    return "?" if value is None else f"{value:.4g}"


def _models(loaded: LoadedConfig) -> str:
    """The effective price of every model, in USD per million tokens."""
    config = loaded.config
    prices = {name: price_for(m, config.currencies) for name, m in config.models.items()}
    cached = any(
        p.known and any(t.cached_input_per_mtok != t.input_per_mtok for t in p.tiers)
        for p in prices.values()
    )
    reasoning = any(
        p.known and any(t.reasoning_per_mtok != t.output_per_mtok for t in p.tiers)
        for p in prices.values()
    )
    converted = any(p.currency != "USD" for p in prices.values())
    headers = ["model", "provider", "litellm model", "in $/Mtok", "out $/Mtok"]
    headers += ["cached in $/Mtok"] * cached + ["reasoning $/Mtok"] * reasoning
    headers += ["context", "price"] + ["currency"] * converted
    rows = []
    for name, model in config.models.items():
        price = prices[name]
        row = [name, model.provider, model.model]
        row += [_money(price.input_per_mtok), _money(price.output_per_mtok)]
        if cached:
            row.append(_distinct(price.cached_input_per_mtok, price.input_per_mtok))
        if reasoning:
            row.append(_distinct(price.reasoning_per_mtok, price.output_per_mtok))
        row += [f"{price.context_window:,}" if price.context_window else "?", price.source]
        if len(price.tiers) > 1:
            row[-1] += f", {len(price.tiers)} tiers"
        if converted:
            rate = f"{price.currency} at {price.usd_per_unit:g} USD"
            row.append(rate if price.currency != "USD" else "USD")
        rows.append(row)
    text = "Models (USD per million tokens)\n" + render_table(headers, rows)
    tiered = {n: p for n, p in prices.items() if len(p.tiers) > 1}
    if tiered:
        text += "\n\nPrice tiers (chosen by the prompt's tokens)\n" + _tiers(tiered)
    return text


def _distinct(value: float | None, base: float | None) -> str:
    return "-" if value is None or value == base else _money(value)


def _tiers(prices: dict[str, Price]) -> str:
    rows = []
    for name, price in prices.items():
        lower = 0
        for tier in price.tiers:
            bound = tier.max_input_tokens
            span = f"> {lower:,}" if bound is None else f"{lower:,} - {bound:,}"
            rows.append(
                (
                    name,
                    span,
                    _money(tier.input_per_mtok),
                    _money(tier.output_per_mtok),
                    _money(tier.cached_input_per_mtok),
                    _money(tier.reasoning_per_mtok),
                )
            )
            lower = bound or lower
    headers = ("model", "prompt tokens", "in", "out", "cached in", "reasoning")
    return render_table(headers, rows)


def _budgets(loaded: LoadedConfig) -> str | None:
    config = loaded.config
    if not config.budgets:
        return None
    rows = [(b.scope, f"${b.limit_usd:g}", b.window) for b in config.budgets]
    where = "this process" if config.state.backend == "memory" else "redis (shared)"
    table = render_table(("scope", "limit", "window (UTC, fixed)"), rows)
    return f"Budgets (counted in {where})\n" + table


def _providers(loaded: LoadedConfig, env: Mapping[str, str]) -> str:
    rows = []
    for name, provider in loaded.config.providers.items():
        var = provider.api_key_env
        key_state = "-" if var is None else f"{var} ({'set' if var in env else 'MISSING'})"
        rows.append((name, provider.api_base or "(adapter default)", key_state, provider.region))
    return "Providers\n" + render_table(("provider", "api_base", "api key", "region"), rows)


def _price_warnings(loaded: LoadedConfig) -> list[str]:
    out = []
    for name, model in loaded.config.models.items():
        price = price_for(model, loaded.config.currencies)
        path = ("models", name)
        where = loaded.locate(path).describe(path)
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
            path = ("budgets", index, "scope")
            where = loaded.locate(path).describe(path)
            out.append(f"{where}: {target} has no price, so nothing is counted against it.")
    return out
