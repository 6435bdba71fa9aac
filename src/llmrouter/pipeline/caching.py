"""The cache stage: answer repeated requests from the store, join concurrent identical ones
(single-flight), and store answers once they are whole. Streams and completions take the same
path: a hit is a finished reply (replayed as chunks to a stream caller); a stream is stored and
shared when it ends complete, and its followers run on their own when it does not."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable

from llmrouter import attempt_records as records
from llmrouter.cache.codec import decode, encode, entry_for
from llmrouter.cache.keys import cache_key
from llmrouter.cache.single_flight import Flight, SingleFlight
from llmrouter.config.schema import CacheConfig, RouteCacheConfig
from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.request import CompletionRequest
from llmrouter.state.base import Store
from llmrouter.types import Answer, RouteInfo

__all__ = ["MAX_TTL_S", "CacheDecision", "CacheStage"]

logger = logging.getLogger("llmrouter")

MAX_TTL_S = 30 * 86400.0
"""The longest time an answer is kept (30 days), whatever a config or a call asks for."""


class CacheDecision:
    """What the cache does for one request."""

    __slots__ = ("key", "lookup", "store", "ttl_s")

    def __init__(self, key: str, lookup: bool, store: bool, ttl_s: float) -> None:
        self.key = key
        self.lookup = lookup
        self.store = store
        self.ttl_s = ttl_s


class CacheStage:
    """Lookup, single-flight and store, over a `Store` (memory or Redis)."""

    def __init__(self, store: Store, config: CacheConfig, clock: Callable[[], float]) -> None:
        self.store = store
        self._config = config
        self._clock = clock
        self._flights = SingleFlight()

    def decide(
        self, route: RouteCacheConfig, request: CompletionRequest, data_class: str | None = None
    ) -> CacheDecision | None:
        """None when the cache has nothing to do for this request."""
        if not route.enabled or "mock_response" in request.params:
            return None
        controls = request.cache
        lookup = not controls.get("no-cache", False)
        store = not controls.get("no-store", False)
        if not (lookup or store):
            return None
        ttl = controls.get("ttl") or route.ttl_s or self._config.ttl_s
        ttl = min(float(ttl), MAX_TTL_S) if math.isfinite(ttl) and ttl > 0 else MAX_TTL_S
        key = cache_key(self._config.namespace, request, data_class)
        return CacheDecision(key, lookup, store, ttl)

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        decision = self.decide(ex.route.cache, ex.request, ex.data_class)
        if decision is None:
            return await call_next(ex)
        flight: Flight | None = None
        if decision.lookup:
            hit = await self._lookup(decision.key, ex)
            if hit is not None:
                return hit
            flight = self._flights.join(decision.key)
            if not flight.leader:
                shared = await self._follow(flight, ex)
                if shared is not None:
                    return await _hit(shared, ex)
                flight = None
        try:
            reply = await call_next(ex)
        except BaseException as exc:
            if flight is not None:
                self._flights.crash(flight, exc)
            raise
        await reply.on_end(_Settle(self, decision, flight))
        return reply

    async def _follow(self, flight: Flight, ex: Exchange) -> Answer | None:
        """Wait for the identical request in flight, within this request's own deadline."""
        try:
            return await self._flights.wait(flight, ex.deadline - self._clock())
        except asyncio.TimeoutError:
            raise records.no_answer([], None, ex.timeout_s, out_of_time=True) from None

    async def _lookup(self, key: str, ex: Exchange) -> Reply | None:
        blob = await self.store.get(key)
        entry = decode(blob) if blob is not None else None
        answer = entry.answer if entry is not None else None
        if entry is None or answer is None:
            return None
        return await _hit(answer, ex, entry.model, entry.provider)

    async def settle(self, decision: CacheDecision, flight: Flight | None, ending: Ending) -> None:
        """An answer ended: share it with the followers and store it (or release them)."""
        answer = ending.answer
        if answer is None:
            if flight is not None:
                self._flights.crash(flight, ending.error)
            return
        if flight is not None:
            self._flights.land(flight, answer)
        if decision.store and not ending.route.cache_hit:
            entry = entry_for(ending.route.model, ending.route.provider, answer)
            try:
                await self.store.set(decision.key, encode(entry), decision.ttl_s)
            except Exception:  # a store that breaks its contract must not lose the answer
                logger.exception("llmrouter: storing a cached answer failed; not cached")

    async def aclose(self) -> None:
        await self.store.aclose()


class _Settle:
    __slots__ = ("_cache", "_decision", "_flight")

    def __init__(self, cache: CacheStage, decision: CacheDecision, flight: Flight | None) -> None:
        self._cache, self._decision, self._flight = cache, decision, flight

    async def __call__(self, ending: Ending) -> None:
        await self._cache.settle(self._decision, self._flight, ending)


async def _hit(
    resp: Answer, ex: Exchange, model: str | None = None, provider: str | None = None
) -> Reply:
    """A finished reply served by the cache. Answers decoded from the store are fresh objects
    and are marked in place (the hot path); a shared single-flight answer is copied."""
    origin = resp.route
    info = RouteInfo(
        route=ex.route.name,
        model=model or (origin.model if origin else ""),
        provider=provider or (origin.provider if origin else ""),
        strategy=ex.route.strategy.name,
        cost_usd=0.0,
        cache_hit=True,
    )
    if model is None:
        resp = resp.model_copy()
    reply = Reply(None, completion=resp)
    reply.describe = lambda _usage, _chars: info
    await reply.complete()
    return reply
