"""Data classes and the rules that keep a request's data away from providers it may not reach.

A class may restrict `regions`, `vendors` and require `zero_data_retention`; a field left out
does not restrict. The rules fail closed: a provider without a `region` never satisfies a class
that lists regions. `DataPolicy` decides every (class, model) pair once, when it is built, so
the check on the request path is two dictionary lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from llmrouter.config.loader import suggest
from llmrouter.config.schema import DataClassConfig, RouterConfig
from llmrouter.datapolicy.facts import CandidateFacts, facts_from_config
from llmrouter.errors import RequestValidationError
from llmrouter.types import Attempt

__all__ = ["DataClass", "DataPolicy", "Exclusion", "evaluate"]

ExclusionReason = Literal["policy", "blocked"]


@dataclass(frozen=True, slots=True)
class DataClass:
    """One entry of `data_policy.classes`."""

    name: str
    regions: frozenset[str] | None = None
    vendors: frozenset[str] | None = None
    zero_data_retention: bool = False

    @classmethod
    def from_config(cls, name: str, config: DataClassConfig) -> DataClass:
        return cls(
            name=name,
            regions=frozenset(config.regions) if config.regions is not None else None,
            vendors=frozenset(config.vendors) if config.vendors is not None else None,
            zero_data_retention=config.zero_data_retention,
        )


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why a candidate may not receive a request.

    `reason` is what `route.attempts` shows as the skip's `error` (`policy` or `blocked`);
    `rule` the rule that excluded it (`region`, `vendor`, `zero_data_retention` for the data
    policy; the block's selector, `model`, `provider`, `vendor` or `region`, for a block);
    `detail` one line for humans that starts with the rule.
    """

    model: str
    provider: str
    reason: ExclusionReason
    rule: str
    detail: str

    def attempt(self) -> Attempt:
        """The `outcome="skipped"` record of this exclusion, for `route.attempts`."""
        return Attempt(
            model=self.model,
            provider=self.provider,
            outcome="skipped",
            error=self.reason,
            detail=self.detail,
        )


def _listing(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


def _failures(data_class: DataClass, facts: CandidateFacts) -> list[tuple[str, str]]:
    name = data_class.name
    out: list[tuple[str, str]] = []
    if data_class.regions is not None:
        if facts.region is None:
            out.append(
                (
                    "region",
                    f"region: provider {facts.provider!r} sets no region, and class {name!r} "
                    f"allows only {_listing(data_class.regions)}",
                )
            )
        elif facts.region not in data_class.regions:
            out.append(
                (
                    "region",
                    f"region: provider {facts.provider!r} is in {facts.region}; class {name!r} "
                    f"allows {_listing(data_class.regions)}",
                )
            )
    if data_class.vendors is not None and facts.vendor not in data_class.vendors:
        out.append(
            (
                "vendor",
                f"vendor: {facts.vendor!r} is not among the vendors class {name!r} allows "
                f"({_listing(data_class.vendors)})",
            )
        )
    if data_class.zero_data_retention and not facts.zero_data_retention:
        out.append(
            (
                "zero_data_retention",
                f"zero_data_retention: class {name!r} requires it, and provider "
                f"{facts.provider!r} does not set zero_data_retention: true",
            )
        )
    return out


def evaluate(data_class: DataClass, facts: CandidateFacts) -> Exclusion | None:
    """None when `data_class` may go to the candidate of `facts`; else the exclusion, whose
    `rule` is the first failing rule (region, vendor, zero_data_retention) and whose `detail`
    names every failing one."""
    failures = _failures(data_class, facts)
    if not failures:
        return None
    return Exclusion(
        model=facts.model,
        provider=facts.provider,
        reason="policy",
        rule=failures[0][0],
        detail="; ".join(detail for _, detail in failures),
    )


_FIELD = "metadata.data_class"


class DataPolicy:
    """The classes of a config, each request's class, and the verdict of every candidate."""

    def __init__(
        self,
        classes: Iterable[DataClass],
        facts: Mapping[str, CandidateFacts],
        *,
        default_class: str | None = None,
        route_classes: Mapping[str, str] | None = None,
    ) -> None:
        """`route_classes` maps a route name to its `data_class`; `default_class` must be
        one of `classes` when classes are given (the config loader checks both)."""
        self.classes: dict[str, DataClass] = {c.name: c for c in classes}
        self.facts: dict[str, CandidateFacts] = dict(facts)
        self.default_class = default_class
        self._route_classes = dict(route_classes or {})
        self._verdicts: dict[str, dict[str, Exclusion | None]] = {
            name: {model: evaluate(c, f) for model, f in self.facts.items()}
            for name, c in self.classes.items()
        }

    @classmethod
    def from_config(cls, config: RouterConfig) -> DataPolicy:
        """The policy of a validated config (no classes when it has no `data_policy`)."""
        policy = config.data_policy
        classes = policy.classes if policy is not None else {}
        return cls(
            [DataClass.from_config(name, c) for name, c in classes.items()],
            facts_from_config(config),
            default_class=policy.default_class if policy is not None else None,
            route_classes={n: r.data_class for n, r in config.routes.items() if r.data_class},
        )

    @property
    def enabled(self) -> bool:
        """Whether any class is declared (without one, nothing is restricted)."""
        return bool(self.classes)

    def resolve(self, metadata: Mapping[str, Any], route: str) -> str | None:
        """The class of a request: `metadata["data_class"]`, else the route's `data_class`,
        else `default_class`; None when no class is declared.

        Raises `RequestValidationError` (before any upstream call) for a class that is not
        declared, including any class when no `data_policy` declares classes.
        """
        named = metadata.get("data_class")
        if named is not None:
            if isinstance(named, str) and named in self.classes:
                return named
            raise self._refusal(named)
        return self._route_classes.get(route, self.default_class)

    def _refusal(self, named: object) -> RequestValidationError:
        if not isinstance(named, str):
            return RequestValidationError(
                _FIELD, f"must be the name of a data class (a string), not {type(named).__name__}"
            )
        if not self.classes:
            return RequestValidationError(
                _FIELD,
                f"names class {named!r}, and no data_policy declares classes; declare it "
                "under data_policy.classes or drop data_class",
            )
        hint = suggest(named, self.classes)
        declared = ", ".join(self.classes)
        return RequestValidationError(
            _FIELD,
            f"unknown data class {named!r}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + f" (declared: {declared})",
        )

    def check(self, data_class: str | None, model: str) -> Exclusion | None:
        """None when a request of `data_class` may go to `model`; else why not. No I/O.

        `data_class=None` restricts nothing while no class is declared; once classes are,
        every request has one, so None is refused. So is a class or model this policy does not
        know (fail closed, with rule `unknown`).
        """
        if data_class is None:
            return None if not self.classes else self._unknown(None, model)
        verdicts = self._verdicts.get(data_class)
        if verdicts is not None and model in verdicts:
            return verdicts[model]
        return self._unknown(data_class, model)

    def _unknown(self, data_class: str | None, model: str) -> Exclusion:
        facts = self.facts.get(model)
        if data_class is None:
            what = "a request without a data class (none was resolved)"
        elif data_class not in self.classes:
            what = f"class {data_class!r}"
        else:
            what = f"model {model!r}"
        return Exclusion(
            model=model,
            provider=facts.provider if facts is not None else "",
            reason="policy",
            rule="unknown",
            detail=f"unknown: {what} is not in this policy",
        )
