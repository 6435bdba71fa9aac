"""Two counters over a sliding time window, kept in fixed buckets.

Memory is bounded by the number of buckets, not by the request rate: a breaker or a retry
budget seeing thousands of requests a second holds at most `buckets` entries.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

__all__ = ["SlidingCounts"]


class SlidingCounts:
    """Counts `(first, second)` events over the last `window_s` seconds, to 1/`buckets` of the
    window (an event leaves the window within one bucket width of `window_s`)."""

    def __init__(self, window_s: float, clock: Callable[[], float], buckets: int = 20) -> None:
        self._width = window_s / buckets
        self._buckets = buckets
        self._clock = clock
        self._slots: deque[list[int]] = deque()  # [bucket id, first, second]
        self._first = 0
        self._second = 0

    def add(self, first: int = 0, second: int = 0) -> None:
        bucket = self._prune()
        if self._slots and self._slots[-1][0] == bucket:
            self._slots[-1][1] += first
            self._slots[-1][2] += second
        else:
            self._slots.append([bucket, first, second])
        self._first += first
        self._second += second

    def totals(self) -> tuple[int, int]:
        self._prune()
        return self._first, self._second

    def clear(self) -> None:
        self._slots.clear()
        self._first = self._second = 0

    def _prune(self) -> int:
        bucket = int(self._clock() // self._width)
        oldest = bucket - self._buckets
        while self._slots and self._slots[0][0] <= oldest:
            _, first, second = self._slots.popleft()
            self._first -= first
            self._second -= second
        return bucket
