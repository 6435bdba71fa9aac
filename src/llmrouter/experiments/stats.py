"""The few statistics the reports need: Wilson score intervals and percentiles."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

__all__ = ["Z95", "mean", "percentile", "wilson_interval"]

Z95 = 1.959963984540054
"""The standard normal quantile of 0.975: a two-sided 95% interval."""


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (Wilson 1927; Newcombe 1998, method 3).

    Unlike the normal approximation it stays inside [0, 1] and is sensible at 0 or n
    successes and on small samples. No trials: (0.0, 1.0), nothing is known.
    """
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == trials else min(1.0, centre + half)
    return (lo, hi)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The `q`th percentile (0-100) by linear interpolation between closest ranks (numpy's
    default, Excel's PERCENTILE.INC); None for no values."""
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1 or q == 0:
        return ordered[0]
    if q == 100:
        return ordered[-1]
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    fraction = position - low
    return ordered[low] + (ordered[min(low + 1, len(ordered) - 1)] - ordered[low]) * fraction


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, None for no values."""
    return statistics.fmean(values) if values else None
