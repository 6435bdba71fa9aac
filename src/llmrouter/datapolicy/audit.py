"""The audit record: where one request's data went, and why it did not go elsewhere.

One `AuditRecord` per request, refused ones included. It holds the data class, every
candidate excluded (and by which rule), every leg sent (`kind`: first, fallback, retry, hedge,
shadow or canary; model, provider, vendor, region, outcome), the model that served, cache hit
and cost. It has no field for prompt or completion text, error messages or keys: an error is
recorded by its class name, a failed leg by its fault kind and HTTP status.

`AuditTrail` collects a request's record as the request runs; `to_json()` is its stable form
(every key always present, in a fixed order; `v` is the version of the shape).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import pydantic_core

from llmrouter.datapolicy.facts import CandidateFacts
from llmrouter.datapolicy.rules import Exclusion
from llmrouter.types import Attempt

__all__ = ["LEG_KINDS", "AuditExclusion", "AuditLeg", "AuditRecord", "AuditTrail", "LegKind"]

LegKind = Literal["first", "fallback", "retry", "hedge", "shadow", "canary"]
LEG_KINDS: tuple[LegKind, ...] = get_args(LegKind)
VERSION = 1


# Plain slotted dataclasses, not frozen: a frozen one costs ~1.5 µs more to build, and a
# request builds several (benchmarks/data_policy.py). Treat them as read-only.


@dataclass(slots=True)
class AuditLeg:
    """One call that sent the request to a provider."""

    kind: LegKind
    model: str
    provider: str
    vendor: str
    region: str | None
    outcome: str
    """`ok`, or the fault kind (`rate_limit`, `timeout`, ...)."""
    status_code: int | None = None
    latency_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": self.model,
            "provider": self.provider,
            "vendor": self.vendor,
            "region": self.region,
            "outcome": self.outcome,
            "status_code": self.status_code,
            "latency_s": self.latency_s,
        }


@dataclass(slots=True)
class AuditExclusion:
    """A candidate the request was not sent to."""

    model: str
    provider: str
    reason: str
    """`policy`, `blocked`, or another skip reason (`budget`, `context_window`, ...)."""
    rule: str | None = None
    """For `policy`: `region`, `vendor` or `zero_data_retention`; for `blocked`: the block's
    selector (`vendor`, `provider`, `model`, `region`)."""
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "provider": self.provider,
            "reason": self.reason,
            "rule": self.rule,
            "detail": self.detail,
        }


_second: tuple[int, str] = (-1, "")  # the last whole second, formatted: records share it


def _iso(unix: float) -> str:
    global _second
    whole = int(unix)
    cached = _second
    if cached[0] != whole:
        cached = _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{cached[1]}.{int((unix - whole) * 1000):03d}Z"


@dataclass(slots=True)
class AuditRecord:
    """Everything the audit says about one request."""

    time: float
    """Unix time the request started; ISO 8601 UTC in the JSON form."""
    request_id: str
    route: str
    data_class: str | None
    tenant: str | None
    outcome: Literal["ok", "error"]
    error: str | None
    """The llmrouter error class of a failed request (never its message)."""
    served_model: str | None
    served_provider: str | None
    cache_hit: bool
    cost_usd: float
    excluded: tuple[AuditExclusion, ...] = ()
    legs: tuple[AuditLeg, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The stable form: these keys, in this order, always present."""
        return {
            "v": VERSION,
            "time": _iso(self.time),
            "request_id": self.request_id,
            "tenant": self.tenant,
            "route": self.route,
            "data_class": self.data_class,
            "outcome": self.outcome,
            "error": self.error,
            "served_model": self.served_model,
            "served_provider": self.served_provider,
            "cache_hit": self.cache_hit,
            "cost_usd": self.cost_usd,
            "excluded": [e.to_dict() for e in self.excluded],
            "legs": [leg.to_dict() for leg in self.legs],
        }

    def to_json(self) -> bytes:
        """One line of compact JSON (UTF-8, no newline)."""
        return pydantic_core.to_json(self.to_dict())


