"""Shadow and canary results on their way to `experiments.store`: queued by the request path
(never awaited there), written in batches by one background task, the rest written on
`aclose`. A store that fails keeps the queue (up to `MAX_PENDING`, then the oldest results are
dropped and counted) and is logged once per outage."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from llmrouter.errors import ExperimentStoreError
from llmrouter.experiments.records import ResultRecord, RunInfo
from llmrouter.experiments.store.base import ResultStore

__all__ = ["MAX_PENDING", "ResultWriter"]

logger = logging.getLogger("llmrouter")

MAX_PENDING = 10_000
"""Results held while the store cannot take them; beyond, the oldest are dropped."""


class ResultWriter:
    """Batches results into one store."""

    def __init__(
        self,
        store: ResultStore,
        *,
        flush_s: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self._flush_s = flush_s
        self._sleep = sleep
        self._pending: list[ResultRecord] = []
        self._runs: dict[str, RunInfo] = {}
        self._runs_written: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._down = False
        self._closed = False
        self.written = 0
        self.lost = 0
        """Results dropped: the queue was full, or the store failed at close."""

    def add(self, run: RunInfo, records: Sequence[ResultRecord]) -> None:
        """Queue `records` of `run` (no I/O here)."""
        if self._closed:
            self.lost += len(records)
            return
        self._runs.setdefault(run.run_id, run)
        self._pending.extend(records)
        overflow = len(self._pending) - MAX_PENDING
        if overflow > 0:
            del self._pending[:overflow]
            self.lost += overflow
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await self._sleep(self._flush_s)
            await self.flush()

    async def flush(self) -> bool:
        """Write what is queued now; False (and kept queued) when the store failed."""
        batch = self._pending
        if not batch:
            return True
        self._pending = []
        try:
            for run_id, run in self._runs.items():
                if run_id not in self._runs_written:
                    await self.store.add_run(run)
                    self._runs_written.add(run_id)
            await self.store.add(batch)
        except ExperimentStoreError as exc:
            self._pending[:0] = batch  # first in, first out, whatever came meanwhile
            if not self._down:
                self._down = True
                logger.warning(
                    "llmrouter: experiments: cannot write to %s (%s); %d results kept until "
                    "it answers",
                    self.store.name,
                    type(exc.__cause__ or exc).__name__,
                    len(self._pending),
                )
            return False
        except BaseException:  # cancelled mid-write: kept (rewriting a result is harmless)
            self._pending[:0] = batch
            raise
        self.written += len(batch)
        if self._down:
            self._down = False
            logger.info("llmrouter: experiments: %s answers again", self.store.name)
        return True

    async def aclose(self, timeout_s: float = 5.0) -> None:
        """Stop the background writes, write what is queued (within `timeout_s`), close."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            written = await asyncio.wait_for(self.flush(), timeout_s)
        except asyncio.TimeoutError:
            written = False
        if not written:
            self.lost += len(self._pending)
            self._pending = []
        await self.store.aclose()
