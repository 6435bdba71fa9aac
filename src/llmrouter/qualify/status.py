"""The live state of each route's shadow and canary, as `router.experiments()` returns it (and
the gateway's `/metrics` exposes it). Counts are this process's since it started; a canary's
samples are pooled over every router sharing the `state:` store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CanarySide",
    "CanaryState",
    "CanaryStatus",
    "RouteExperiments",
    "ShadowCandidateStatus",
    "ShadowStatus",
]

CanaryState = Literal["active", "rolled_back"]


@dataclass(frozen=True)
class ShadowCandidateStatus:
    """One shadow candidate of a route."""

    model: str
    sent: int = 0
    """Shadows sent to it."""
    errors: int = 0
    """Sent shadows that got no answer (a fault, a timeout)."""
    refusals: int = 0
    """Answers that refused (a content filter counts as a refusal)."""
    compared: int = 0
    """Pairs (primary answer, its answer) scored and written to the results store."""
    agreed: int = 0
    """Of those, the pairs where it did at least as well as the primary (every comparator
    passed, or the primary did not answer)."""
    cost_usd: float = 0.0
    """What its shadows cost (charged to `shadow:<route>` budgets only)."""

    @property
    def agreement(self) -> float | None:
        """`agreed / compared`, or None before any pair."""
        return self.agreed / self.compared if self.compared else None


@dataclass(frozen=True)
class ShadowStatus:
    """A route's shadow: what was sampled, and what became of each shadow."""

    run_id: str
    """The experiment's id in the results store (what `llmrouter report --run` takes)."""
    sample: float
    max_concurrency: int
    sampled: int = 0
    """Requests picked by `sample` (one shadow per candidate each)."""
    sent: int = 0
    dropped: int = 0
    """Shadows not started because `max_concurrency` were in flight (or the router closed)."""
    refused_by_policy: int = 0
    """Shadows the data policy or a block forbade: never sent."""
    over_budget: int = 0
    """Shadows not sent because a `shadow:<route>` budget was spent."""
    skipped: int = 0
    """Shadows not sent or not compared for another reason: the candidate's own (shadow)
    circuit breaker was open, or the primary's answer was abandoned by its reader."""
    errors: int = 0
    compared: int = 0
    in_flight: int = 0
    candidates: dict[str, ShadowCandidateStatus] = field(default_factory=dict)


@dataclass(frozen=True)
class CanarySide:
    """One side of a canary, pooled over every router sharing the state: the canary's own
    legs, or the control group's (an equal slice served by the route as usual)."""

    samples: int = 0
    errors: int = 0
    refusals: int = 0
    latency_p95_s: float | None = None
    """From a log-spaced histogram (buckets 19% apart); None without an answer."""

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.samples if self.samples else None

    @property
    def refusal_rate(self) -> float | None:
        return self.refusals / self.samples if self.samples else None


@dataclass(frozen=True)
class CanaryStatus:
    """A route's canary: active or rolled back (and why), and its figures so far."""

    run_id: str
    model: str
    percent: float
    sticky_by: str
    min_samples: int
    state: CanaryState = "active"
    reason: str | None = None
    """Why it was rolled back: the guardrail breached, its value and its limit."""
    rolled_back_at: float | None = None
    """Unix time of the rollback."""
    canary: CanarySide = field(default_factory=CanarySide)
    control: CanarySide = field(default_factory=CanarySide)
    assigned: int = 0
    """Requests this process sent to the canary first."""
    unkeyed: int = 0
    """Requests without the `sticky_by` key: served by the primary, not measured."""
    ineligible: int = 0
    """Requests assigned to the canary that it cannot serve (context window, tools, vision,
    its vendor's limits, its spent `model:` budget): served by the primary, not measured."""


@dataclass(frozen=True)
class RouteExperiments:
    """What runs on one route: its shadow, its canary (None when not configured)."""

    shadow: ShadowStatus | None = None
    canary: CanaryStatus | None = None
