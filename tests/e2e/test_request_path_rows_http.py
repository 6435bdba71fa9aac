"""The request path's own rows of the hostile-input review (issue 12): no lost answer or hang
from a cache TTL, no single-flight slot kept by an abandoned stream, no follower waiting past
its deadline, no stream charged $0, no span left open, over loopback HTTP."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from typing import Any

import pytest
from otel_support import Otel

from llmrouter import AllModelsFailedError, RequestValidationError, Router
from llmrouter.testing import Fault
from redis_support import running_redis
from support import FAST_BACKOFF, Local, user

SSE = {"content-type": "text/event-stream"}


def build(local: Local, otel: Otel | None = None, **top: Any) -> Router:
    config = local.config()
    config.update(top)
    extra: dict[str, Any] = {}
    if otel is not None:
        extra = {"tracer_provider": otel.tracer_provider, "meter_provider": otel.meter_provider}
    return Router.from_dict(config, env=local.env, retry=FAST_BACKOFF, **extra)


@pytest.mark.parametrize("ttl", [float("nan"), float("inf"), -1.0])
async def test_a_bad_per_call_ttl_is_refused_before_any_call(local: Local, ttl: float) -> None:
    router = build(local, cache={"backend": "memory"})
    with pytest.raises(RequestValidationError, match=r"cache\.ttl"):
        await router.acompletion(model="chat", messages=user(), cache={"ttl": ttl})
    assert local.server.total_requests == 0


@pytest.mark.parametrize("local", ["native"], indirect=True)
async def test_a_huge_ttl_is_capped_and_redis_keeps_working(local: Local) -> None:
    with running_redis() as server:
        router = build(local, cache={"backend": "redis", "url": server.url})
        first = await router.acompletion(model="chat", messages=user("a"), cache={"ttl": 1e300})
        again = await router.acompletion(model="chat", messages=user("a"))
        other = await router.acompletion(model="chat", messages=user("b"))
        other_again = await router.acompletion(model="chat", messages=user("b"))
    assert not first.route.cache_hit and again.route.cache_hit
    assert other_again.route.cache_hit  # the store was not switched off by the first one
    assert not other.route.cache_hit


async def test_a_stream_left_with_break_releases_its_single_flight_slot(local: Local) -> None:
    router = build(local, cache={"backend": "memory"})
    stream = await router.acompletion(model="chat", messages=user("same"), stream=True)
    async for _ in stream:
        break  # never closed
    del stream
    gc.collect()
    started = time.monotonic()
    resp = await asyncio.wait_for(router.acompletion(model="chat", messages=user("same")), 5)
    assert resp.text and time.monotonic() - started < 2


async def test_a_follower_keeps_its_own_deadline(local: Local) -> None:
    local.glm.set_latency(3.0)
    router = build(local, cache={"backend": "memory"})
    leader = asyncio.ensure_future(router.acompletion(model="chat", messages=user("slow")))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(AllModelsFailedError, match="deadline"):
        await router.acompletion(model="chat", messages=user("slow"), timeout=0.5)
    waited = time.monotonic() - started
    assert 0.4 < waited < 1.0  # before: it waited out the leader, 5.96 s in the review
    leader.cancel()


def budgeted(local: Local, otel: Otel | None = None) -> Router:
    return build(local, otel, budgets=[{"scope": "route:chat", "limit_usd": 10}])


async def spent(router: Router) -> float:
    budgets = router._assembly.parts.budgets
    assert budgets is not None
    [status] = await budgets.status("route:chat")
    return status.spent_usd


@pytest.mark.parametrize("local", ["native"], indirect=True)
async def test_a_stream_dropped_without_aclose_is_charged_and_its_spans_end(
    local: Local, otel: Otel
) -> None:
    router = budgeted(local, otel)
    stream = await router.acompletion(model="chat", messages=user("hello there"), stream=True)
    await stream.__anext__()
    del stream  # the common `break` on a finish reason, then the stream goes out of scope
    gc.collect()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if otel.requests():
            break
    assert await spent(router) > 0  # before: charged $0
    [span] = otel.attempts()
    assert span.end_time is not None
    assert otel.requests()[0].end_time is not None


def stream_without_usage(text: str) -> str:
    """An OpenAI-wire stream that never reports usage (as some gateways do)."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        body = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "glm-4.6"}
        return f"data: {json.dumps({**body, 'choices': [choice]})}\n\n"

    return chunk({"role": "assistant", "content": text}) + chunk({}, "stop") + "data: [DONE]\n\n"


async def test_a_stream_without_usage_is_charged_an_estimate_and_says_so(local: Local) -> None:
    local.glm.fail_next(
        Fault.http(200, stream_without_usage("forty characters of answer text...."), SSE)
    )
    router = budgeted(local)
    stream = await router.acompletion(model="chat", messages=user("hi"), stream=True)
    async for _ in stream:
        pass
    assert stream.route is not None and stream.route.cost_estimated
    assert stream.usage is None  # nothing invented in the answer
    assert await spent(router) == pytest.approx(stream.route.cost_usd) and stream.route.cost_usd > 0
