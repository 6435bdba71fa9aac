"""Typed events and the async callback interface, for users who do not use OpenTelemetry.

```python
class Audit(RouterCallbacks):
    async def on_fallback(self, event: FallbackEvent) -> None:
        print(f"{event.from_model} -> {event.to_model}: {event.error_kind}")

router = Router.from_yaml("llmrouter.yaml", callbacks=[Audit()])
```

Callbacks are awaited in the request path: keep them fast. One that raises is logged and
ignored; it never breaks a request. Events carry no prompt or completion text and no secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmrouter.types import Attempt, RouteInfo

if TYPE_CHECKING:
    from llmrouter.datapolicy.audit import AuditRecord

__all__ = [
    "AttemptEvent",
    "CanaryRollbackEvent",
    "FailureEvent",
    "FallbackEvent",
    "RouterCallbacks",
    "SuccessEvent",
]


@dataclass(frozen=True)
class AttemptEvent:
    """One upstream attempt ended (for a stream: its first chunk arrived, or it failed)."""

    route: str
    number: int
    """1-based position of the attempt within the request."""
    attempt: Attempt


@dataclass(frozen=True)
class FallbackEvent:
    """The request moves on from `from_model` to `to_model` after `error_kind`."""

    route: str
    from_model: str
    to_model: str
    error_kind: str


@dataclass(frozen=True)
class SuccessEvent:
    """A request was answered (for a stream: it was read to the end)."""

    route: RouteInfo


@dataclass(frozen=True)
class FailureEvent:
    """A request failed; `error_type` is the llmrouter error class name."""

    route: str
    error_type: str
    message: str
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class CanaryRollbackEvent:
    """A route's canary was rolled back: its traffic returns to the route's own models."""

    route: str
    model: str
    """The canary model."""
    reason: str
    """The guardrail breached, with its value and its limit."""
    at: float
    """Unix time of the rollback."""
    samples: int
    """Canary samples (all routers pooled) when it was judged here."""
    origin: str
    """`here`: this router judged it; `shared`: another router did (read from `state:`)."""


class RouterCallbacks:
    """Subclass and override what you need; every method is a no-op here."""

    async def on_attempt(self, event: AttemptEvent) -> None:
        """After each upstream attempt."""

    async def on_fallback(self, event: FallbackEvent) -> None:
        """When the request moves to the next model."""

    async def on_success(self, event: SuccessEvent) -> None:
        """When a request succeeds (including cache hits)."""

    async def on_failure(self, event: FailureEvent) -> None:
        """When a request fails with an llmrouter error."""

    async def on_canary_rollback(self, event: CanaryRollbackEvent) -> None:
        """When a route's canary is rolled back (here, or by a router sharing the state)."""

    async def on_audit(self, record: AuditRecord) -> None:
        """With the audit record of every request, refused ones included: where its data
        went and why not elsewhere (see docs/data-policy.md)."""
