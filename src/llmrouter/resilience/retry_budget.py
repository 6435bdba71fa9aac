"""A retry budget (like Envoy's retry budgets and gRPC retry throttling): retries stay a
bounded fraction of requests, so a failing provider never receives a retry storm.

Per model, over a sliding `window_s`: a retry is allowed while retries < max(min_retries,
ratio x requests). When the budget is spent the router falls back instead of retrying.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RetryBudget", "RetryBudgetSettings"]


@dataclass(frozen=True)
class RetryBudgetSettings:
    ratio: float = 0.2
    """Retries allowed per request, on average over the window."""
    min_retries: int = 10
    """Retries always allowed within a window, so a quiet model can still retry."""
    window_s: float = 10.0


class RetryBudget:
    def __init__(self, settings: RetryBudgetSettings, clock: Callable[[], float]) -> None:
        self._s = settings
        self._clock = clock
        self._requests: deque[float] = deque()
        self._retries: deque[float] = deque()

    def record_request(self) -> None:
        self._requests.append(self._clock())

    def try_retry(self) -> bool:
        """Spend one retry if the budget allows it."""
        now = self._clock()
        self._prune(now)
        allowed = max(self._s.min_retries, self._s.ratio * len(self._requests))
        if len(self._retries) >= allowed:
            return False
        self._retries.append(now)
        return True

    def _prune(self, now: float) -> None:
        horizon = now - self._s.window_s
        for series in (self._requests, self._retries):
            while series and series[0] < horizon:
                series.popleft()
