"""Circuit breaker and retry budget in isolation, on a fake clock (no waiting)."""

from __future__ import annotations

from llmrouter.resilience.breaker import BreakerSettings, CircuitBreaker
from llmrouter.resilience.retry_budget import RetryBudget, RetryBudgetSettings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, **settings: float) -> CircuitBreaker:
    return CircuitBreaker(BreakerSettings(**settings), clock)  # type: ignore[arg-type]


def test_opens_after_consecutive_failures_and_recovers_through_a_probe() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=3, cooldown_s=10, half_open_probes=1)
    for _ in range(2):
        assert b.allow()
        b.record("overloaded")
    assert b.state == "closed"
    b.record("timeout")
    assert b.state == "open"
    assert not b.allow()
    assert b.retry_in_s == 10
    clock.now = 10
    assert b.state == "half_open"
    assert b.allow()  # the one probe
    assert not b.allow()  # no second probe while the first is out
    b.record(None)
    assert b.state == "closed"
    assert b.allow()


def test_failed_probe_opens_again() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=1, cooldown_s=5)
    b.record("unavailable")
    clock.now = 5
    assert b.allow()
    b.record("unavailable")
    assert b.state == "open"
    clock.now = 9
    assert not b.allow()


def test_bad_requests_and_content_filters_do_not_count() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=2)
    for kind in ("bad_request", "content_filter", "context_window", "auth") * 5:
        b.record(kind)
    assert b.state == "closed"


def test_failure_rate_over_window_opens() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=100, failure_rate=0.5, min_requests=10, window_s=30)
    for i in range(10):
        clock.now = i
        b.record("overloaded" if i % 2 else None)
    assert b.state == "open"


def test_failure_rate_forgets_old_outcomes() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=100, failure_rate=0.5, min_requests=4, window_s=10)
    for _ in range(3):
        b.record("overloaded")
    clock.now = 20
    b.record(None)
    assert b.error_rate() == 0.0
    assert b.state == "closed"


def test_released_probe_slot_can_be_reused() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=1, cooldown_s=1)
    b.record("timeout")
    clock.now = 1
    assert b.allow()
    b.release()
    assert b.allow()


def test_retry_budget_bounds_retries_to_a_fraction() -> None:
    clock = Clock()
    budget = RetryBudget(RetryBudgetSettings(ratio=0.2, min_retries=3, window_s=10), clock)
    for _ in range(100):
        budget.record_request()
    granted = sum(budget.try_retry() for _ in range(100))
    assert granted == 20
    clock.now = 11  # the window moved on: requests and retries forgotten
    assert sum(budget.try_retry() for _ in range(10)) == 3  # the floor


def test_retry_budget_floor_for_quiet_models() -> None:
    budget = RetryBudget(RetryBudgetSettings(ratio=0.1, min_retries=2), Clock())
    budget.record_request()
    assert budget.try_retry() and budget.try_retry()
    assert not budget.try_retry()


def test_window_memory_is_bounded_by_buckets_not_requests() -> None:
    from llmrouter.resilience.window import SlidingCounts

    clock = Clock()
    counts = SlidingCounts(window_s=10, clock=clock, buckets=20)
    for i in range(100_000):
        clock.now = i * 0.001  # 1,000 events a second for 100 s
        counts.add(1, i % 2)
    assert len(counts._slots) <= 21
    total, failures = counts.totals()
    assert 9_500 <= total <= 10_000  # the last ten seconds' events
    assert abs(failures - total / 2) <= 1
