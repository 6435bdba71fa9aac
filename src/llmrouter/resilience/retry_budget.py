"""A retry budget (like Envoy's retry budgets and gRPC retry throttling): retries stay a
bounded fraction of requests, so a failing provider never receives a retry storm.

Per model, over a sliding `window_s`: a retry is allowed while retries < max(min_retries,
ratio x requests). When the budget is spent the router falls back instead of retrying.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from llmrouter.resilience.window import SlidingCounts

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
        self._counts = SlidingCounts(settings.window_s, clock)  # (requests, retries)

    def record_request(self) -> None:
        self._counts.add(first=1)

    def try_retry(self) -> bool:
        """Spend one retry if the budget allows it."""
        requests, retries = self._counts.totals()
        if retries >= max(self._s.min_retries, self._s.ratio * requests):
            return False
        self._counts.add(second=1)
        return True
