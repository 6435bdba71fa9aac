"""Stream writes: events ready together go out in one write, and nothing waits for the
upstream's next event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from llmrouter.gateway.coalesce import CoalescingWriter, flush_on_suspend


class _Response:
    def __init__(self) -> None:
        self.writes: list[tuple[float, bytes]] = []

    async def write(self, data: bytes) -> None:
        self.writes.append((time.monotonic(), data))


async def _events(gap: float) -> AsyncIterator[bytes]:
    yield b"a"
    yield b"b"
    await asyncio.sleep(gap)
    yield b"c"


async def _drain(events: AsyncIterator[bytes], writer: CoalescingWriter) -> None:
    iterator = events.__aiter__()
    while True:
        try:
            data = await flush_on_suspend(iterator.__anext__(), writer.flush)
        except StopAsyncIteration:
            break
        await writer.add(data)
    await writer.flush()


async def test_ready_events_are_joined_and_written_before_the_wait() -> None:
    response = _Response()
    started = time.monotonic()
    await _drain(_events(0.2), CoalescingWriter(response))  # type: ignore[arg-type]
    assert [data for _, data in response.writes] == [b"ab", b"c"]
    assert response.writes[0][0] - started < 0.1  # not held back until "c" arrived


async def test_cancellation_reaches_the_producer() -> None:
    closed: list[bool] = []

    async def producer() -> AsyncIterator[bytes]:
        try:
            yield b"a"
            await asyncio.sleep(10)
            yield b"never"
        finally:
            closed.append(True)

    response = _Response()
    events = producer()
    task = asyncio.ensure_future(_drain(events, CoalescingWriter(response)))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await events.aclose()
    assert closed == [True]
    assert [data for _, data in response.writes] == [b"a"]


async def test_a_failing_producer_raises_through() -> None:
    async def producer() -> AsyncIterator[bytes]:
        yield b"a"
        await asyncio.sleep(0)
        raise ValueError("upstream broke")

    response = _Response()
    with pytest.raises(ValueError, match="upstream broke"):
        await _drain(producer(), CoalescingWriter(response))  # type: ignore[arg-type]
    assert [data for _, data in response.writes] == [b"a"]
