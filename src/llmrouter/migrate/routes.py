"""litellm's model groups, fallbacks, retries, timeouts and routing strategy -> `routes:`.

Each `model_name` group becomes a route of that name over its deployments, followed by the
deployments of its fallback groups, so a caller's `model="gpt-4o"` keeps working. litellm
shuffles within a group and then falls back; `strategy: weighted` with the fallbacks at weight
0 does the same (the first pick is drawn among the group, the rest follow heaviest first).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from llmrouter.migrate.models import ModelList
from llmrouter.migrate.notes import Notes
from llmrouter.migrate.settings import Settings

__all__ = ["convert_routes"]

_STRATEGIES = {
    "simple-shuffle": "weighted",
    "latency-based-routing": "latency",
    "cost-based-routing": "cost",
}
_MAX_RETRIES = 10


def convert_routes(models: ModelList, settings: Settings, notes: Notes) -> dict[str, Any]:
    """One route per model group (plus one per `model_group_alias`)."""
    fallbacks = _fallback_map(settings, "fallbacks", models, notes)
    window = _fallback_map(settings, "context_window_fallbacks", models, notes)
    content = _fallback_map(settings, "content_policy_fallbacks", models, notes)
    defaults = _default_fallbacks(settings, models, notes)
    strategy = _strategy(settings, notes)
    routes: dict[str, Any] = {}
    for group, deployments in models.groups.items():
        extra = [*fallbacks.get(group, []), *window.get(group, []), *content.get(group, [])]
        extra += [g for g in defaults if g != group]
        tail = [m for g in extra for m in models.groups.get(g, []) if m not in deployments]
        route: dict[str, Any] = {"models": list(dict.fromkeys([*deployments, *tail]))}
        if strategy == "weighted" and len(deployments) > 1:
            route["strategy"] = "weighted"
            route["weights"] = {m: models.weights.get(m, 1.0) for m in deployments}
            route["weights"].update({m: 0.0 for m in route["models"] if m not in deployments})
        elif strategy not in ("weighted", "ordered"):
            route["strategy"] = strategy
        route.update(_retries_and_timeouts(settings, [models.timeouts.get(m) for m in deployments]))
        if group in content:
            route["fault_policy"] = {"content_filter": {"fallback": True}}
        routes[group] = route
    routes.update(_aliases(settings, routes, models, notes))
    return routes


def _fallback_map(
    settings: Settings, key: str, models: ModelList, notes: Notes
) -> dict[str, list[str]]:
    """`[{"gpt-3.5-turbo": ["gpt-4"]}]` -> {"gpt-3.5-turbo": ["gpt-4"]}."""
    found = settings.take(key)
    if found is None:
        return {}
    value, path = found
    out: dict[str, list[str]] = {}
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, Mapping):
            notes.add(path, f"{key}: entry {item!r} is not a mapping; skipped")
            continue
        for group, targets in item.items():
            names = [str(t) for t in (targets if isinstance(targets, list) else [targets])]
            unknown = [n for n in [str(group), *names] if n not in models.groups]
            if unknown:
                notes.add(path, f"{key}: unknown model group {', '.join(unknown)}; skipped")
            out.setdefault(str(group), []).extend(n for n in names if n in models.groups)
    if key == "context_window_fallbacks" and out:
        notes.add(
            path,
            "context_window_fallbacks joined the routes' models: after a context "
            "window fault the router moves only to a larger window, but other faults "
            "fall back to these models too",
        )
    if key == "content_policy_fallbacks" and out:
        notes.add(
            path,
            "content_policy_fallbacks joined the routes' models, with "
            "fault_policy content_filter: {fallback: true}",
        )
    return out


def _default_fallbacks(settings: Settings, models: ModelList, notes: Notes) -> list[str]:
    found = settings.take("default_fallbacks")
    if found is None:
        return []
    value, path = found
    names = [str(v) for v in (value if isinstance(value, list) else [value])]
    unknown = [n for n in names if n not in models.groups]
    if unknown:
        notes.add(path, f"default_fallbacks: unknown model group {', '.join(unknown)}; skipped")
    return [n for n in names if n in models.groups]


def _strategy(settings: Settings, notes: Notes) -> str:
    found = settings.take("routing_strategy")
    if found is None:
        return "weighted"  # litellm's default, simple-shuffle
    value, path = found
    ours = _STRATEGIES.get(str(value))
    if ours is None:
        notes.add(
            path,
            f"routing_strategy {value!r} has no equivalent; routes use the list "
            "order (strategy: ordered)",
        )
        return "ordered"
    if ours in ("latency", "cost"):
        notes.add(
            path,
            f"{value} -> strategy: {ours}, which orders fallback models too, not "
            "only the group's deployments",
        )
    return ours


def _retries_and_timeouts(
    settings: Settings, deployment_timeouts: list[float | None]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    retries = settings.peek("num_retries")
    if isinstance(retries, int) and not isinstance(retries, bool):
        out["retries"] = max(0, min(retries, _MAX_RETRIES))
    timeouts = [t for t in deployment_timeouts if t]
    timeout = settings.peek("timeout", "request_timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        timeouts.append(float(timeout))
    if timeouts:
        attempt = max(timeouts)
        out["attempt_timeout_s"] = attempt
        out["timeout_s"] = max(60.0, attempt)
    return out


def _aliases(
    settings: Settings, routes: dict[str, Any], models: ModelList, notes: Notes
) -> dict[str, Any]:
    found = settings.take("model_group_alias")
    if found is None or not isinstance(found[0], Mapping):
        return {}
    value, path = found
    out: dict[str, Any] = {}
    for alias, target in value.items():
        name = target.get("model") if isinstance(target, Mapping) else target
        if str(name) not in routes or str(alias) in models.models or str(alias) in routes:
            notes.add(
                path,
                f"model_group_alias {alias!r} -> {name!r}: no such group, or the "
                "name is taken; skipped",
            )
            continue
        out[str(alias)] = copy.deepcopy(routes[str(name)])
    return out
