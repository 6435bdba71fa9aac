"""The shared-state store: a small key/value interface that state shared by many processes
(cached responses, budgets, circuit state, blocks) is written against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """Bytes under string keys, each with an optional time to live.

    Implementations never raise for an unreachable backend: reads miss and writes are dropped
    (state here is an optimisation or a soft limit, never worth failing a request for).
    """

    name: str

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent, expired or the backend is unreachable."""
        ...

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        """Store `value`; `ttl_s=None` keeps it until evicted."""
        ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, amount: float, ttl_s: float | None = None) -> float | None:
        """Add `amount` to a float counter (created at 0); the new value, or None if unreachable.

        `ttl_s` applies when the counter is created (fixed windows)."""
        ...

    async def incr_many(
        self, items: Sequence[tuple[str, float, float | None]]
    ) -> list[float | None]:
        """`incr` for each `(key, amount, ttl_s)`, in one round trip where the backend can."""
        ...

    async def hset(self, key: str, field: str, value: bytes) -> bool:
        """Set one field of the hash at `key` (no time to live); False if unreachable."""
        ...

    async def hdel(self, key: str, field: str) -> bool:
        """Remove one field of the hash at `key`; False if unreachable."""
        ...

    async def hgetall(self, key: str) -> dict[str, bytes] | None:
        """Every field of the hash at `key` (`{}` when absent), or None if unreachable: a
        caller can tell "nothing there" from "cannot know"."""
        ...

    async def aclose(self) -> None: ...
