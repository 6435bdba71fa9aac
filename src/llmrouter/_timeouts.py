"""Time limits without a task per wait.

- `within(awaitable, seconds)`: await with a time limit, raising `asyncio.TimeoutError`. On
  Python 3.11+ this is `asyncio.timeout`, which runs the awaitable in the current task; on 3.10
  it falls back to `asyncio.wait_for`, which wraps it in a new task (measured: a task per
  stream chunk cost ~1 ms per stream).
- `DeadlineWatch`: one timer for many waits (every chunk of a stream): the timer is set once,
  and each wait only notes which task is waiting; measured, `asyncio.timeout` per chunk cost
  ~5 us a chunk, most of a streamed request's own CPU.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import Any, TypeVar

__all__ = ["DeadlineWatch", "within"]

T = TypeVar("T")

if sys.version_info >= (3, 11):

    async def within(awaitable: Awaitable[T], seconds: float) -> T:
        async with asyncio.timeout(seconds):
            return await awaitable

else:  # pragma: no cover - exercised on Python 3.10 only

    async def within(awaitable: Awaitable[T], seconds: float) -> T:
        return await asyncio.wait_for(awaitable, seconds)


class DeadlineWatch:
    """A deadline shared by successive waits in one task at a time (a stream's reads).

    When the deadline passes during a wait, the waiting task is cancelled and the wait raises
    `asyncio.TimeoutError`; a wait that starts after the deadline raises it at once.
    """

    __slots__ = ("_expired", "_handle", "_loop", "_waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        self._loop = loop
        self._expired = seconds <= 0
        self._waiter: asyncio.Task[Any] | None = None
        self._handle: asyncio.TimerHandle | None = (
            None if self._expired else loop.call_later(seconds, self._expire)
        )

    def _expire(self) -> None:
        self._expired = True
        self._handle = None
        if self._waiter is not None:
            self._waiter.cancel()

    async def wait(self, awaitable: Awaitable[T]) -> T:
        if self._expired:
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()  # a coroutine never awaited would warn
            raise asyncio.TimeoutError
        if sys.version_info < (3, 11):  # pragma: no cover - no Task.uncancel() on 3.10
            return await within(awaitable, self._remaining())
        task = asyncio.current_task()
        self._waiter = task
        try:
            return await awaitable
        except asyncio.CancelledError:
            if self._expired and task is not None and task.uncancel() == 0:
                raise asyncio.TimeoutError from None
            raise
        finally:
            self._waiter = None

    def _remaining(self) -> float:  # pragma: no cover - Python 3.10 only
        handle = self._handle
        return max(handle.when() - self._loop.time(), 0.0) if handle is not None else 0.0

    def stop(self) -> None:
        """Forget the deadline (the stream ended)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.cancel()
