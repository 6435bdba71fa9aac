"""One store per URL: the cache, budgets, shared breakers (and blocks, canaries) that name the
same Redis share one client, one connection pool and one down-detection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from llmrouter.state.base import Store

if TYPE_CHECKING:
    from llmrouter.state.redis import RedisStore

__all__ = ["Stores"]


class Stores:
    """Opens shared stores on first use, and closes each once."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._redis: dict[str, RedisStore] = {}

    def redis(self, url: str, *, timeout_s: float, trip_s: float) -> Store:
        """The Redis store at `url`; the first section to open it sets its timeout and trip."""
        found = self._redis.get(url)
        if found is None:
            from llmrouter.state.redis import RedisStore

            found = self._redis[url] = RedisStore(
                url, timeout_s=timeout_s, trip_s=trip_s, clock=self._clock
            )
        return found

    async def connect(self) -> None:
        """Open every store's connection ahead of traffic (see `RedisStore.connect`)."""
        await asyncio.gather(*(store.connect() for store in self._redis.values()))

    @property
    def opened(self) -> list[Store]:
        return list(self._redis.values())

    async def aclose(self) -> None:
        for store in self._redis.values():
            await store.aclose()
