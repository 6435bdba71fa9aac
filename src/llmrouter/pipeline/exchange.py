"""`Exchange` and `Leg`: what one request, and one upstream attempt of it, carry through the
stages. Stages read and fill these instead of passing values along (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.routing.estimate import RequestEstimate
from llmrouter.routing.table import Route
from llmrouter.telemetry.instrument import NOOP_REQUEST, AttemptScope, RequestScope
from llmrouter.types import Attempt

__all__ = ["Exchange", "Leg", "LegKind"]

LegKind = Literal["first", "fallback", "retry", "hedge", "shadow", "canary"]


@dataclass(slots=True, eq=False)
class Exchange:
    """One request on its way through the request stages."""

    request: CompletionRequest
    route: Route
    deadline: float
    """Clock time by which every attempt, wait and stream read must be done."""
    timeout_s: float
    estimate: RequestEstimate | None = None
    """Size and needs of the request (set by the eligibility stage)."""
    candidates: list[Deployment] = field(default_factory=list)
    """The models that may serve it, in the order they will be tried (eligibility, then
    planning)."""
    attempts: list[Attempt] = field(default_factory=list)
    """Skipped candidates and upstream attempts, in order (becomes `route.attempts`)."""
    telemetry: RequestScope = NOOP_REQUEST
    data_class: str | None = None
    """The request's data class (set by the data-class stage; None: no policy declared)."""
    kinds: Mapping[str, LegKind] | None = None
    """The kind of the first leg sent to these models instead of `first` (a canary's leg is
    `canary`, a shadow's `shadow`); None for most requests."""


@dataclass(slots=True, eq=False)
class Leg:
    """One upstream attempt of an exchange, on its way through the attempt stages."""

    exchange: Exchange
    deployment: Deployment
    kind: LegKind
    number: int
    """1-based among the attempts actually sent."""
    timeout_s: float
    started: float
    record: Attempt | None = None
    """The attempt's record, once it answered or failed (set by attempt accounting)."""
    telemetry: AttemptScope | None = None
