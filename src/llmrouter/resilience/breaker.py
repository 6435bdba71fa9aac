"""Circuit breakers: stop sending traffic to a model that is unwell, probe it, take it back.

A breaker opens after `failure_threshold` consecutive failures, or when the failure rate over
the last `window_s` seconds reaches `failure_rate` (with at least `min_requests` outcomes). Open,
the model is skipped; after `cooldown_s` it is half-open and lets `half_open_probes` requests
through; a probe that succeeds closes it, one that fails opens it again. Only faults that mean
"the provider is unwell" count (see `UNWELL_KINDS`); a 400 or a content filter does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from llmrouter.resilience.window import SlidingCounts

__all__ = ["UNWELL_KINDS", "BreakerSettings", "BreakerState", "CircuitBreaker"]

UNWELL_KINDS = frozenset(
    {"rate_limit", "overloaded", "unavailable", "timeout", "malformed_response"}
)

BreakerState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class BreakerSettings:
    failure_threshold: int = 5
    failure_rate: float = 0.5
    window_s: float = 30.0
    min_requests: int = 20
    cooldown_s: float = 30.0
    half_open_probes: int = 1


class CircuitBreaker:
    """The breaker of one model. Not shared between event loops; cheap enough for every call."""

    def __init__(self, settings: BreakerSettings, clock: Callable[[], float]) -> None:
        self._s = settings
        self._clock = clock
        self._state: BreakerState = "closed"
        self._consecutive = 0
        self._outcomes = SlidingCounts(settings.window_s, clock)  # (attempts, failures)
        self._opened_at = 0.0
        self._probes = 0

    @property
    def state(self) -> BreakerState:
        if self._state == "open" and self._clock() >= self._opened_at + self._s.cooldown_s:
            self._state = "half_open"
            self._probes = 0
        return self._state

    @property
    def retry_in_s(self) -> float:
        """Seconds until an open breaker lets a probe through (0 when not open)."""
        if self.state != "open":
            return 0.0
        return max(0.0, self._opened_at + self._s.cooldown_s - self._clock())

    def error_rate(self) -> float:
        total, failures = self._outcomes.totals()
        return failures / total if total else 0.0

    def allow(self) -> bool:
        """May a request go to this model now? A half-open breaker hands out probe slots."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and self._probes < self._s.half_open_probes:
            self._probes += 1
            return True
        return False

    def open_for(self, seconds: float) -> None:
        """Open now for `seconds` (another instance saw the model fail)."""
        if seconds <= 0 or self.state == "open":
            return
        self._state = "open"
        self._opened_at = self._clock() - self._s.cooldown_s + seconds
        self._probes = 0

    def release(self) -> None:
        """An allowed request ended without a verdict (cancelled, or a fault that does not
        count): give its probe slot back."""
        if self._state == "half_open" and self._probes > 0:
            self._probes -= 1

    def record(self, kind: str | None) -> None:
        """Record an outcome: `None` for success, else the fault kind."""
        if kind is not None and kind not in UNWELL_KINDS:
            self.release()  # the provider answered; its health says nothing new
            return
        now = self._clock()
        ok = kind is None
        self._outcomes.add(1, 0 if ok else 1)
        if ok:
            self._consecutive = 0
            if self._state == "half_open":
                self._close()
            return
        self._consecutive += 1
        if self._state == "half_open" or self._tripped():
            self._open(now)

    def _tripped(self) -> bool:
        if self._consecutive >= self._s.failure_threshold:
            return True
        if self._outcomes.totals()[0] < self._s.min_requests:
            return False
        return self.error_rate() >= self._s.failure_rate

    def _open(self, now: float) -> None:
        self._state = "open"
        self._opened_at = now
        self._probes = 0

    def _close(self) -> None:
        self._state = "closed"
        self._consecutive = 0
        self._outcomes.clear()
        self._probes = 0
