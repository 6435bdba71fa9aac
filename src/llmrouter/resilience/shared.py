"""Breaker state shared through the shared-state store, so instances agree.

When a breaker opens here, its reopening time (wall clock) is written to the store under
`<namespace>:circuit:<model>` with the cooldown as time to live. Before admitting a model whose
breaker is closed here, the store is read (at most once per `refresh_s` per model); a model
another instance opened is opened here too, until the same time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from llmrouter.resilience.breaker import CircuitBreaker
from llmrouter.state.base import Store

__all__ = ["SharedBreakers"]


class SharedBreakers:
    def __init__(
        self,
        store: Store,
        namespace: str,
        *,
        refresh_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._namespace = namespace
        self._refresh_s = refresh_s
        self._clock = clock
        self._wall = wall_clock
        self._checked: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _key(self, model: str) -> str:
        return f"{self._namespace}:circuit:{model}"

    async def refresh(self, model: str, breaker: CircuitBreaker) -> None:
        """Open `breaker` if another instance opened it (reads the store at most every
        `refresh_s` seconds per model)."""
        now = self._clock()
        if breaker.state != "closed" or now - self._checked.get(model, -1e18) < self._refresh_s:
            return
        self._checked[model] = now
        raw = await self._store.get(self._key(model))
        if raw is None:
            return
        try:
            until = float(raw)
        except ValueError:
            return
        breaker.open_for(until - self._wall())

    def opened(self, model: str, cooldown_s: float) -> None:
        """Tell the other instances (in the background: never on the request's time)."""
        until = self._wall() + cooldown_s
        task = asyncio.ensure_future(
            self._store.set(self._key(model), repr(until).encode(), cooldown_s)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
