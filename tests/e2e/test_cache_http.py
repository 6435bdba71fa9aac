"""Caching end to end over loopback HTTP: hits, misses, tenant isolation, controls,
stream replay and single-flight (in-process backend; Redis in test_cache_redis.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from llmrouter import BadRequestError, Router
from llmrouter.testing import Fault
from support import FAST_BACKOFF, Local, user


def cached_router(local: Local, **route: Any) -> Router:
    """A router with an in-process cache (ttl 60 s); kwargs are route settings."""
    config = local.config(**route)
    config["cache"] = {"backend": "memory", "ttl_s": 60}
    return Router.from_dict(config, env=local.env, retry=FAST_BACKOFF)


async def test_hit_makes_no_upstream_call(local: Local) -> None:
    router = cached_router(local)
    first = await router.acompletion(model="chat", messages=user("q"))
    second = await router.acompletion(model="chat", messages=user("q"))
    assert local.glm.request_count == 1
    assert second.text == first.text
    assert first.route is not None and second.route is not None
    assert first.route.cache_hit is False and first.route.cost_usd > 0
    assert second.route.cache_hit is True
    assert second.route.cost_usd == 0.0
    assert second.route.attempts == []
    assert (second.route.model, second.route.provider) == ("glm", "zhipu")


@pytest.mark.parametrize(
    "params",
    [
        {"temperature": 0.7},
        {"max_tokens": 5},
        {"seed": 42},
        {"response_format": {"type": "json_object"}},
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
    ],
)
async def test_changed_parameters_miss(local: Local, params: dict[str, Any]) -> None:
    router = cached_router(local)
    await router.acompletion(model="chat", messages=user("q"))
    resp = await router.acompletion(model="chat", messages=user("q"), **params)
    assert resp.route is not None and resp.route.cache_hit is False
    assert local.glm.request_count == 2


async def test_tenants_never_share_entries(local: Local) -> None:
    router = cached_router(local)
    local.glm.set_reply(lambda body: f"secret for call {local.glm.request_count}")
    a = await router.acompletion(model="chat", messages=user("q"), metadata={"tenant": "acme"})
    b = await router.acompletion(model="chat", messages=user("q"), metadata={"tenant": "globex"})
    a2 = await router.acompletion(model="chat", messages=user("q"), metadata={"tenant": "acme"})
    assert a.text != b.text
    assert a2.text == a.text
    assert b.route is not None and b.route.cache_hit is False
    assert local.glm.request_count == 2


async def test_no_cache_skips_lookup_but_stores(local: Local) -> None:
    router = cached_router(local)
    await router.acompletion(model="chat", messages=user("q"))
    fresh = await router.acompletion(model="chat", messages=user("q"), cache={"no-cache": True})
    assert fresh.route is not None and fresh.route.cache_hit is False
    assert local.glm.request_count == 2


async def test_no_store_does_not_store(local: Local) -> None:
    router = cached_router(local)
    await router.acompletion(model="chat", messages=user("q"), cache={"no-store": True})
    again = await router.acompletion(model="chat", messages=user("q"))
    assert again.route is not None and again.route.cache_hit is False
    assert local.glm.request_count == 2


async def test_per_call_ttl_expires(local: Local) -> None:
    router = cached_router(local)
    await router.acompletion(model="chat", messages=user("q"), cache={"ttl": 0.2})
    hit = await router.acompletion(model="chat", messages=user("q"))
    assert hit.route is not None and hit.route.cache_hit
    await asyncio.sleep(0.3)
    miss = await router.acompletion(model="chat", messages=user("q"))
    assert miss.route is not None and not miss.route.cache_hit


async def test_route_can_turn_the_cache_off(local: Local) -> None:
    router = cached_router(local, cache=False)
    await router.acompletion(model="chat", messages=user("q"))
    await router.acompletion(model="chat", messages=user("q"))
    assert local.glm.request_count == 2


async def test_route_ttl_applies(local: Local) -> None:
    router = cached_router(local, cache={"ttl_s": 0.2})
    await router.acompletion(model="chat", messages=user("q"))
    await asyncio.sleep(0.3)
    await router.acompletion(model="chat", messages=user("q"))
    assert local.glm.request_count == 2


async def test_cached_answer_replays_as_a_stream(local: Local) -> None:
    router = cached_router(local)
    whole = await router.acompletion(model="chat", messages=user("q"))
    stream = await router.acompletion(model="chat", messages=user("q"), stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == whole.text
    assert stream.route is not None and stream.route.cache_hit
    assert local.glm.request_count == 1


async def test_completed_stream_is_cached(local: Local) -> None:
    router = cached_router(local)
    stream = await router.acompletion(model="chat", messages=user("q"), stream=True)
    streamed = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    whole = await router.acompletion(model="chat", messages=user("q"))
    assert whole.text == streamed
    assert whole.route is not None and whole.route.cache_hit
    assert whole.usage.completion_tokens > 0
    assert local.glm.request_count == 1


async def test_abandoned_stream_is_not_cached(local: Local) -> None:
    router = cached_router(local)
    stream = await router.acompletion(model="chat", messages=user("q"), stream=True)
    async with stream:
        await stream.__anext__()
    again = await router.acompletion(model="chat", messages=user("q"))
    assert again.route is not None and not again.route.cache_hit


async def test_single_flight_ten_concurrent_requests_one_upstream_call(local: Local) -> None:
    router = cached_router(local)
    local.glm.set_latency(0.2)
    results = await asyncio.gather(
        *(router.acompletion(model="chat", messages=user("same")) for _ in range(10))
    )
    assert local.glm.request_count == 1
    assert len({r.text for r in results}) == 1
    assert sum(1 for r in results if r.route and not r.route.cache_hit) == 1


async def test_single_flight_streams_share_too(local: Local) -> None:
    router = cached_router(local)
    local.glm.set_latency(0.2)

    async def read() -> str:
        stream = await router.acompletion(model="chat", messages=user("same"), stream=True)
        return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    texts = await asyncio.gather(*(read() for _ in range(10)))
    assert len(set(texts)) == 1
    assert local.glm.request_count == 1


async def test_single_flight_shares_the_error_without_retries(local: Local) -> None:
    router = cached_router(local)
    local.glm.set_latency(0.2)
    local.glm.fail_always(Fault.bad_request())
    results = await asyncio.gather(
        *(router.acompletion(model="chat", messages=user("same")) for _ in range(10)),
        return_exceptions=True,
    )
    assert all(isinstance(r, BadRequestError) for r in results)
    assert local.glm.request_count == 1


async def test_failures_are_not_cached(local: Local) -> None:
    router = cached_router(local)
    local.glm.fail_next(Fault.bad_request())
    with pytest.raises(BadRequestError):
        await router.acompletion(model="chat", messages=user("q"))
    resp = await router.acompletion(model="chat", messages=user("q"))
    assert resp.route is not None and not resp.route.cache_hit
