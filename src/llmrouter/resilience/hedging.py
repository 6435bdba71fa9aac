"""Hedged requests: if the first model has not answered after `hedge_after_s`, start the next
one too and take whichever answers first, cancelling the other."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["HedgeFailed", "race"]

T = TypeVar("T")


class HedgeFailed(Exception):
    """Every started contender failed; `errors` in the order the contenders were started."""

    def __init__(self, errors: list[BaseException]) -> None:
        super().__init__(f"{len(errors)} hedged attempts failed")
        self.errors = errors


async def race(
    first: Callable[[], Awaitable[T]],
    second: Callable[[], Awaitable[T]],
    hedge_after_s: float,
    *,
    fatal: Callable[[BaseException], bool],
    discard: Callable[[T], Awaitable[None]],
) -> tuple[int, T]:
    """(index of the winner, its result). An error for which `fatal(error)` is true is raised
    at once (the other contender is cancelled); when every started contender fails,
    `HedgeFailed` says how (if the first fails before `hedge_after_s`, only it was started).
    A loser that had also succeeded is handed to `discard` (to close an opened stream)."""
    tasks = [asyncio.ensure_future(first())]
    errors: dict[int, BaseException] = {}
    try:
        done, _ = await asyncio.wait(tasks, timeout=hedge_after_s)
        if not done:
            tasks.append(asyncio.ensure_future(second()))
        remaining = set(tasks)
        while remaining:
            done, remaining = await asyncio.wait(remaining, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(done, key=tasks.index):
                error = task.exception()
                if error is None:
                    winner = tasks.index(task)
                    for other in tasks:
                        done_ok = other.done() and not other.cancelled()
                        if other is not task and done_ok and other.exception() is None:
                            await discard(other.result())
                    return winner, task.result()
                if fatal(error):
                    raise error
                errors[tasks.index(task)] = error
        raise HedgeFailed([errors[i] for i in sorted(errors)])
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
