"""Budget counter updates for a shared store, written in the background and never dropped.

A charge (or a reservation's release) is applied to this process's view at once and queued for
the store; a background task writes the queue in one `incr_many` round trip. When the store is
unreachable or slow (the write returns None), the amounts stay queued, merged per counter, and
are written again after a backoff (`RETRY_S`, doubling to `MAX_RETRY_S`) until they land. So no
charge is lost to a Redis outage, and no request waits on Redis to be charged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from llmrouter.state.base import Store

__all__ = ["MAX_RETRY_S", "RETRY_S", "CounterWriter"]

logger = logging.getLogger("llmrouter")

RETRY_S = 0.25
MAX_RETRY_S = 10.0


class CounterWriter:
    """Queued counter increments, flushed to `store` by one background task."""

    def __init__(
        self,
        store: Store,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._sleep = sleep
        self._pending: dict[str, list[float]] = {}  # key -> [amount, ttl_s]
        self._writing: dict[str, float] = {}  # the batch on its way to the store
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def pending(self, key: str) -> float:
        """What this process has queued for `key` and the store may not have yet (the batch
        being written included: counted twice for a moment rather than not at all)."""
        entry = self._pending.get(key)
        return (entry[0] if entry is not None else 0.0) + self._writing.get(key, 0.0)

    def add(self, key: str, amount: float, ttl_s: float) -> None:
        """Queue `amount` for `key` (created with `ttl_s` when new)."""
        if amount == 0:
            return
        entry = self._pending.get(key)
        if entry is None:
            self._pending[key] = [amount, ttl_s]
        else:
            entry[0] += amount
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        delay = RETRY_S
        while self._pending:
            batch, self._pending = self._pending, {}
            items = [(key, amount, ttl) for key, (amount, ttl) in batch.items()]
            self._writing = {key: amount for key, amount, _ in items}
            try:
                values = await self._store.incr_many(items)
            except BaseException:  # cancelled (aclose): keep the batch for the last write
                for key, amount, ttl in items:
                    self._pending.setdefault(key, [0.0, ttl])[0] += amount
                raise
            finally:
                self._writing = {}
            failed = [item for item, value in zip(items, values, strict=True) if value is None]
            if not failed:
                self._recovered()
                delay = RETRY_S
                continue
            for key, amount, ttl in failed:  # back in the queue, merged with newer charges
                entry = self._pending.setdefault(key, [0.0, ttl])
                entry[0] += amount
            self._failed(len(failed))
            await self._sleep(delay)
            delay = min(delay * 2, MAX_RETRY_S)

    def _failed(self, count: int) -> None:
        if not self._failing:
            self._failing = True
            logger.warning(
                "llmrouter: %d budget counter updates could not be written to the %s store; "
                "kept and retried until they are",
                count,
                self._store.name,
            )

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            logger.info(
                "llmrouter: queued budget charges written to the %s store", self._store.name
            )

    async def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until the queue is written (at most `timeout_s`); False if it was not."""
        task = self._task
        if task is None or task.done():
            return not self._pending
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout_s)
        except asyncio.TimeoutError:
            return False
        return not self._pending

    async def aclose(self) -> None:
        """One last try to write the queue, then stop."""
        await self.flush(timeout_s=1.0)
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self._pending:
            logger.error(
                "llmrouter: %d budget counter updates were never written to the %s store",
                len(self._pending),
                self._store.name,
            )
