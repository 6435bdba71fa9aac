"""The attempt span (a GenAI-convention CLIENT span) and the `on_attempt` callbacks."""

from __future__ import annotations

import asyncio

from llmrouter.pipeline.chain import LegHandler
from llmrouter.pipeline.exchange import Leg
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.telemetry.instrument import NOOP_REQUEST, AttemptScope

__all__ = ["AttemptTelemetry"]


class AttemptTelemetry:
    """Opens the attempt's scope; ends it when the attempt's answer ends."""

    async def __call__(self, leg: Leg, call_next: LegHandler) -> Reply:
        parent = leg.exchange.telemetry
        if parent is NOOP_REQUEST:
            return await call_next(leg)
        scope = leg.telemetry = parent.attempt(leg.deployment, leg.number)
        try:
            reply = await call_next(leg)
        except BaseException as err:
            await asyncio.shield(scope.failed(err, leg.record))
            raise
        assert leg.record is not None  # set by attempt accounting
        await scope.answered(leg.record)
        await reply.on_end(_Ended(scope))
        return reply


class _Ended:
    __slots__ = ("_scope",)

    def __init__(self, scope: AttemptScope) -> None:
        self._scope = scope

    async def __call__(self, ending: Ending) -> None:
        if ending.answer is not None:
            self._scope.completed(ending.answer)
        else:
            self._scope.broke(ending.error)
