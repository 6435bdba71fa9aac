"""Hash operations of the state stores (blocks are one hash), on the in-process store and on a
real redis-server; an unreachable Redis says so instead of answering "empty"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from llmrouter.state import MemoryStore, Store
from llmrouter.state.redis import RedisStore
from redis_support import black_hole, running_redis


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    with running_redis() as server:
        redis = RedisStore(server.url, timeout_s=1.0)
        yield redis
        await redis.aclose()


async def test_set_read_and_delete_fields(store: Store) -> None:
    assert await store.hgetall("h") == {}
    assert await store.hset("h", "vendor:zhipu", b"1")
    assert await store.hset("h", "model:glm", b"2")
    assert await store.hset("h", "model:glm", b"3")
    assert await store.hgetall("h") == {"vendor:zhipu": b"1", "model:glm": b"3"}
    assert await store.hdel("h", "model:glm")
    assert await store.hdel("h", "model:absent")
    assert await store.hgetall("h") == {"vendor:zhipu": b"1"}
    assert await store.hdel("h", "vendor:zhipu")
    assert await store.hgetall("h") == {}


async def test_unreachable_redis_is_not_an_empty_hash() -> None:
    with black_hole() as port:
        store = RedisStore(f"redis://127.0.0.1:{port}/0", timeout_s=0.05, trip_s=0.01)
        assert await store.hgetall("h") is None
        assert not await store.hset("h", "f", b"v")
        assert not await store.hdel("h", "f")
        await store.aclose()
