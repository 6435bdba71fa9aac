"""The response cache in the request path: lookup, single-flight, store, stream replay."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from llmrouter.cache.codec import CachedAnswer, decode, encode
from llmrouter.cache.keys import cache_key
from llmrouter.cache.single_flight import Flight, SingleFlight
from llmrouter.config.schema import CacheConfig, RouteCacheConfig
from llmrouter.request import CompletionRequest
from llmrouter.state.base import Store
from llmrouter.state.memory import MemoryStore
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion, RouteInfo

__all__ = ["CacheDecision", "ResponseCache"]


@dataclass(frozen=True)
class CacheDecision:
    """What the cache does for one request."""

    key: str
    lookup: bool
    store: bool
    ttl_s: float


class ResponseCache:
    """Answers repeated requests from a `Store`; joins concurrent identical requests."""

    def __init__(self, store: Store, config: CacheConfig) -> None:
        self.store = store
        self._config = config
        self._flights = SingleFlight()

    @classmethod
    def from_config(
        cls, config: CacheConfig, url: str | None, clock: Callable[[], float] = time.monotonic
    ) -> ResponseCache:
        store: Store
        if config.backend == "redis":
            from llmrouter.state.redis import RedisStore

            assert url is not None  # the schema requires it
            store = RedisStore(
                url, timeout_s=config.timeout_ms / 1000, trip_s=config.trip_s, clock=clock
            )
        else:
            store = MemoryStore(config.max_entries)
        return cls(store, config)

    def decide(self, route: RouteCacheConfig, request: CompletionRequest) -> CacheDecision | None:
        """None when the cache has nothing to do for this request."""
        if not route.enabled:
            return None
        controls = request.cache
        lookup = not controls.get("no-cache", False)
        store = not controls.get("no-store", False)
        if not (lookup or store):
            return None
        ttl = controls.get("ttl") or route.ttl_s or self._config.ttl_s
        return CacheDecision(cache_key(self._config.namespace, request), lookup, store, ttl)

    async def complete(
        self,
        decision: CacheDecision,
        route: RouteInfo,
        execute: Callable[[], Awaitable[ChatCompletion]],
    ) -> ChatCompletion:
        """A cached or shared answer, else `execute()`'s (stored for next time).

        `route` is the template of a hit's RouteInfo (route name and strategy).
        """
        flight: Flight | None = None
        if decision.lookup:
            hit = await self._lookup(decision.key, route)
            if hit is not None:
                return hit
            flight = self._flights.join(decision.key)
            if not flight.leader:
                shared = await self._flights.wait(flight)
                if shared is not None:
                    return _as_hit(shared, route)
                flight = None
        try:
            resp = await execute()
        except BaseException as exc:
            if flight is not None:
                self._flights.crash(flight, exc)
            raise
        await self._keep(decision, resp)
        if flight is not None:
            self._flights.land(flight, resp)
        return resp

    async def stream(
        self,
        decision: CacheDecision,
        route: RouteInfo,
        open_stream: Callable[[], Awaitable[RouterStream]],
        *,
        clock: Callable[[], float],
        pass_usage_chunk: bool,
    ) -> RouterStream:
        """A replayed cached answer, or a live stream that is cached once complete."""
        flight: Flight | None = None
        if decision.lookup:
            hit = await self._lookup(decision.key, route)
            if hit is None:
                flight = self._flights.join(decision.key)
                if not flight.leader:
                    shared = await self._flights.wait(flight)
                    hit = _as_hit(shared, route) if shared is not None else None
                    flight = None
            if hit is not None:
                assert hit.route is not None
                return RouterStream.replay(
                    hit, hit.route, clock=clock, pass_usage_chunk=pass_usage_chunk
                )
        try:
            stream = await open_stream()
        except BaseException as exc:
            if flight is not None:
                self._flights.crash(flight, exc)
            raise
        leader = flight

        async def on_complete(answer: ChatCompletion) -> None:
            await self._keep(decision, answer)
            if leader is not None:
                self._flights.land(leader, answer)

        async def on_abort(reason: BaseException | None) -> None:
            if leader is not None:
                self._flights.crash(leader, reason)

        stream.watch(on_complete, on_abort)
        return stream

    async def _lookup(self, key: str, route: RouteInfo) -> ChatCompletion | None:
        blob = await self.store.get(key)
        answer = decode(blob) if blob is not None else None
        if answer is None:
            return None
        return _as_hit(answer.response, route, answer.model, answer.provider)

    async def _keep(self, decision: CacheDecision, resp: ChatCompletion) -> None:
        if not decision.store or resp.route is None:
            return
        answer = CachedAnswer(model=resp.route.model, provider=resp.route.provider, response=resp)
        await self.store.set(decision.key, encode(answer), decision.ttl_s)

    async def aclose(self) -> None:
        await self.store.aclose()


def _as_hit(
    resp: ChatCompletion, route: RouteInfo, model: str | None = None, provider: str | None = None
) -> ChatCompletion:
    """`resp` marked as served by the cache. Hits decoded from the store are fresh objects and
    are marked in place (this is the hot path); a shared single-flight answer is copied."""
    origin = resp.route
    info = RouteInfo(
        route=route.route,
        model=model or (origin.model if origin else route.model),
        provider=provider or (origin.provider if origin else route.provider),
        strategy=route.strategy,
        attempts=[],
        cost_usd=0.0,
        cache_hit=True,
    )
    if model is None:
        return resp.model_copy(update={"route": info})
    resp.route = info
    return resp
