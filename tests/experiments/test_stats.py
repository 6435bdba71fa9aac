"""Wilson intervals on known counts, and percentiles."""

from __future__ import annotations

import math

import pytest

from llmrouter.experiments.stats import mean, percentile, wilson_interval

# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I,
# method 3 (Wilson score interval without continuity correction).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "lo", "hi"), NEWCOMBE)
def test_wilson_matches_newcombes_table(k: int, n: int, lo: float, hi: float) -> None:
    got = wilson_interval(k, n)
    assert got == pytest.approx((lo, hi), abs=5e-5)


def _score_test_bound(k: int, n: int, upper: bool, z: float = 1.959963984540054) -> float:
    """The bound found by inverting the score test numerically (bisection): an independent
    route to the same interval."""
    p_hat = k / n

    def outside(p: float) -> bool:
        return abs(p_hat - p) > z * math.sqrt(p * (1 - p) / n)

    lo, hi = (p_hat, 1.0) if upper else (0.0, p_hat)
    for _ in range(200):
        mid = (lo + hi) / 2
        if outside(mid) == upper:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


@pytest.mark.parametrize(("k", "n"), [(8, 10), (50, 200), (199, 200), (3, 7)])
def test_wilson_is_the_inverted_score_test(k: int, n: int) -> None:
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(_score_test_bound(k, n, upper=False), abs=1e-9)
    assert hi == pytest.approx(_score_test_bound(k, n, upper=True), abs=1e-9)


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 10)[0] == 0.0
    with pytest.raises(ValueError, match="0 <= successes <= trials"):
        wilson_interval(11, 10)


def test_percentile_interpolates_like_numpy() -> None:
    values = [0.5, 0.1, 0.4, 0.2, 0.3]  # unsorted on purpose
    assert percentile(values, 50) == pytest.approx(0.3)
    assert percentile(values, 95) == pytest.approx(0.48)  # numpy.percentile(..., 95)
    assert percentile(values, 0) == 0.1 and percentile(values, 100) == 0.5
    assert percentile([2.0], 95) == 2.0
    assert percentile([], 50) is None
    assert mean([]) is None and mean([1.0, 2.0]) == 1.5
