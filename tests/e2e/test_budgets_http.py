"""Budgets end to end over loopback HTTP: model budgets move traffic, route and tenant budgets
refuse before any upstream call; in process, and in a real redis-server shared by routers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from llmrouter import BudgetExceededError, Router
from redis_support import RedisServer, running_redis
from support import FAST_BACKOFF, Local, user

TINY = 0.000001  # below the cost of any answer: one request spends it


@pytest.fixture(params=["memory", "redis"])
def state(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    if request.param == "memory":
        yield {"backend": "memory"}
        return
    with running_redis() as server:
        yield {"backend": "redis", "url": server.url, "namespace": "budgets-test"}


def router(local: Local, state: dict[str, Any], *budgets: dict[str, Any]) -> Router:
    config = local.config()
    config["budgets"] = list(budgets)
    config["state"] = state
    return Router.from_dict(config, env=local.env, retry=FAST_BACKOFF)


async def test_model_budget_moves_traffic_to_the_others(
    local: Local, state: dict[str, Any]
) -> None:
    async with router(local, state, {"scope": "model:glm", "limit_usd": TINY}) as r:
        first = await r.acompletion(model="chat", messages=user("one"))
        second = await r.acompletion(model="chat", messages=user("two"))
    assert first.route is not None and first.route.model == "glm"
    assert second.route is not None and second.route.model == "claude"
    skip = second.route.attempts[0]
    assert (skip.model, skip.outcome, skip.error) == ("glm", "skipped", "budget")
    assert (local.glm.request_count, local.claude.request_count) == (1, 1)


async def test_route_budget_refuses_before_any_call(local: Local, state: dict[str, Any]) -> None:
    async with router(local, state, {"scope": "route:chat", "limit_usd": TINY}) as r:
        first = await r.acompletion(model="chat", messages=user("one"))
        with pytest.raises(BudgetExceededError) as info:
            await r.acompletion(model="chat", messages=user("two"), stream=True)
        other = await r.acompletion(model="claude_first", messages=user("three"))
    assert first.route is not None
    assert info.value.scope == "route:chat"
    assert info.value.spent_usd == pytest.approx(first.route.cost_usd)
    assert other.route is not None and other.route.route == "claude_first"
    assert local.server.total_requests == 2


async def test_tenant_budgets(local: Local, state: dict[str, Any]) -> None:
    budgets = (
        {"scope": "tenant:acme", "limit_usd": TINY, "window": "1h"},
        {"scope": "tenant:*", "limit_usd": 1.0, "window": "1d"},
    )
    async with router(local, state, *budgets) as r:
        await r.acompletion(model="chat", messages=user("a"), metadata={"tenant": "acme"})
        with pytest.raises(BudgetExceededError) as info:
            await r.acompletion(model="chat", messages=user("b"), metadata={"tenant": "acme"})
        for tenant in ("bob", "carol"):
            resp = await r.acompletion(
                model="chat", messages=user("c"), metadata={"tenant": tenant}
            )
            assert resp.route is not None and resp.route.model == "glm"
    assert (info.value.scope, info.value.tenant) == ("tenant:acme", "acme")
    assert local.server.total_requests == 3


async def test_each_tenant_has_its_own_star_budget(local: Local, state: dict[str, Any]) -> None:
    async with router(local, state, {"scope": "tenant:*", "limit_usd": TINY}) as r:
        for tenant in ("acme", "bob"):
            await r.acompletion(model="chat", messages=user("x"), metadata={"tenant": tenant})
            with pytest.raises(BudgetExceededError) as info:
                await r.acompletion(model="chat", messages=user("y"), metadata={"tenant": tenant})
            assert (info.value.scope, info.value.tenant) == ("tenant:*", tenant)
        untenanted = await r.acompletion(model="chat", messages=user("z"))
    assert untenanted.route is not None
    assert local.server.total_requests == 3


async def test_streams_count_toward_budgets(local: Local, state: dict[str, Any]) -> None:
    async with router(local, state, {"scope": "route:chat", "limit_usd": TINY}) as r:
        stream = await r.acompletion(model="chat", messages=user("stream"), stream=True)
        async for _ in stream:
            pass
        assert stream.route is not None and stream.route.cost_usd > TINY
        with pytest.raises(BudgetExceededError):
            await r.acompletion(model="chat", messages=user("after"))
    assert local.server.total_requests == 1


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


async def landed(url: str, pattern: str, timeout_s: float = 5.0) -> None:
    """Wait until a counter matching `pattern` is in Redis (charges are written in the
    background, one round trip after the answer)."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url)
    try:
        async with asyncio.timeout(timeout_s):
            while not await client.keys(pattern):  # noqa: ASYNC110 - polling Redis
                await asyncio.sleep(0.01)
    finally:
        await client.aclose()


async def test_routers_share_budgets_through_redis(local: Local, redis_server: RedisServer) -> None:
    import redis.asyncio

    state = {"backend": "redis", "url": redis_server.url}
    budget = {"scope": "model:glm", "limit_usd": TINY, "window": "1h"}
    async with router(local, state, budget) as a, router(local, state, budget) as b:
        spent = await a.acompletion(model="chat", messages=user("from a"))
        await landed(redis_server.url, "llmrouter:budget:model:glm:*")  # charged in background
        moved = await b.acompletion(model="chat", messages=user("from b"))
    assert spent.route is not None and spent.route.model == "glm"
    assert moved.route is not None and moved.route.model == "claude"
    client = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        [key] = await client.keys("llmrouter:budget:*")
        assert key.decode().startswith("llmrouter:budget:model:glm:1h:")
        start = int(key.decode().rsplit(":", 1)[1])
        assert start % 3600 == 0
        assert float(await client.get(key)) == pytest.approx(spent.route.cost_usd)
        assert 0 < await client.pttl(key) <= 3_600_000
    finally:
        await client.aclose()


async def test_redis_store_counts_many_counters_in_one_transaction(
    redis_server: RedisServer,
) -> None:
    import redis.asyncio

    from llmrouter.state.redis import RedisStore

    store = RedisStore(redis_server.url, timeout_s=1.0)
    client = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        before = (await client.info("commandstats")).get("cmdstat_exec", {}).get("calls", 0)
        values = await store.incr_many([("a", 0.5, 60.0), ("b", 1.25, None), ("a", 0.25, 60.0)])
        assert values == [0.5, 1.25, 0.75]
        after = (await client.info("commandstats"))["cmdstat_exec"]["calls"]
        assert after - before == 1  # one MULTI/EXEC round trip for all three
        assert 0 < await client.pttl("a") <= 60_000
        assert await client.pttl("b") == -1  # no TTL asked: none set
        redis_server.kill()
        assert await store.incr_many([("a", 1.0, 60.0), ("b", 1.0, None)]) == [None, None]
    finally:
        await store.aclose()
        await client.aclose()
