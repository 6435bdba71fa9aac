"""The canary guardrails on their figures: nothing is judged on too few samples, relative
guardrails need the control group's samples too, latency needs answers on both sides."""

from __future__ import annotations

import pytest

from llmrouter.config.qualify import CanaryConfig
from llmrouter.qualify.window import Side, breach, bucket_of, bucket_upper_s

LIMITS = CanaryConfig(model="glm", percent=5, min_samples=100, max_p95_latency_ratio=2.0)


def side(n: int, errors: int = 0, refusals: int = 0, latency_s: float = 0.1) -> Side:
    out = Side()
    for index in range(n):
        status = "error" if index < errors else "refused" if index < errors + refusals else "ok"
        out.add(status, latency_s)
    return out


def test_no_verdict_before_min_samples_whatever_the_figures() -> None:
    assert breach(side(99, errors=99), side(1000), LIMITS) is None
    assert breach(side(100, errors=3), side(1000), LIMITS) == (
        "error rate 3.0% beyond max 2.0% (3 of 100 canary requests)"
    )
    assert breach(side(100, errors=2), side(1000), LIMITS) is None


def test_relative_guardrails_wait_for_the_control_group() -> None:
    refusing, slow = side(200, refusals=40), side(200, latency_s=1.0)
    assert breach(refusing, side(99), LIMITS) is None
    assert breach(slow, side(99, latency_s=0.1), LIMITS) is None
    assert breach(refusing, side(100), LIMITS) == (
        "refusal rate change +20.0 pts beyond max +2.0 pts against the control group"
    )
    reason = breach(slow, side(100, latency_s=0.1), LIMITS)
    assert reason is not None and reason.startswith("p95 latency ratio 9.51x beyond max 2.00x")


def test_no_latency_verdict_without_answers() -> None:
    assert breach(side(100, errors=1), side(100, errors=100), LIMITS) is None


def test_sides_published_by_routers_add_up() -> None:
    total = Side()
    for part in (side(10, errors=1, latency_s=0.2), side(30, refusals=3, latency_s=0.05)):
        total.absorb(Side.from_json(part.to_json()))
    assert (total.n, total.errors, total.refusals) == (40, 1, 3)
    assert total.status().latency_p95_s == bucket_upper_s(bucket_of(0.2))
    with pytest.raises(ValueError):
        Side.from_json({"n": -1, "errors": 0, "refusals": 0, "hist": {}})


@pytest.mark.parametrize("latency", [0.0005, 0.001, 0.01, 0.3, 7.0, 3600.0])
def test_a_latency_is_reported_at_most_19_percent_high(latency: float) -> None:
    upper = bucket_upper_s(bucket_of(latency))
    assert max(latency, 0.001) <= upper <= max(latency, 0.001) * 2**0.25 * 1.000001
