"""Cross-field checks of routes' `shadow:` and `canary:` sections and of `shadow:<route>`
budgets: every model and route they name must exist, a judge is named when (and only when) a
`judge` comparator needs one, a route is not its own judge, and a `shadow:` budget names a
route.

Each problem is `(field path, message)`; the loader turns the path into `file:line: field`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmrouter.config.qualify import ShadowConfig
from llmrouter.config.schema import RouterConfig
from llmrouter.config.yaml_source import Path
from llmrouter.didyoumean import unknown

__all__ = ["qualify_problems"]

Problem = tuple[Path, str]


def qualify_problems(config: RouterConfig) -> list[Problem]:
    """Every problem of the shadows, canaries and shadow budgets of `config`."""
    out: list[Problem] = []
    for name, route in config.routes.items():
        if route.shadow is not None:
            out.extend(_shadow_problems(config, name, route.shadow))
        canary = route.canary
        if canary is not None and canary.model not in config.models:
            path: Path = ("routes", name, "canary", "model")
            out.append((path, unknown("model", canary.model, config.models)))
    for index, budget in enumerate(config.budgets):
        kind, _, target = budget.scope.partition(":")
        if kind != "shadow":
            continue
        if target not in config.routes:  # a route without a shadow: nothing spends it
            out.append((("budgets", index, "scope"), unknown("route", target, config.routes)))
    return out


def _shadow_problems(config: RouterConfig, route: str, shadow: ShadowConfig) -> list[Problem]:
    where: Path = ("routes", route, "shadow")
    out: list[Problem] = []
    for index, model in enumerate(shadow.models):
        if model not in config.models:
            out.append(((*where, "models", index), unknown("model", model, config.models)))
    if len(set(shadow.models)) != len(shadow.models):
        out.append(((*where, "models"), "a model is listed twice"))
    judged = any(_names_judge(entry) for entry in shadow.compare)
    judge = shadow.judge
    if judge is None:
        if judged:
            out.append(((*where, "judge"), "the judge comparator needs `judge: <route>`"))
        return out
    known = [*config.routes, *config.models]
    if judge not in known:
        out.append(((*where, "judge"), unknown("route or model", judge, known)))
    elif judge == route:
        out.append(((*where, "judge"), "a route cannot judge its own shadows; name another"))
    elif not judged:
        out.append(((*where, "judge"), "only the judge comparator reads it; add judge to compare"))
    return out


def _names_judge(entry: str | Mapping[str, Any]) -> bool:
    return entry == "judge" or (isinstance(entry, Mapping) and "judge" in entry)
