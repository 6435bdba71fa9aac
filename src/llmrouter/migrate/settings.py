"""litellm's settings sections, read once each, and the ones with a direct equivalent: the
response cache, shared Redis state and cooldowns (circuit breakers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmrouter.config.yaml_source import Path
from llmrouter.migrate.notes import Notes, env_ref

__all__ = ["SECTIONS", "Settings", "convert_breaker", "convert_cache", "convert_state"]

SECTIONS: tuple[Path, ...] = (("router_settings",), ("litellm_settings",), ())
"""Where a setting may be: a proxy's router_settings, then litellm_settings, then the top
level (a Router's keyword arguments written as YAML)."""

EXPLAIN = {
    "drop_params": "parameters no adapter understands are an error here, never dropped",
    "set_verbose": "configure the `llmrouter` logger instead",
    "json_logs": "configure the `llmrouter` logger instead",
    "success_callback": "use OpenTelemetry (`telemetry:`) or RouterCallbacks in code",
    "failure_callback": "use OpenTelemetry (`telemetry:`) or RouterCallbacks in code",
    "callbacks": "use OpenTelemetry (`telemetry:`) or RouterCallbacks in code",
    "retry_after": "the backoff between retries is RetrySettings, set in code",
    "enable_pre_call_checks": "always on: a model whose context window cannot hold the "
    "request is skipped",
    "retry_policy": "per-fault retries and fallbacks are `fault_policy` on a route",
    "allowed_fails_policy": "per-fault policy is `fault_policy` on a route",
    "default_litellm_params": "pass call parameters per call",
    "telemetry": "llmrouter sends no telemetry of its own",
}
TOP_LEVEL = {
    "model_list",
    "litellm_settings",
    "router_settings",
    "general_settings",
    "environment_variables",
    "credential_list",
}


class Settings:
    """Lookups across the settings sections; every key read is marked used, so the keys left
    over can be reported as having no equivalent."""

    def __init__(self, data: Mapping[str, Any], notes: Notes) -> None:
        self.data = data
        self.notes = notes
        self.used: set[Path] = set()
        self._reported: set[Path] = set()

    def _section(self, path: Path) -> Mapping[str, Any]:
        if not path:
            return self.data
        value = self.data.get(str(path[0]))
        return value if isinstance(value, Mapping) else {}

    def take(self, *keys: str) -> tuple[Any, Path] | None:
        """The first of `keys` found (router_settings first), and where it was. Every other
        place that sets one of `keys` is marked read too, with a note when it differs."""
        found: list[tuple[Any, Path]] = []
        for section in SECTIONS:
            values = self._section(section)
            for key in keys:
                if key in values and (section or key not in TOP_LEVEL):
                    self.used.add((*section, key))
                    found.append((values[key], (*section, key)))
        if not found:
            return None
        winner = found[0]
        for value, path in found[1:]:
            if value != winner[0] and path not in self._reported:
                self._reported.add(path)
                self.notes.add(path, f"overridden by {'.'.join(map(str, winner[1]))}")
        return winner

    def peek(self, *keys: str) -> Any:
        found = self.take(*keys)
        return None if found is None else found[0]

    def leftovers(self, notes: Notes) -> None:
        """A note for every setting nothing read."""
        for section in SECTIONS:
            for key in self._section(section):
                path = (*section, str(key))
                if path in self.used or (not section and key in TOP_LEVEL):
                    continue
                notes.add(path, f"{key}: {EXPLAIN.get(str(key), 'no equivalent; not carried')}")
        if isinstance(self.data.get("general_settings"), Mapping):
            notes.add(
                ("general_settings",),
                "proxy server settings (master key, database, "
                "alerting) have no equivalent in a router config",
            )
        if "environment_variables" in self.data:
            notes.add(
                ("environment_variables",),
                "set these in the environment; the config refers to them as ${VAR}",
            )


def _redis_url(host: Any, port: Any, password: Any, url: Any) -> str:
    """A `redis://` URL from litellm's separate fields (`os.environ/` references resolved to
    `${VAR}`), or `${REDIS_URL}` when none is given (litellm read REDIS_* from the env)."""
    url, _ = env_ref(url)
    if isinstance(url, str) and url:
        return url
    if host is None:
        return "${REDIS_URL}"
    host, _ = env_ref(host)
    port, _ = env_ref(port if port is not None else 6379)
    password, _ = env_ref(password)
    auth = f":{password}@" if password else ""
    return f"redis://{auth}{host}:{port}/0"


def convert_cache(settings: Settings, notes: Notes) -> dict[str, Any] | None:
    """litellm_settings `cache: true` with `cache_params` -> `cache:`."""
    enabled = settings.take("cache")
    found = settings.take("cache_params")
    params: Mapping[str, Any] = found[0] if found and isinstance(found[0], Mapping) else {}
    if enabled is None or enabled[0] is not True:
        if params:
            notes.add(
                found[1] if found else ("cache_params",),
                "cache_params without `cache: true`; no cache",
            )
        return None
    kind = str(params.get("type", "redis"))
    where = found[1] if found else enabled[1]
    if kind not in ("redis", "local"):
        notes.add(where, f"cache type {kind!r} has no equivalent; an in-memory cache instead")
    cache: dict[str, Any] = {"backend": "redis" if kind == "redis" else "memory"}
    if kind == "redis":
        cache["url"] = _redis_url(
            params.get("host"), params.get("port"), params.get("password"), params.get("url")
        )
        if params.get("host") is None and params.get("url") is None:
            notes.add(
                where,
                "litellm read Redis from REDIS_HOST/REDIS_PORT/REDIS_PASSWORD; "
                "set REDIS_URL=redis://:password@host:port/0",
            )
    if isinstance(params.get("ttl"), (int, float)) and params["ttl"] > 0:
        cache["ttl_s"] = params["ttl"]
    if isinstance(params.get("namespace"), str) and params["namespace"]:
        cache["namespace"] = params["namespace"]
    ignored = sorted(set(params) - {"type", "host", "port", "password", "url", "ttl", "namespace"})
    if ignored:
        notes.add(where, f"cache_params not carried: {', '.join(ignored)}")
    return cache


def convert_state(settings: Settings) -> dict[str, Any] | None:
    """router_settings redis_* (shared routing state) -> `state:` in Redis (budgets, breakers,
    blocks shared by every router)."""
    host = settings.peek("redis_host")
    url = settings.peek("redis_url")
    port = settings.peek("redis_port")
    password = settings.peek("redis_password")
    if host is None and url is None:
        return None
    return {"backend": "redis", "url": _redis_url(host, port, password, url)}


def convert_breaker(settings: Settings) -> dict[str, Any] | None:
    """allowed_fails / cooldown_time (litellm's cooldowns) -> `circuit_breaker:`."""
    out: dict[str, Any] = {}
    fails = settings.peek("allowed_fails")
    if isinstance(fails, int) and not isinstance(fails, bool) and fails >= 0:
        out["failure_threshold"] = fails + 1  # litellm cools down after more than N fails
    cooldown = settings.peek("cooldown_time")
    if isinstance(cooldown, (int, float)) and not isinstance(cooldown, bool) and cooldown > 0:
        out["cooldown_s"] = cooldown
    return out or None
