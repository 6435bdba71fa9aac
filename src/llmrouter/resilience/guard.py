"""Per-model admission: circuit breakers, concurrency limits (bulkheads) and retry budgets.

The executor asks `admit()` before every upstream attempt and reports the outcome with
`release()`; a refused admission becomes a skipped candidate (no call), so when every model is
down requests fail fast instead of waiting on timeouts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from llmrouter.resilience.breaker import BreakerSettings, BreakerState, CircuitBreaker
from llmrouter.resilience.retry_budget import RetryBudget, RetryBudgetSettings
from llmrouter.resilience.shared import SharedBreakers

__all__ = ["Admission", "Guard", "ModelStats"]


@dataclass(frozen=True)
class ModelStats:
    """What `router.health()` reports per model."""

    state: BreakerState
    error_rate: float
    latency_s: float | None
    """Exponentially weighted mean latency of answered attempts (time to first chunk for
    streams)."""
    in_flight: int
    retry_in_s: float


@dataclass
class Admission:
    """A granted attempt; hand it back to `Guard.release`."""

    model: str
    breaker: CircuitBreaker | None


class Guard:
    """Breakers (one per model and breaker settings), bulkheads and retry budgets."""

    _EWMA_ALPHA = 0.2

    def __init__(
        self,
        *,
        breaker: BreakerSettings | None,
        retry_budget: RetryBudgetSettings | None,
        max_concurrency: Mapping[str, int],
        clock: Callable[[], float] = time.monotonic,
        shared: SharedBreakers | None = None,
    ) -> None:
        self._default_breaker = breaker
        self._budget_settings = retry_budget
        self._limits = dict(max_concurrency)
        self._clock = clock
        self._breakers: dict[tuple[str, BreakerSettings], CircuitBreaker] = {}
        self._budgets: dict[str, RetryBudget] = {}
        self._in_flight: dict[str, int] = {}
        self._latency: dict[str, float] = {}
        self._shared = shared

    def breaker_for(self, model: str, settings: BreakerSettings | None) -> CircuitBreaker | None:
        if settings is None:
            return None
        key = (model, settings)
        found = self._breakers.get(key)
        if found is None:
            found = self._breakers[key] = CircuitBreaker(settings, self._clock)
        return found

    async def admit(self, model: str, settings: BreakerSettings | None) -> Admission | str:
        """An `Admission`, or the reason the model is skipped."""
        limit = self._limits.get(model)
        if limit is not None and self._in_flight.get(model, 0) >= limit:
            return "concurrency_limit"
        breaker = self.breaker_for(model, settings)
        if breaker is not None and self._shared is not None:
            await self._shared.refresh(model, breaker)
        if breaker is not None and not breaker.allow():
            return "circuit_open"
        self._in_flight[model] = self._in_flight.get(model, 0) + 1
        return Admission(model, breaker)

    def release(self, admission: Admission, kind: str | None, latency_s: float | None) -> None:
        """`kind`: None for success, a fault kind, or "cancelled" (no verdict)."""
        self._in_flight[admission.model] -= 1
        breaker = admission.breaker
        if breaker is not None:
            if kind == "cancelled":
                breaker.release()
            else:
                was_open = breaker.state == "open"
                breaker.record(kind)
                if self._shared is not None and not was_open and breaker.state == "open":
                    self._shared.opened(admission.model, breaker.retry_in_s)
        if kind is None and latency_s is not None:
            previous = self._latency.get(admission.model)
            self._latency[admission.model] = (
                latency_s
                if previous is None
                else previous + self._EWMA_ALPHA * (latency_s - previous)
            )

    def first_attempt(self, model: str) -> None:
        """A request reaches this model (the denominator of its retry budget)."""
        if self._budget_settings is not None:
            self._budget(model).record_request()

    def try_retry(self, model: str) -> bool:
        if self._budget_settings is None:
            return True
        return self._budget(model).try_retry()

    def _budget(self, model: str) -> RetryBudget:
        found = self._budgets.get(model)
        if found is None:
            assert self._budget_settings is not None
            found = self._budgets[model] = RetryBudget(self._budget_settings, self._clock)
        return found

    async def aclose(self) -> None:
        if self._shared is not None:
            await self._shared.aclose()

    def circuit_states(self, models: Iterable[str]) -> dict[str, str]:
        """Each model's breaker state (`closed` when it has no breaker)."""
        states: dict[str, str] = {}
        for model in models:
            breaker = self.breaker_for(model, self._default_breaker)
            states[model] = breaker.state if breaker else "closed"
        return states

    def stats(self, model: str) -> ModelStats:
        breaker = self.breaker_for(model, self._default_breaker)
        return ModelStats(
            state=breaker.state if breaker else "closed",
            error_rate=breaker.error_rate() if breaker else 0.0,
            latency_s=self._latency.get(model),
            in_flight=self._in_flight.get(model, 0),
            retry_in_s=breaker.retry_in_s if breaker else 0.0,
        )
