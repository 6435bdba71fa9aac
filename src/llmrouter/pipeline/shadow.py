"""The shadow stage: for a sample of a route's requests, start the route's shadows once the
caller's answer has ended (`llmrouter.qualify.shadow`). It sits after the cache (a cache hit
is not mirrored: no model answered it, so there is nothing to compare) and before
eligibility, so it sees the caller's final answer, fallbacks included. Nothing it does is
awaited by the caller: the hook only starts tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Ending, Reply

if TYPE_CHECKING:
    from llmrouter.qualify.shadow import ShadowPlan, Shadows

__all__ = ["ShadowStage"]


class ShadowStage:
    """Samples requests; mirrors each sampled one when its answer ends."""

    def __init__(self, shadows: Shadows, handler: Handler) -> None:
        """`handler`: the shadows' own path (audit, then an executor over the attempt stages
        with the shadows' breakers, statistics and budget scope)."""
        self._shadows = shadows
        self._plans = shadows.plans
        self._handler = handler

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        plan = self._plans.get(ex.route.name)
        # Embeddings are not mirrored: comparators grade text, and another model's vectors
        # belong to another index (docs/switching-vendors.md).
        if plan is None or ex.request.operation != "chat" or not plan.pick():
            return await call_next(ex)
        shadows = self._shadows
        started = shadows.clock()
        try:
            reply = await call_next(ex)
        except Exception as err:
            shadows.after(plan, ex, started, self._handler, error=err)
            raise
        await reply.on_end(_Mirror(self, plan, ex, started))
        return reply


class _Mirror:
    __slots__ = ("_ex", "_plan", "_stage", "_started")

    def __init__(self, stage: ShadowStage, plan: ShadowPlan, ex: Exchange, started: float) -> None:
        self._stage, self._plan, self._ex, self._started = stage, plan, ex, started

    async def __call__(self, ending: Ending) -> None:
        stage = self._stage
        stage._shadows.after(self._plan, self._ex, self._started, stage._handler, ending=ending)
