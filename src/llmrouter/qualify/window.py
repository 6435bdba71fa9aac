"""A canary's figures on one side (the canary's own legs, or the control group's): counts and a
log-spaced latency histogram, which add up across routers (each publishes its own, the
`CanaryBoard` sums them), and the guardrails judged on them.

Missing data never decides: no guardrail is judged before the canary has `min_samples`, the
relative ones (refusals, latency) not before the control group has them too, and latency not
without answers on both sides.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from llmrouter.config.qualify import CanaryConfig
from llmrouter.experiments.records import Status
from llmrouter.qualify.status import CanarySide

__all__ = ["BUCKETS", "Side", "breach", "bucket_of", "bucket_upper_s", "pooled"]

BUCKETS = 120
_BASE_S = 0.001
_STEP = 2**0.25
"""Buckets 19% apart, from 1 ms to about 15 hours."""
_LOG_STEP = math.log(_STEP)


def bucket_of(latency_s: float) -> int:
    if latency_s <= _BASE_S:
        return 0
    return min(int(math.log(latency_s / _BASE_S) / _LOG_STEP), BUCKETS - 1)


def bucket_upper_s(index: int) -> float:
    """The upper edge of a bucket: the figure reported for latencies in it."""
    return _BASE_S * _STEP ** (index + 1)


class Side:
    """Samples of one side: every one counts; answers (refusals too) give a latency."""

    __slots__ = ("errors", "hist", "n", "refusals")

    def __init__(self) -> None:
        self.n = 0
        self.errors = 0
        self.refusals = 0
        self.hist: dict[int, int] = {}

    def add(self, status: Status, latency_s: float) -> None:
        self.n += 1
        if status == "error":
            self.errors += 1
            return
        if status == "refused":
            self.refusals += 1
        bucket = bucket_of(latency_s)
        self.hist[bucket] = self.hist.get(bucket, 0) + 1

    def absorb(self, other: Side) -> None:
        self.n += other.n
        self.errors += other.errors
        self.refusals += other.refusals
        for bucket, count in other.hist.items():
            self.hist[bucket] = self.hist.get(bucket, 0) + count

    def p95_s(self) -> float | None:
        total = sum(self.hist.values())
        if not total:
            return None
        rank = math.ceil(0.95 * total)
        seen = 0
        for bucket in sorted(self.hist):
            seen += self.hist[bucket]
            if seen >= rank:
                return bucket_upper_s(bucket)
        return None  # pragma: no cover - the loop reaches rank

    def rate(self, count: int) -> float:
        return count / self.n if self.n else 0.0

    def status(self) -> CanarySide:
        return CanarySide(self.n, self.errors, self.refusals, self.p95_s())

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "errors": self.errors, "refusals": self.refusals, "hist": self.hist}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Side:
        """A side published by a router; ValueError/TypeError/KeyError when unreadable."""
        side = cls()
        side.n, side.errors, side.refusals = (
            int(data["n"]),
            int(data["errors"]),
            int(data["refusals"]),
        )
        side.hist = {int(k): int(v) for k, v in dict(data["hist"]).items()}
        if min(side.n, side.errors, side.refusals, *side.hist.values(), 0) < 0:
            raise ValueError("negative count")
        return side


def pooled(published: Iterable[bytes], epoch: str) -> dict[str, Side]:
    """The `canary` and `control` sides summed over routers' published samples (JSON), those
    of `epoch` only: samples from before a reset, a router of another version and damage are
    left out."""
    out = {"canary": Side(), "control": Side()}
    for raw in published:
        try:
            data = json.loads(raw)
            if data.get("epoch", "") != epoch:
                continue
            sides = {name: Side.from_json(data[name]) for name in out}
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        for name, side in sides.items():
            out[name].absorb(side)
    return out


def breach(canary: Side, control: Side, limits: CanaryConfig) -> str | None:
    """The guardrail the canary breaches, said with its value and limit; None when none does
    (or there are not enough samples to say)."""
    if canary.n < limits.min_samples:
        return None
    error_rate = canary.rate(canary.errors)
    if error_rate > limits.max_error_rate:
        return (
            f"error rate {error_rate:.1%} beyond max {limits.max_error_rate:.1%} "
            f"({canary.errors} of {canary.n} canary requests)"
        )
    if control.n < limits.min_samples:
        return None
    delta = canary.rate(canary.refusals) - control.rate(control.refusals)
    if delta > limits.max_refusal_rate_delta + 1e-12:
        return (
            f"refusal rate change {delta * 100:+.1f} pts beyond max "
            f"{limits.max_refusal_rate_delta * 100:+.1f} pts against the control group"
        )
    p95_canary, p95_control = canary.p95_s(), control.p95_s()
    if p95_canary is None or p95_control is None:
        return None
    ratio = p95_canary / p95_control
    if ratio > limits.max_p95_latency_ratio + 1e-9:
        return (
            f"p95 latency ratio {ratio:.2f}x beyond max {limits.max_p95_latency_ratio:.2f}x "
            f"({p95_canary:.3g}s against {p95_control:.3g}s for the control group)"
        )
    return None
