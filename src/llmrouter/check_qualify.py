"""What `llmrouter check` says of routes' shadows and canaries (docs/switching-vendors.md):
one row per shadow candidate and per canary, and a warning for a candidate that can never be
used. The loader already refuses a candidate that is not a model of the config; here, a
candidate that is the route's primary (a shadow would compare it with itself, a canary would
serve what the route serves anyway), and one the data policy excludes from every class the
route carries (a shadow is never sent, counted `refused_by_policy`; a canary leg never sent
is no sample, so the canary never measures anything).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmrouter.config.loader import LoadedConfig
from llmrouter.config.qualify import CanaryConfig, ShadowConfig
from llmrouter.config.schema import RouteConfig, RouterConfig
from llmrouter.config.yaml_source import Path
from llmrouter.datapolicy.rules import DataPolicy

__all__ = ["QualifyView", "qualify_view"]

TITLE = "Shadows and canaries (docs: Switching vendors safely)"
HEADERS = ("route", "kind", "candidate", "share", "assignment", "judged by", "budget scope")


@dataclass(frozen=True)
class QualifyView:
    """The JSON entries (`check --json`'s `experiments`), the table rows and the warnings."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    rows: list[tuple[str, ...]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def table(self) -> dict[str, Any]:
        """The rows as a `check` report section (`{title, headers, rows}`)."""
        return {"title": TITLE, "headers": list(HEADERS), "rows": [list(r) for r in self.rows]}


def qualify_view(loaded: LoadedConfig) -> QualifyView | None:
    """The shadows and canaries of `loaded`; None when no route has either."""
    config = loaded.config
    policy = DataPolicy.from_config(config)
    view = QualifyView()
    for name, route in config.routes.items():
        if route.shadow is not None:
            for index, model in enumerate(route.shadow.models):
                entry = _shadow_entry(config, name, route.shadow, model)
                path: Path = ("routes", name, "shadow", "models", index)
                _add(view, loaded, policy, route, entry, path)
        if route.canary is not None:
            entry = _canary_entry(config, name, route.canary)
            _add(view, loaded, policy, route, entry, ("routes", name, "canary", "model"))
    return view if view.entries else None


def _add(
    view: QualifyView,
    loaded: LoadedConfig,
    policy: DataPolicy,
    route: RouteConfig,
    entry: dict[str, Any],
    path: Path,
) -> None:
    view.entries.append(entry)
    view.rows.append(_row(entry))
    where = loaded.locate(path).describe(path)
    problem = _never_used(policy, route, entry)
    if problem is not None:
        view.warnings.append(
            f"{where}: {entry['kind']} candidate {entry['candidate']} of route "
            f"{entry['route']!r} {problem}"
        )


def _shadow_entry(
    config: RouterConfig, route: str, shadow: ShadowConfig, model: str
) -> dict[str, Any]:
    return {
        "route": route,
        "kind": "shadow",
        "candidate": model,
        "sample": shadow.sample,
        "max_concurrency": shadow.max_concurrency,
        "assignment": "random",
        "compare": [_comparator(c) for c in shadow.compare],
        "judge": shadow.judge,
        "budgets": _budgets(config, f"shadow:{route}"),
    }


def _canary_entry(config: RouterConfig, route: str, canary: CanaryConfig) -> dict[str, Any]:
    return {
        "route": route,
        "kind": "canary",
        "candidate": canary.model,
        "percent": canary.percent,
        "assignment": canary.sticky_by,
        "guardrails": {
            "max_error_rate": canary.max_error_rate,
            "max_refusal_rate_delta": canary.max_refusal_rate_delta,
            "max_p95_latency_ratio": canary.max_p95_latency_ratio,
            "min_samples": canary.min_samples,
        },
        "budgets": _budgets(config, f"route:{route}", f"model:{canary.model}", "tenant:"),
    }


def _comparator(entry: str | Mapping[str, Any]) -> str:
    if isinstance(entry, str):
        return entry
    return ", ".join(f"{k} {v}" if k != "judge" else "judge" for k, v in entry.items())


def _budgets(config: RouterConfig, *scopes: str) -> list[dict[str, Any]]:
    """The budgets that count these requests: each scope named (`tenant:` any tenant)."""
    return [
        {"scope": b.scope, "limit_usd": b.limit_usd, "window": b.window}
        for b in config.budgets
        if any(b.scope == s or (s.endswith(":") and b.scope.startswith(s)) for s in scopes)
    ]


def _row(entry: dict[str, Any]) -> tuple[str, ...]:
    limits = ", ".join(f"{b['scope']} ${b['limit_usd']:g}/{b['window']}" for b in entry["budgets"])
    if entry["kind"] == "shadow":
        share = f"{entry['sample']:g} (max {entry['max_concurrency']} in flight)"
        judged = "compare: " + "; ".join(entry["compare"])
        judged += f" (judge {entry['judge']})" if entry["judge"] else ""
        scope = "its own: " + (limits or f"shadow:{entry['route']} (no limit)")
        return (entry["route"], "shadow", entry["candidate"], share, "random", judged, scope)
    rails = entry["guardrails"]
    judged = (
        f"errors <= {rails['max_error_rate']:.1%}, refusals <= "
        f"{rails['max_refusal_rate_delta'] * 100:+.1f} pts, p95 <= "
        f"{rails['max_p95_latency_ratio']:g}x, after {rails['min_samples']} samples"
    )
    sticky = entry["assignment"]
    assignment = "random" if sticky == "none" else f"sticky by {sticky}"
    scope = "as the route's" + (f": {limits}" if limits else " (no limit)")
    share = f"{entry['percent']:g}%"
    return (entry["route"], "canary", entry["candidate"], share, assignment, judged, scope)


def _never_used(policy: DataPolicy, route: RouteConfig, entry: dict[str, Any]) -> str | None:
    """Why the candidate can never be used on the route, or None."""
    candidate = entry["candidate"]
    if route.models[0] == candidate and (len(route.models) == 1 or route.strategy == "ordered"):
        if entry["kind"] == "shadow":
            return "is the route's primary model: its shadows would compare it with itself"
        return "is the route's primary model: the canary serves what the route serves anyway"
    if not policy.enabled:
        return None
    carried = [c for c in policy.classes if any(policy.check(c, m) is None for m in route.models)]
    verdicts = {c: policy.check(c, candidate) for c in carried}
    if not carried or any(v is None for v in verdicts.values()):
        return None
    rules = ", ".join(f"{c}: {v.rule}" for c, v in verdicts.items() if v is not None)
    never = (
        "its shadows are never sent"
        if entry["kind"] == "shadow"
        else "it never serves a request (its legs are skipped and measure nothing)"
    )
    return f"is excluded by the data policy for every class the route carries ({rules}): {never}"
