"""Cross-field checks of the data policy: every class a route, the default or a gateway key
names must be declared, and `default_class` is required once classes are.

Each problem is `(field path, message)`; the loader turns the path into `file:line: field`.
"""

from __future__ import annotations

from llmrouter.config.schema import RouterConfig
from llmrouter.config.yaml_source import Path
from llmrouter.didyoumean import suggest

__all__ = ["policy_problems"]

Problem = tuple[Path, str]


def _unknown_class(name: str, declared: list[str]) -> str:
    hint = suggest(name, declared)
    listing = ", ".join(declared) or "none"
    return f"unknown data class {name!r}" + (
        f"; did you mean {hint!r}?" if hint else f" (declared: {listing})"
    )


def policy_problems(config: RouterConfig) -> list[Problem]:
    """Every undeclared class named by `data_policy.default_class` or a route's `data_class`."""
    policy = config.data_policy
    declared = list(policy.classes) if policy is not None else []
    out: list[Problem] = []
    if policy is not None:
        path: Path = ("data_policy", "default_class")
        if policy.default_class is None and policy.classes:
            out.append(
                (path, "required once classes are declared: the class of requests that name none")
            )
        elif policy.default_class is not None and policy.default_class not in policy.classes:
            out.append((path, _unknown_class(policy.default_class, declared)))
    for name, route in config.routes.items():
        if route.data_class is None:
            continue
        path = ("routes", name, "data_class")
        if not declared:
            out.append((path, "no data class is declared; add it under data_policy.classes"))
        elif route.data_class not in declared:
            out.append((path, _unknown_class(route.data_class, declared)))
    out.extend(_gateway_key_problems(config, declared))
    return out


def _gateway_key_problems(config: RouterConfig, declared: list[str]) -> list[Problem]:
    """A key's `data_classes` would tag its requests with them: each must be declared."""
    out: list[Problem] = []
    keys = config.gateway.keys if config.gateway is not None else []
    for index, key in enumerate(keys):
        for position, name in enumerate(key.data_classes):
            path: Path = ("gateway", "keys", index, "data_classes", position)
            if not declared:
                out.append((path, "no data class is declared; add it under data_policy.classes"))
            elif name not in declared:
                out.append((path, _unknown_class(name, declared)))
    return out