def _rule_of(attempt: Attempt) -> str | None:
    detail = attempt.detail or ""
    if attempt.error == "policy":
        return detail.split(":", 1)[0] or None
    if attempt.error == "blocked":
        return detail.split(" ", 1)[0] or None
    return None


class AuditTrail:
    """The record of one request, filled in as it runs; `finish` makes the `AuditRecord`."""

    __slots__ = (
        "_excluded",
        "_facts",
        "_legs",
        "_now",
        "data_class",
        "request_id",
        "route",
        "started",
        "tenant",
    )

    def __init__(
        self,
        facts: Mapping[str, CandidateFacts],
        *,
        route: str,
        tenant: str | None = None,
        data_class: str | None = None,
        request_id: str | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """`facts` give each leg its provider, vendor and region (see `facts_from_config`)."""
        self._facts = facts
        self._now = wall_clock
        self.started: float = wall_clock()
        self.route = route
        self.tenant = tenant
        self.data_class = data_class
        self.request_id = request_id or os.urandom(12).hex()
        self._excluded: list[AuditExclusion] = []
        self._legs: list[AuditLeg] = []

    def exclude(self, exclusion: Exclusion) -> None:
        """A candidate the policy stage excluded."""
        self._excluded.append(
            AuditExclusion(
                exclusion.model,
                exclusion.provider,
                exclusion.reason,
                exclusion.rule,
                exclusion.detail,
            )
        )

    def leg(
        self,
        kind: LegKind,
        model: str,
        outcome: str,
        *,
        status_code: int | None = None,
        latency_s: float | None = None,
    ) -> None:
        """A call sent to `model`, and how it ended (`ok` or the fault kind)."""
        facts = self._facts.get(model)
        if facts is None:
            self._legs.append(AuditLeg(kind, model, "", "", None, outcome, status_code, latency_s))
            return
        self._legs.append(
            AuditLeg(
                kind,
                model,
                facts.provider,
                facts.vendor,
                facts.region,
                outcome,
                status_code,
                latency_s,
            )
        )

    def attempts(self, attempts: Iterable[Attempt], kinds: Iterable[LegKind] = ()) -> None:
        """Add a request's `route.attempts`: skips become exclusions, the rest legs. Each leg
        takes the next of `kinds`; past them it is `first`, then `retry` (same model as the
        leg before) or `fallback`."""
        given = iter(kinds)
        previous: str | None = None
        for attempt in attempts:
            if attempt.outcome == "skipped":
                self._excluded.append(
                    AuditExclusion(
                        attempt.model,
                        attempt.provider,
                        attempt.error or "skipped",
                        _rule_of(attempt),
                        attempt.detail,
                    )
                )
                continue
            inferred: LegKind = (
                "first"
                if previous is None
                else "retry"
                if previous == attempt.model
                else "fallback"
            )
            outcome = "ok" if attempt.outcome == "ok" else attempt.error or "error"
            self.leg(
                next(given, inferred),
                attempt.model,
                outcome,
                status_code=attempt.status_code,
                latency_s=attempt.latency_s,
            )
            previous = attempt.model

    def finish(
        self,
        *,
        served_model: str | None = None,
        cache_hit: bool = False,
        cost_usd: float = 0.0,
        error: BaseException | None = None,
    ) -> AuditRecord:
        """The record: served by `served_model`, or failed with `error`."""
        if error is not None:
            outcome: Literal["ok", "error"] = "error"
            error_name: str | None = type(error).__name__
            served_model = served_provider = None
        else:
            outcome, error_name = "ok", None
            facts = self._facts.get(served_model) if served_model is not None else None
            served_provider = facts.provider if facts is not None else None
        return AuditRecord(
            self.started,
            self.request_id,
            self.route,
            self.data_class,
            self.tenant,
            outcome,
            error_name,
            served_model,
            served_provider,
            cache_hit,
            cost_usd,
            tuple(self._excluded),
            tuple(self._legs),
        )
