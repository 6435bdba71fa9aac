"""The request span and the request callbacks (`on_success` / `on_failure`): the outermost
request stage, so cache hits and refusals before any call are traced too."""

from __future__ import annotations

import asyncio

from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.telemetry.instrument import NOOP_REQUEST, Instrumentation, RequestScope

__all__ = ["RequestTelemetry"]


class RequestTelemetry:
    """Opens a `RequestScope` per request; ends it when the answer ends."""

    def __init__(self, instrumentation: Instrumentation) -> None:
        self._instrumentation = instrumentation

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        scope = self._instrumentation.request(ex.route.name, ex.request)
        if scope is NOOP_REQUEST:  # nothing observes: pay nothing
            return await call_next(ex)
        ex.telemetry = scope
        try:
            reply = await call_next(ex)
        except BaseException as err:
            await asyncio.shield(scope.failed(err))
            raise
        await reply.on_end(_Ended(scope))
        return reply


class _Ended:
    __slots__ = ("_scope",)

    def __init__(self, scope: RequestScope) -> None:
        self._scope = scope

    async def __call__(self, ending: Ending) -> None:
        if ending.completed:
            await self._scope.succeeded(ending.route)
        else:
            await self._scope.failed(ending.error)
