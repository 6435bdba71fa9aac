"""Resilience under load, over loopback HTTP through litellm: circuit breakers, retry budget,
fail-fast when everything is down, hedging and concurrency limits."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from llmrouter import AllModelsFailedError, NoEligibleModelError, Router
from llmrouter.testing import Fault
from support import FAST_BACKOFF, Local, user


def router(local: Local, top: dict[str, Any] | None = None, **route: Any) -> Router:
    config = local.config(**route)
    config.update(top or {})
    return Router.from_dict(config, env=local.env, retry=FAST_BACKOFF)


async def gather_limited(count: int, concurrency: int, call: Any) -> list[Any]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Any:
        async with semaphore:
            return await call(i)

    return await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)


def upstream_attempts(local: Local) -> int:
    return local.glm.request_count + local.claude.request_count


async def test_flaky_primary_under_load(local: Local) -> None:
    """1,000 requests at concurrency 200, primary failing 30%: nobody sees an error, and the
    retry budget keeps upstream attempts <= 1.45 x requests."""
    local.glm.fail_rate(0.3, Fault.server_error(503), seed=11)
    # The deadline is not what this measures: through litellm (~5 ms of CPU a request) on a
    # busy 2-core machine, 200 in flight can take longer than the default 10 s to drain.
    async with router(local, timeout_s=60) as r:
        results = await gather_limited(
            1000, 200, lambda i: r.acompletion(model="chat", messages=user(f"q{i}"))
        )
    errors = [x for x in results if isinstance(x, BaseException)]
    assert errors == []
    assert upstream_attempts(local) <= 1.45 * 1000, upstream_attempts(local)


async def test_dead_primary_stops_getting_traffic_and_gets_it_back(local: Local) -> None:
    local.glm.fail_always(Fault.overloaded())
    # A generous cooldown: 30 requests through litellm on a loaded machine take a while.
    breaker = {"failure_threshold": 5, "cooldown_s": 3.0, "half_open_probes": 1}
    async with router(local, {"circuit_breaker": breaker}) as r:
        for i in range(30):
            resp = await r.acompletion(model="chat", messages=user(f"a{i}"))
            assert resp.route is not None and resp.route.model == "claude"
        assert local.glm.request_count == 5  # the threshold, then no more traffic
        health = r.health()["glm"]
        assert health.circuit == "open" and not health.healthy
        first = resp.route.attempts[0]
        assert (first.model, first.outcome, first.error) == ("glm", "skipped", "circuit_open")
        local.glm.clear_faults()
        await asyncio.sleep(3.1)
        resp = await r.acompletion(model="chat", messages=user("probe"))
        assert resp.route is not None and resp.route.model == "glm"
        assert r.health()["glm"].circuit == "closed"
        for i in range(5):
            resp = await r.acompletion(model="chat", messages=user(f"b{i}"))
            assert resp.route is not None and resp.route.model == "glm"


async def test_everything_down_fails_fast_and_typed(local: Local) -> None:
    local.glm.fail_always(Fault.server_error(503))
    local.claude.fail_always(Fault.overloaded())
    async with router(local, timeout_s=30) as r:
        started = time.monotonic()
        results = await gather_limited(
            1000, 200, lambda i: r.acompletion(model="chat", messages=user(f"q{i}"))
        )
        elapsed = time.monotonic() - started
    assert all(isinstance(x, (AllModelsFailedError, NoEligibleModelError)) for x in results)
    fast = [x for x in results if isinstance(x, NoEligibleModelError)]
    assert len(fast) > 500  # once the breakers opened, no call and no wait
    assert all("circuit_open" in str(x) for x in fast)
    assert upstream_attempts(local) < 2.4 * 1000, upstream_attempts(local)
    assert elapsed < 30


async def test_bad_requests_do_not_open_the_breaker(local: Local) -> None:
    local.glm.fail_always(Fault.bad_request())
    async with router(local) as r:
        for i in range(10):
            with pytest.raises(Exception, match="Invalid parameter"):
                await r.acompletion(model="chat", messages=user(f"q{i}"))
        assert r.health()["glm"].circuit == "closed"
    assert local.glm.request_count == 10


async def test_route_can_turn_the_breaker_off(local: Local) -> None:
    local.glm.fail_always(Fault.overloaded())
    async with router(local, circuit_breaker=False, retries=0) as r:
        for i in range(12):
            await r.acompletion(model="chat", messages=user(f"q{i}"))
    assert local.glm.request_count == 12


async def test_retry_budget_falls_back_instead_of_retrying(local: Local) -> None:
    local.glm.fail_always(Fault.server_error(500))
    top = {
        "retry_budget": {"ratio": 0.0, "min_retries": 2, "window_s": 60},
        "circuit_breaker": {"enabled": False},
    }
    async with router(local, top, retries=3) as r:
        for i in range(10):
            resp = await r.acompletion(model="chat", messages=user(f"q{i}"))
            assert resp.route is not None and resp.route.model == "claude"
    assert local.glm.request_count == 10 + 2  # one try each, plus the two budgeted retries


def p99(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.99) - 1]


async def test_hedging_cuts_p99_when_the_first_model_is_slow(local: Local) -> None:
    async def timed(r: Router, n: int) -> list[float]:
        out = []
        for i in range(n):
            started = time.monotonic()
            await r.acompletion(model="chat", messages=user(f"h{i}"))
            out.append(time.monotonic() - started)
        return out

    # a quarter of GLM's answers never come; attempts time out after 1 s
    settings = {"retries": 0, "attempt_timeout_s": 1.0}
    async with (
        router(local, **settings) as plain,
        router(local, **settings, hedge_after_ms=100) as hedged,
    ):
        local.glm.fail_rate(0.25, Fault.hang(), seed=3)
        baseline = await timed(plain, 20)
        local.glm.fail_rate(0.25, Fault.hang(), seed=3)
        with_hedge = await timed(hedged, 20)
    assert p99(baseline) >= 1.0  # a hung GLM costs the full attempt timeout
    assert p99(with_hedge) < 0.5  # Claude started after 100 ms and answered first


async def test_concurrency_limit_sends_overflow_to_the_next_model(local: Local) -> None:
    local.glm.set_latency(0.3)
    config = local.config()
    config["models"]["glm"]["max_concurrency"] = 2
    async with Router.from_dict(config, env=local.env) as r:
        results = await asyncio.gather(
            *(r.acompletion(model="chat", messages=user(f"c{i}")) for i in range(8))
        )
    models = [x.route.model for x in results if x.route]
    assert models.count("glm") == 2
    assert models.count("claude") == 6
    skipped = [a for x in results if x.route for a in x.route.attempts if a.outcome == "skipped"]
    assert {a.error for a in skipped} == {"concurrency_limit"}


async def test_instances_share_breaker_state_through_redis(local: Local) -> None:
    from redis_support import running_redis

    local.glm.fail_always(Fault.overloaded())
    with running_redis() as redis:
        top = {
            "state": {"backend": "redis", "url": redis.url},
            "circuit_breaker": {"failure_threshold": 3, "cooldown_s": 30},
        }
        async with router(local, top, retries=0) as a, router(local, top, retries=0) as b:
            for i in range(3):
                await a.acompletion(model="chat", messages=user(f"a{i}"))
            assert a.health()["glm"].circuit == "open"
            await asyncio.sleep(0.1)  # the open state is written in the background
            seen_by_glm = local.glm.request_count
            resp = await b.acompletion(model="chat", messages=user("b"))
            assert resp.route is not None and resp.route.model == "claude"
            assert resp.route.attempts[0].error == "circuit_open"
            assert local.glm.request_count == seen_by_glm  # B never called the dead model
            assert b.health()["glm"].circuit == "open"
