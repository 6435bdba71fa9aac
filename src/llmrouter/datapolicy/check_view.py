"""What `llmrouter check` shows of the data policy: the facts of each provider, and, per data
class, which models of each route may serve it; a class no model of a route can serve is a
warning. Tables as headers and rows; the caller renders them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from llmrouter.config.loader import LoadedConfig, suggest
from llmrouter.datapolicy.rules import DataPolicy

__all__ = ["PolicyTable", "PolicyView", "policy_view"]


@dataclass(frozen=True)
class PolicyTable:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class PolicyView:
    tables: list[PolicyTable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def policy_view(loaded: LoadedConfig) -> PolicyView | None:
    """The data policy's tables and warnings; None when the config declares no class."""
    config = loaded.config
    policy = DataPolicy.from_config(config)
    if not policy.enabled:
        return None
    facts = PolicyTable(
        "Data facts (who processes the data, and where)",
        ("provider", "vendor", "region", "zero data retention"),
        [
            (
                name,
                provider.vendor or name,
                provider.region or "(none: fails every region rule)",
                "yes" if provider.zero_data_retention else "no",
            )
            for name, provider in config.providers.items()
        ],
    )
    rows: list[tuple[str, ...]] = []
    warnings: list[str] = []
    for route_name, route in config.routes.items():
        default = route.data_class or policy.default_class
        for class_name in policy.classes:
            allowed, excluded = [], []
            for model in route.models:
                verdict = policy.check(class_name, model)
                if verdict is None:
                    allowed.append(model)
                else:
                    excluded.append(f"{model} ({verdict.rule})")
            label = f"{class_name} (default)" if class_name == default else class_name
            rows.append((route_name, label, ", ".join(allowed) or "NONE", ", ".join(excluded)))
            if not allowed:
                warnings.append(_nothing_serves(loaded, route_name, class_name, default))
    table = PolicyTable(
        "Data policy (which models of each route may serve each class)",
        ("route", "data class", "may serve", "excluded (rule)"),
        rows,
    )
    warnings.extend(_unknown_names(loaded))
    return PolicyView([facts, table], warnings)


def _nothing_serves(loaded: LoadedConfig, route: str, data_class: str, default: str | None) -> str:
    if data_class != default:
        return (
            f"route {route!r}: no model may serve class {data_class!r}; requests of that "
            "class fail with NoEligibleModelError"
        )
    config = loaded.config
    own = config.routes[route].data_class is not None
    path = ("routes", route, "data_class") if own else ("data_policy", "default_class")
    where = loaded.locate(path).describe(path)
    return (
        f"{where}: no model of route {route!r} may serve its default class {data_class!r}; "
        "every request that names no class fails with NoEligibleModelError"
    )


def _unknown_names(loaded: LoadedConfig) -> list[str]:
    """Vendors and regions a class allows that no provider has (likely typos)."""
    config = loaded.config
    assert config.data_policy is not None  # policy_view returned early otherwise
    vendors = {p.vendor or n for n, p in config.providers.items()}
    regions = {p.region for p in config.providers.values() if p.region is not None}
    out = []
    for name, data_class in config.data_policy.classes.items():
        lists: Sequence[tuple[str, list[str] | None, set[str]]] = (
            ("vendors", data_class.vendors, vendors),
            ("regions", data_class.regions, regions),
        )
        for key, values, known in lists:
            for index, value in enumerate(values or ()):
                if value in known:
                    continue
                path = ("data_policy", "classes", name, key, index)
                hint = suggest(value, known)
                out.append(
                    f"{loaded.locate(path).describe(path)}: no provider has "
                    f"{key[:-1]} {value!r}" + (f"; did you mean {hint!r}?" if hint else "")
                )
    return out
