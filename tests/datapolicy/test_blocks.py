"""Blocks: in one process, and shared through a real redis-server: a block reaches every
`BlockSet` within `sync_s`, holds from the first request of one started later, and stays in
force while Redis is down (logged once)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest

from llmrouter import RequestValidationError
from llmrouter.config.schema import StateConfig
from llmrouter.datapolicy import BlockSet, CandidateFacts
from llmrouter.state.redis import RedisStore
from redis_support import RedisServer, free_port, running_redis

GLM = CandidateFacts("glm", "zhipu", "zhipu", "cn", False)
GLM_US = CandidateFacts("glm-us", "zhipu-us", "zhipu", "us", False)
CLAUDE = CandidateFacts("claude", "anthropic", "anthropic", "us", True)
NOWHERE = CandidateFacts("local", "vllm", "vllm", None, False)
SYNC_S = 0.3


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@asynccontextmanager
async def shared(url: str, sync_s: float = SYNC_S) -> AsyncIterator[BlockSet]:
    state = StateConfig(backend="redis", url=url, sync_s=sync_s, timeout_ms=200)
    blocks = BlockSet.from_state(state, url)
    await blocks.start()
    try:
        yield blocks
    finally:
        await blocks.aclose()


async def eventually_blocked(blocks: BlockSet, facts: CandidateFacts, within_s: float) -> float:
    """Seconds until `facts` is blocked; fails after `within_s`."""
    start = time.monotonic()
    while blocks.match(facts) is None:
        assert time.monotonic() - start < within_s, "the block did not arrive in time"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


async def test_each_selector_matches_its_candidates() -> None:
    blocks = BlockSet()
    assert blocks.match(GLM) is None
    await blocks.block(model="glm", reason="r1")
    assert [b.describe() for b in blocks.blocks()] == ["model glm blocked: r1"]
    assert blocks.match(GLM) is not None and blocks.match(GLM_US) is None
    await blocks.unblock(model="glm")
    await blocks.block(provider="zhipu-us", reason="r2")
    assert blocks.match(GLM_US) is not None and blocks.match(GLM) is None
    await blocks.unblock(provider="zhipu-us")
    vendor = await blocks.block(vendor="zhipu", reason="export review")
    assert blocks.match(GLM) is vendor and blocks.match(GLM_US) is vendor
    assert blocks.match(CLAUDE) is None
    await blocks.block(region="us", reason="legal hold")
    assert blocks.match(CLAUDE) is not None and blocks.match(NOWHERE) is None
    assert len(blocks) == 2
    lifted = await blocks.unblock(vendor="zhipu")
    assert lifted == vendor
    assert await blocks.unblock(vendor="zhipu") is None
    assert blocks.match(GLM) is None and blocks.match(GLM_US) is not None  # us still blocked


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"vendor": "a", "model": "b"}, {"vendor": " "}],
    ids=["none", "two", "blank"],
)
async def test_a_block_names_exactly_one_thing(kwargs: dict[str, str]) -> None:
    with pytest.raises(RequestValidationError):
        await BlockSet().block(reason="why", **kwargs)


async def test_a_block_needs_a_reason() -> None:
    with pytest.raises(RequestValidationError, match="reason"):
        await BlockSet().block(vendor="zhipu", reason="  ")


async def test_a_block_reaches_another_process_within_sync_s(redis_server: RedisServer) -> None:
    async with shared(redis_server.url) as a, shared(redis_server.url) as b:
        assert b.shared and b.match(GLM) is None
        await a.block(vendor="zhipu", reason="export review")
        assert a.match(GLM) is not None  # in force where it was made at once
        waited = await eventually_blocked(b, GLM, within_s=SYNC_S + 1.0)
        assert waited <= SYNC_S + 0.5
        found = b.match(GLM)
        assert found is not None and found.reason == "export review"
        await a.unblock(vendor="zhipu")
        start = time.monotonic()
        while b.match(GLM) is not None:
            assert time.monotonic() - start < SYNC_S + 1.0, "the unblock did not arrive"
            await asyncio.sleep(0.01)


async def test_a_block_holds_from_the_first_request_after_a_restart(
    redis_server: RedisServer,
) -> None:
    async with shared(redis_server.url) as first:
        await first.block(model="glm", reason="legal hold")
    # A process started later (long sync_s: only the awaited first read can have seen it).
    async with shared(redis_server.url, sync_s=60) as later:
        found = later.match(GLM)
        assert found is not None and found.describe() == "model glm blocked: legal hold"


async def test_blocks_stay_in_force_while_redis_is_down_and_the_outage_is_logged_once(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with shared(redis_server.url) as b:
        async with shared(redis_server.url) as a:
            await a.block(vendor="zhipu", reason="export review")
        await eventually_blocked(b, GLM, within_s=SYNC_S + 1.0)
        redis_server.kill()
        with caplog.at_level(logging.WARNING, logger="llmrouter"):
            await asyncio.sleep(SYNC_S * 5)  # several failed syncs
            assert not await b.sync()
        assert b.match(GLM) is not None
        outage = [r for r in caplog.records if "blocks: shared state unreachable" in r.message]
        assert len(outage) == 1
        assert "the 1 blocks last read stay in force" in outage[0].message


async def test_an_unreadable_entry_still_blocks(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url, timeout_s=1.0)
    await store.hset("llmrouter:blocks", "vendor:zhipu", b"{not json")
    await store.hset("llmrouter:blocks", "planet:mars", b"{}")  # no such kind: ignored
    await store.aclose()
    async with shared(redis_server.url) as blocks:
        found = blocks.match(GLM)
        assert found is not None and "unreadable" in found.reason
        assert len(blocks) == 1


@contextmanager
def redis_on(port: int) -> Iterator[subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server")
    assert binary is not None
    workdir = tempfile.mkdtemp(prefix="llmrouter-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=5)
        shutil.rmtree(workdir, ignore_errors=True)


async def test_changes_made_while_redis_is_down_are_written_when_it_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    state = StateConfig(backend="redis", url=url, sync_s=SYNC_S, timeout_ms=200)
    blocks = BlockSet.from_state(state, url)
    with caplog.at_level(logging.INFO, logger="llmrouter"):
        await blocks.start()  # nothing listens yet: no block known, and it says so
        assert any("before any block was read" in r.message for r in caplog.records)
        await blocks.block(region="cn", reason="export rules")
        assert blocks.match(GLM) is not None and blocks.pending == 1
        with redis_on(port):
            async with shared_after_start(url) as other:
                await eventually_blocked(other, GLM, within_s=SYNC_S * 4 + 5)
            assert blocks.pending == 0
    await blocks.aclose()
    assert any("reachable again" in r.message for r in caplog.records)


@asynccontextmanager
async def shared_after_start(url: str) -> AsyncIterator[BlockSet]:
    """A BlockSet over a redis that may still be starting: read until it answers."""
    state = StateConfig(backend="redis", url=url, sync_s=SYNC_S, timeout_ms=200)
    blocks = BlockSet.from_state(state, url)
    await blocks.start()
    try:
        yield blocks
    finally:
        await blocks.aclose()
