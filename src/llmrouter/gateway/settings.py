"""The `gateway:` section, resolved: keys from the environment, aliases checked against the
routes and models of the config, limits in bytes and seconds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from llmrouter.config.loader import LoadedConfig, suggest
from llmrouter.config.schema import GatewayConfig
from llmrouter.config.yaml_source import Path
from llmrouter.errors import ConfigError
from llmrouter.gateway.aliases import ModelAliases
from llmrouter.gateway.keys import KeyRing

__all__ = ["GatewaySettings"]


@dataclass(frozen=True)
class GatewaySettings:
    """What the HTTP layer needs. `keys` None: no authentication (`--no-auth`)."""

    keys: KeyRing | None
    aliases: ModelAliases
    targets: tuple[str, ...]
    """Every route and model name, routes first (what `/v1/models` lists)."""
    max_body_bytes: int
    drain_timeout_s: float

    @classmethod
    def from_config(
        cls,
        loaded: LoadedConfig,
        env: Mapping[str, str],
        *,
        no_auth: bool = False,
        drain_timeout_s: float | None = None,
    ) -> GatewaySettings:
        """Resolve `loaded.config.gateway`; a `ConfigError` names file, line and field of
        each alias or key route naming nothing, and of each key variable not set."""
        section = loaded.config.gateway or GatewayConfig()
        targets = (*loaded.config.routes, *loaded.config.models)
        problems = _reference_problems(loaded, section, targets)
        if problems:
            raise ConfigError(problems)
        keys = None
        if not no_auth:
            where = [
                _where(loaded, ("gateway", "keys", i, "key")) for i in range(len(section.keys))
            ]
            keys = KeyRing.from_config(section.keys, env, where)
        return cls(
            keys=keys,
            aliases=ModelAliases(section.model_aliases, targets),
            targets=targets,
            max_body_bytes=int(section.max_body_mb * 1024 * 1024),
            drain_timeout_s=section.drain_timeout_s if drain_timeout_s is None else drain_timeout_s,
        )


def _where(loaded: LoadedConfig, path: Path) -> str:
    return loaded.locate(path).describe(path)


def _unknown(name: str, targets: tuple[str, ...]) -> str:
    hint = suggest(name, targets)
    return f"unknown route or model {name!r}" + (f"; did you mean {hint!r}?" if hint else "")


def _reference_problems(
    loaded: LoadedConfig, section: GatewayConfig, targets: tuple[str, ...]
) -> list[str]:
    known = set(targets)
    problems: list[str] = []
    for alias, target in section.model_aliases.items():
        if target not in known:
            path: Path = ("gateway", "model_aliases", alias)
            problems.append(f"{_where(loaded, path)}: {_unknown(target, targets)}")
    for index, key in enumerate(section.keys):
        for j, route in enumerate(key.routes or ()):
            if route not in known:
                path = ("gateway", "keys", index, "routes", j)
                problems.append(f"{_where(loaded, path)}: {_unknown(route, targets)}")
    return problems
