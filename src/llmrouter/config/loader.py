"""Turn YAML text or a mapping into a validated `RouterConfig`, or a `ConfigError` naming
file, line and field for every problem found."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from pydantic import SecretStr, ValidationError

from llmrouter.config.cost_checks import cost_problems
from llmrouter.config.endpoints import api_base_problem, api_base_warning
from llmrouter.config.hints import (
    litellm_file_problems,
    looks_like_litellm,
    os_environ_problems,
    unknown_key_message,
)
from llmrouter.config.policy_checks import policy_problems
from llmrouter.config.qualify_checks import qualify_problems
from llmrouter.config.schema import RouteCacheConfig, RouterConfig
from llmrouter.config.secrets import ResolvedProvider, interpolate
from llmrouter.config.strategy_names import import_path_problem
from llmrouter.config.strategy_names import known as known_strategy_names
from llmrouter.config.yaml_source import Location, Path, YamlDocument, parse_yaml
from llmrouter.didyoumean import suggest, unknown
from llmrouter.errors import ConfigError
from llmrouter.vendors import model_ref

__all__ = ["LoadedConfig", "load_dict", "load_file", "load_text", "suggest"]

logger = logging.getLogger("llmrouter")


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config and where each of its values came from."""

    config: RouterConfig
    document: YamlDocument

    @property
    def source(self) -> str:
        return self.document.source

    def locate(self, path: Path) -> Location:
        return self.document.locate(path)

    def missing_env(self, env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
        """`(variable, where)` for every referenced environment variable that is not set."""
        env = os.environ if env is None else env
        out: list[tuple[str, str]] = []
        for name, provider in self.config.providers.items():
            for field, value in _env_fields(provider.api_key, provider.api_base, provider.params):
                _, missing = interpolate(value, env)
                path: Path = ("providers", name, *field)
                out.extend((var, self.locate(path).describe(path)) for var in missing)
        cache = self.config.cache
        if cache is not None and cache.url:
            path = ("cache", "url")
            _, missing = interpolate(cache.url, env)
            out.extend((var, self.locate(path).describe(path)) for var in missing)
        if self.config.state.url:
            path = ("state", "url")
            _, missing = interpolate(self.config.state.url, env)
            out.extend((var, self.locate(path).describe(path)) for var in missing)
        path = ("experiments", "store")
        _, missing = interpolate(self.config.experiments.store, env)
        out.extend((var, self.locate(path).describe(path)) for var in missing)
        return out

    def state_url(self, env: Mapping[str, str] | None = None) -> str | None:
        """The `state:` Redis URL with `${VAR}` references resolved, or None (memory)."""
        url = self.config.state.url
        if not url:
            return None
        return interpolate(url, os.environ if env is None else env)[0]

    def cache_url(self, env: Mapping[str, str] | None = None) -> str | None:
        """The cache URL with `${VAR}` references resolved (call after `resolve_providers`)."""
        cache = self.config.cache
        if cache is None or not cache.url:
            return None
        return interpolate(cache.url, os.environ if env is None else env)[0]

    def endpoint_warnings(self, env: Mapping[str, str] | None = None) -> list[str]:
        """`where: why` for each provider whose `api_base` (resolved where `env` has its
        variables) is a link-local or cloud metadata address."""
        env = os.environ if env is None else env
        out: list[str] = []
        for name, provider in self.config.providers.items():
            if provider.api_base:
                warning = api_base_warning(interpolate(provider.api_base, env)[0])
                if warning is not None:
                    path: Path = ("providers", name, "api_base")
                    out.append(f"{self.locate(path).describe(path)}: {warning}")
        return out

    def _check_api_base(self, name: str, written: str | None, resolved: str | None) -> None:
        """A `${VAR}` api_base is checked once resolved; any metadata address is logged."""
        if resolved is None or written is None:
            return
        path: Path = ("providers", name, "api_base")
        where = self.locate(path).describe(path)
        problem = api_base_problem(resolved) if "${" in written else None
        if problem is not None:
            raise ConfigError([f"{where}: {problem} (after resolving {written!r})"])
        warning = api_base_warning(resolved)
        if warning is not None:
            logger.warning("llmrouter: %s: %s", where, warning)

    def resolve_providers(
        self, env: Mapping[str, str] | None = None
    ) -> dict[str, ResolvedProvider]:
        """Resolve `${VAR}` references; a missing variable is a `ConfigError` naming it."""
        env = os.environ if env is None else env
        missing = self.missing_env(env)
        if missing:
            raise ConfigError(
                [f"{where}: environment variable {var} is not set" for var, where in missing]
            )
        resolved: dict[str, ResolvedProvider] = {}
        for name, provider in self.config.providers.items():
            api_base = interpolate(provider.api_base, env)[0] if provider.api_base else None
            self._check_api_base(name, provider.api_base, api_base)
            key = provider.api_key_env
            params = {
                k: interpolate(v, env)[0] if isinstance(v, str) else v
                for k, v in provider.params.items()
            }
            resolved[name] = ResolvedProvider(
                name=name,
                api_base=api_base,
                api_key=SecretStr(env[key]) if key else None,
                api_key_env=key,
                region=provider.region,
                params=params,
                limits=provider.limits.body_limits(),
            )
        return resolved


def _env_fields(
    api_key: str | None, api_base: str | None, params: Mapping[str, object]
) -> list[tuple[tuple[str, ...], str]]:
    fields: list[tuple[tuple[str, ...], str]] = []
    if api_key:
        fields.append((("api_key",), api_key))
    if api_base:
        fields.append((("api_base",), api_base))
    fields.extend((("params", k), v) for k, v in params.items() if isinstance(v, str))
    return fields


def load_file(path: str | os.PathLike[str]) -> LoadedConfig:
    """Read and validate a YAML config file."""
    file = FilePath(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{file}: cannot read config: {exc.strerror or exc}"]) from None
    return load_text(text, source=str(file))


def load_text(text: str, source: str = "<string>") -> LoadedConfig:
    """Validate YAML text; `source` names it in errors."""
    return _validate(parse_yaml(text, source))


def load_dict(data: Mapping[str, Any], source: str = "<dict>") -> LoadedConfig:
    """Validate a config built in code (no line numbers; errors still name the field)."""
    return _validate(YamlDocument(source=source, data=data))


def _validate(doc: YamlDocument) -> LoadedConfig:
    problems = [(path, msg) for path, msg in doc.problems]
    if not isinstance(doc.data, Mapping):
        raise ConfigError([f"{doc.source}: the config must be a mapping with a `models:` section"])
    if looks_like_litellm(doc.data):
        raise ConfigError(_describe(doc, litellm_file_problems(doc.data, doc.source)))
    problems.extend(os_environ_problems(doc.data))
    try:
        config = RouterConfig.model_validate(doc.data)
    except ValidationError as exc:
        seen = {path for path, _ in problems}
        problems.extend(p for p in _pydantic_problems(exc) if p[0] not in seen)
        raise ConfigError(_describe(doc, problems)) from None
    problems.extend(_reference_problems(config))
    if problems:
        raise ConfigError(_describe(doc, problems))
    return LoadedConfig(config=config, document=doc)


def _describe(doc: YamlDocument, problems: list[tuple[Path, str]]) -> list[str]:
    """One line per problem, in the order of the file (problems without a line last)."""

    def line(item: tuple[Path, str]) -> float:
        found = doc.locate(item[0]).line
        return float("inf") if found is None else found

    return [f"{doc.locate(path).describe(path)}: {msg}" for path, msg in sorted(problems, key=line)]


def _pydantic_problems(exc: ValidationError) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    for err in exc.errors(include_input=False, include_url=False):
        loc: Path = tuple(part for part in err["loc"] if part != "[key]")
        if err["type"] == "extra_forbidden":
            msg = unknown_key_message(loc, RouterConfig) if loc else "unknown key"
        elif err["type"] == "missing":
            msg = "required field is missing"
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
        out.append((loc, msg))
    return out


_unknown = unknown


def _reference_problems(config: RouterConfig) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    for name, model in config.models.items():
        if model.provider not in config.providers:
            out.append(
                (
                    ("models", name, "provider"),
                    _unknown("provider", model.provider, config.providers),
                )
            )
    out.extend(_adapter_problems(config))
    strategies = known_strategy_names()
    for name, route in config.routes.items():
        if name in config.models:
            out.append((("routes", name), f"route {name!r} has the name of a model; rename one"))
        for index, model_name in enumerate(route.models):
            if model_name not in config.models:
                out.append(
                    (
                        ("routes", name, "models", index),
                        _unknown("model", model_name, config.models),
                    )
                )
        if len(set(route.models)) != len(route.models):
            out.append((("routes", name, "models"), "a model is listed twice"))
        if (
            config.cache is None
            and isinstance(route.cache, RouteCacheConfig)
            and route.cache.enabled
        ):
            out.append(
                (("routes", name, "cache"), "no top-level `cache:` section to configure; add one")
            )
        if route.answer_check is not None:
            problem = import_path_problem(route.answer_check)
            if problem is not None:
                out.append((("routes", name, "answer_check"), problem.replace("strategy", "check")))
        if route.strategy in strategies:
            continue
        if ":" in route.strategy:
            problem = import_path_problem(route.strategy)
            if problem is not None:
                out.append((("routes", name, "strategy"), problem))
        else:
            out.append(
                (("routes", name, "strategy"), _unknown("strategy", route.strategy, strategies))
            )
    out.extend([*cost_problems(config), *policy_problems(config), *qualify_problems(config)])
    return out


def _adapter_problems(config: RouterConfig) -> list[tuple[Path, str]]:
    """`adapter: native` on a model no native adapter can serve."""
    out: list[tuple[Path, str]] = []
    for name, model in config.models.items():
        provider = config.providers.get(model.provider)
        if provider is None or provider.adapter != "native":
            continue
        vendor = model_ref(model.model).vendor
        path: Path = ("models", name, "model")
        if vendor.wire is None:
            out.append(
                (
                    path,
                    f"{model.model!r} has no native adapter (provider {model.provider!r} "
                    "sets adapter: native); use adapter: auto or litellm",
                )
            )
        elif not (provider.api_base or vendor.api_base):
            out.append((path, f"{model.model!r} needs an api_base for the native adapter"))
    return out
