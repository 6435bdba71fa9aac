"""The in-process store: a bounded LRU with per-entry expiry (cachetools' TLRUCache)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from cachetools import TLRUCache

__all__ = ["MemoryStore"]


Value = bytes | float | dict[str, bytes]


def _expires(_key: str, value: tuple[Value, float], _now: float) -> float:
    return value[1]  # entries carry their absolute expiry, so counters keep fixed windows


class MemoryStore:
    """At most `max_entries` values; the least recently used go first when full.

    Memory per entry is the value's bytes plus about 400 bytes (the key string, the entry and
    the LRU/expiry bookkeeping; measured in tests/test_cache_memory.py), so `max_entries`
    bounds memory.
    """

    name = "memory"

    def __init__(self, max_entries: int = 10_000, timer: Callable[[], float] = time.monotonic):
        self._timer = timer
        self._data: TLRUCache[str, tuple[Value, float]] = TLRUCache(
            maxsize=max_entries, ttu=_expires, timer=timer
        )

    def __len__(self) -> int:
        return len(self._data)

    async def get(self, key: str) -> bytes | None:
        entry = self._data.get(key)
        return entry[0] if entry is not None and isinstance(entry[0], bytes) else None

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        self._data[key] = (value, self._expiry(ttl_s))

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, amount: float, ttl_s: float | None = None) -> float | None:
        entry = self._data.get(key)
        if entry is not None and isinstance(entry[0], float):
            value, expiry = entry[0] + amount, entry[1]
        else:
            value, expiry = float(amount), self._expiry(ttl_s)
        self._data[key] = (value, expiry)
        return value

    async def incr_many(
        self, items: Sequence[tuple[str, float, float | None]]
    ) -> list[float | None]:
        return [await self.incr(key, amount, ttl_s) for key, amount, ttl_s in items]

    async def hset(self, key: str, field: str, value: bytes) -> bool:
        entry = self._data.get(key)
        fields = dict(entry[0]) if entry is not None and isinstance(entry[0], dict) else {}
        fields[field] = value
        self._data[key] = (fields, math.inf)
        return True

    async def hdel(self, key: str, field: str) -> bool:
        entry = self._data.get(key)
        if entry is not None and isinstance(entry[0], dict) and field in entry[0]:
            fields = {k: v for k, v in entry[0].items() if k != field}
            if fields:
                self._data[key] = (fields, math.inf)
            else:
                del self._data[key]
        return True

    async def hgetall(self, key: str) -> dict[str, bytes] | None:
        entry = self._data.get(key)
        return dict(entry[0]) if entry is not None and isinstance(entry[0], dict) else {}

    def _expiry(self, ttl_s: float | None) -> float:
        return math.inf if ttl_s is None else self._timer() + ttl_s

    async def aclose(self) -> None:
        self._data.clear()
