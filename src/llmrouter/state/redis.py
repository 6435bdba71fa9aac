"""The Redis store (`pip install 'llmrouter[redis]'`): shared by every router pointed at it.

A Redis that is down, refusing or black-holed never fails or stalls a request: each operation
has a short timeout; after a failure the store trips off for `trip_s` (reads miss, writes are
dropped), says so once in the log, and tries Redis again when the time is up.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

__all__ = ["RedisStore", "display_url"]

logger = logging.getLogger("llmrouter")

T = TypeVar("T")

CONNECT_S = 2.0
"""The budget for opening a connection ahead of traffic (`connect`): one operation's timeout
is tens of milliseconds, too short for a TCP and protocol handshake on a busy machine."""


def display_url(url: str) -> str:
    """The URL without its password, for logs and reprs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


class RedisStore:
    """`redis.asyncio` behind a timeout and a trip switch."""

    name = "redis"

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 0.05,
        trip_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        try:
            import redis.asyncio  # noqa: F401 - fail now, with the install hint
        except ImportError:
            raise ImportError(
                "the redis cache backend needs redis-py: pip install 'llmrouter[redis]'"
            ) from None
        self._url = url
        self._timeout_s = timeout_s
        self._trip_s = trip_s
        self._clock = clock
        self._client: Any = None
        self._tripped_until = -math.inf
        self._down = False
        self._batch: list[tuple[list[tuple[str, float, float | None]], asyncio.Future[Any]]] = []
        self._committing = False

    def __repr__(self) -> str:
        return f"RedisStore({display_url(self._url)!r})"

    @property
    def tripped(self) -> bool:
        return self._clock() < self._tripped_until

    def _redis(self) -> Any:
        if self._client is None:
            from redis.asyncio import Redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            self._client = Redis.from_url(
                self._url,
                socket_timeout=self._timeout_s,
                socket_connect_timeout=max(self._timeout_s, CONNECT_S),
                retry=Retry(NoBackoff(), 0),  # one try: the timeout is the whole budget
                decode_responses=False,
            )
        return self._client

    async def connect(self) -> bool:
        """Open a connection before the first request needs one, with `CONNECT_S` to do it
        (a request's operation only ever waits its own timeout). False, and tripped, if Redis
        does not answer."""
        return await self._run(lambda r: r.ping(), max(self._timeout_s, CONNECT_S)) is not None

    async def _run(
        self, op: Callable[[Any], Awaitable[T]], timeout_s: float | None = None
    ) -> T | None:
        if self.tripped:
            return None
        try:
            result = await asyncio.wait_for(op(self._redis()), timeout_s or self._timeout_s)
        except Exception as exc:  # timeouts, refusals, protocol errors: any failure trips it
            self._trip(exc)
            return None
        if self._down:
            self._down = False
            logger.info("llmrouter: redis store %s is reachable again", display_url(self._url))
        return result

    def _trip(self, exc: BaseException) -> None:
        self._tripped_until = self._clock() + self._trip_s
        if not self._down:
            self._down = True
            logger.warning(
                "llmrouter: redis store %s unavailable (%s); bypassing it for %gs, "
                "requests go upstream",
                display_url(self._url),
                type(exc).__name__,
                self._trip_s,
            )

    async def get(self, key: str) -> bytes | None:
        value = await self._run(lambda r: r.get(key))
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        px = None if ttl_s is None else max(1, int(ttl_s * 1000))
        await self._run(lambda r: r.set(key, value, px=px))

    async def delete(self, key: str) -> None:
        await self._run(lambda r: r.delete(key))

    async def incr(self, key: str, amount: float, ttl_s: float | None = None) -> float | None:
        return (await self.incr_many([(key, amount, ttl_s)]))[0]

    async def incr_many(
        self, items: Sequence[tuple[str, float, float | None]]
    ) -> list[float | None]:
        """All counters in one MULTI/EXEC pipeline. Calls made while one is on its way share
        the next round trip (group commit): a burst of requests checking their budgets costs
        Redis a few round trips, not one per request, and never a pool of new connections."""
        if not items:
            return []
        future: asyncio.Future[list[float | None]] = asyncio.get_running_loop().create_future()
        self._batch.append((list(items), future))
        if not self._committing:
            self._committing = True
            asyncio.get_running_loop().create_task(self._commit())
        return await future

    async def _commit(self) -> None:
        try:
            while self._batch:
                await asyncio.sleep(0)  # let the calls of this loop iteration join
                batch, self._batch = self._batch, []
                flat = [item for items, _ in batch for item in items]
                values = await self._run(functools.partial(_increments, items=flat))
                start = 0
                for items, future in batch:
                    end = start + len(items)
                    if not future.done():
                        future.set_result(
                            list(values[start:end]) if values is not None else [None] * len(items)
                        )
                    start = end
        finally:
            self._committing = False
            for items, future in self._batch:  # cancelled mid-way: nobody waits forever
                if not future.done():
                    future.set_result([None] * len(items))
            self._batch = []

    async def hset(self, key: str, field: str, value: bytes) -> bool:
        return await self._run(lambda r: r.hset(key, field, value)) is not None

    async def hdel(self, key: str, field: str) -> bool:
        return await self._run(lambda r: r.hdel(key, field)) is not None

    async def hgetall(self, key: str) -> dict[str, bytes] | None:
        raw = await self._run(lambda r: r.hgetall(key))
        if raw is None:
            return None
        return {(k.decode() if isinstance(k, bytes) else str(k)): bytes(v) for k, v in raw.items()}

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            try:
                await asyncio.wait_for(client.aclose(), self._timeout_s * 4)
            except Exception:  # closing an unreachable Redis cannot fail the caller
                return


async def _increments(r: Any, *, items: Sequence[tuple[str, float, float | None]]) -> list[float]:
    """INCRBYFLOAT each counter (PEXPIRE NX on a new one) in one MULTI/EXEC."""
    positions = []
    async with r.pipeline(transaction=True) as pipe:
        for key, amount, ttl_s in items:
            positions.append(len(pipe))
            pipe.incrbyfloat(key, amount)
            if ttl_s is not None:
                pipe.pexpire(key, max(1, int(ttl_s * 1000)), nx=True)
        results = await pipe.execute()
    return [float(results[i]) for i in positions]
