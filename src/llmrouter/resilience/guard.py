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

__all__ = ["Admission", "CircuitStats", "Guard"]

_SEVERITY = {"closed": 0, "half_open": 1, "open": 2}


@dataclass(frozen=True)
class CircuitStats:
    """A model's breaker and bulkhead, as `router.health()` reports them: the worst of its
    breakers (a route with its own `circuit_breaker:` has its own breaker per model)."""

    state: BreakerState
    error_rate: float
    in_flight: int
    retry_in_s: float


@dataclass
class Admission:
    """A granted attempt; hand it back to `Guard.release`."""

    model: str
    breaker: CircuitBreaker | None


class Guard:
    """Breakers (one per model and breaker settings), bulkheads and retry budgets."""

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
        self._by_model: dict[str, list[CircuitBreaker]] = {}
        self._shared = shared

    def breaker_for(self, model: str, settings: BreakerSettings | None) -> CircuitBreaker | None:
        if settings is None:
            return None
        key = (model, settings)
        found = self._breakers.get(key)
        if found is None:
            found = self._breakers[key] = CircuitBreaker(settings, self._clock)
            self._by_model.setdefault(model, []).append(found)
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

    def refusal_detail(self, model: str, reason: str) -> str:
        """Why `admit` refused `model`, for the skipped attempt's `detail`."""
        stats = self.circuit(model)
        if reason == "circuit_open":
            return f"circuit open, probe in {stats.retry_in_s:.1f}s"
        return f"{stats.in_flight} requests in flight"

    def release(self, admission: Admission, kind: str | None) -> None:
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

    def circuit_states(self, models: Iterable[str]) -> dict[str, str]:
        """Each model's breaker state: the worst of its breakers (`closed` without one)."""
        return {model: self.circuit(model).state for model in models}

    def circuit(self, model: str) -> CircuitStats:
        """The model's worst breaker (open over half-open over closed) and its bulkhead."""
        breakers = self._by_model.get(model)
        if not breakers:
            default = self.breaker_for(model, self._default_breaker)
            breakers = [default] if default is not None else []
        in_flight = self._in_flight.get(model, 0)
        if not breakers:
            return CircuitStats("closed", 0.0, in_flight, 0.0)
        worst = max(breakers, key=lambda b: (_SEVERITY[b.state], b.error_rate()))
        return CircuitStats(worst.state, worst.error_rate(), in_flight, worst.retry_in_s)
