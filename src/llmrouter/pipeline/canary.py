"""The canary stage, right after planning: a request assigned to the route's canary gets the
canary first in its candidates (the planned order behind it, as fallbacks) and its leg the
kind `canary`; a request of the control group keeps the planned order. Both are measured when
they end (`llmrouter.qualify.canary`); a breach rolls the canary back. An unassigned request,
and every request once the canary is rolled back, passes through untouched."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Ending, Reply

if TYPE_CHECKING:
    from llmrouter.qualify.canary import Canaries, CanaryPlan, SideName

__all__ = ["CanaryStage"]


class CanaryStage:
    """Assigns requests to the canary or the control group, and measures both."""

    def __init__(self, canaries: Canaries) -> None:
        self._canaries = canaries
        self._plans = canaries.plans

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        plan = self._plans.get(ex.route.name)
        if plan is None or ex.request.operation != "chat":  # another model's vectors would
            return await call_next(ex)  # not match the index the caller searches
        side = plan.assign(ex.request)
        if side is None or (side == "canary" and not await self._canaries.lead(plan, ex)):
            return await call_next(ex)
        try:
            reply = await call_next(ex)
        except Exception as err:
            self._canaries.observe(plan, side, ex, error=err)
            raise
        await reply.on_end(_Observe(self._canaries, plan, side, ex))
        return reply


class _Observe:
    __slots__ = ("_canaries", "_ex", "_plan", "_side")

    def __init__(self, canaries: Canaries, plan: CanaryPlan, side: SideName, ex: Exchange) -> None:
        self._canaries, self._plan, self._side, self._ex = canaries, plan, side, ex

    async def __call__(self, ending: Ending) -> None:
        self._canaries.observe(self._plan, self._side, self._ex, ending=ending)
