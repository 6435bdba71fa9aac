"""Writing a stream's events with as few socket writes as the upstream allows.

Events the upstream delivered together (one TCP read often carries many SSE events) are joined
and written at once; everything produced so far is written the moment the producer has to
wait for the upstream, so no event waits on the next one. `flush_on_suspend` wraps the
producer's awaitable and runs the flush just before the producer's task suspends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

from aiohttp import web

__all__ = ["CoalescingWriter", "flush_on_suspend"]

T = TypeVar("T")

MAX_PENDING_BYTES = 64 * 1024


class _FlushOnSuspend(Awaitable[T]):
    def __init__(self, awaitable: Awaitable[T], flush: Callable[[], Awaitable[None]]) -> None:
        self._awaitable = awaitable
        self._flush = flush

    def __await__(self) -> Generator[Any, Any, T]:
        inner = self._awaitable.__await__()
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                signal = inner.throw(error) if error is not None else inner.send(value)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            try:
                yield from self._flush().__await__()  # the producer waits: write what is ready
            except BaseException:
                inner.close()
                raise
            try:
                value, error = (yield signal), None
            except BaseException as exc:  # cancellation goes to the producer
                value, error = None, exc


def flush_on_suspend(awaitable: Awaitable[T], flush: Callable[[], Awaitable[None]]) -> Awaitable[T]:
    """`await awaitable`, calling `await flush()` each time it is about to suspend."""
    return _FlushOnSuspend(awaitable, flush)


class CoalescingWriter:
    """Buffers a response's chunks; `flush()` writes them as one."""

    def __init__(self, response: web.StreamResponse) -> None:
        self._response = response
        self._pending: list[bytes] = []
        self._size = 0

    async def add(self, data: bytes) -> None:
        self._pending.append(data)
        self._size += len(data)
        if self._size >= MAX_PENDING_BYTES:
            await self.flush()

    async def flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        await self._response.write(data)
