"""Attempt accounting: the attempt's record (`route.attempts`), its latency sample, and what it
cost, charged to the budgets when its answer ends (a stream that breaks or is abandoned is
charged what it used; see `Reply.route`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from llmrouter import attempt_records as records
from llmrouter.errors import ProviderError
from llmrouter.pipeline.chain import LegHandler
from llmrouter.pipeline.exchange import Leg
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.routing.stats import ModelStats
from llmrouter.types import Attempt

__all__ = ["AttemptAccounting", "Charges"]


class Charges(Protocol):
    """Where attempts' costs go: the `BudgetBook` (a shadow's go to its own scope only)."""

    def charge(self, route: str, model: str, tenant: str | None, cost_usd: float) -> None: ...


class AttemptAccounting:
    """Records each attempt and charges its cost."""

    def __init__(
        self, stats: ModelStats, budgets: Charges | None, clock: Callable[[], float]
    ) -> None:
        self._stats = stats
        self._budgets = budgets
        self._clock = clock

    async def __call__(self, leg: Leg, call_next: LegHandler) -> Reply:
        try:
            reply = await call_next(leg)
        except ProviderError as err:
            self._record(leg, records.failed(leg.deployment, err, self._elapsed(leg), leg.kind))
            if err.usage is not None:  # the provider answered, and billed it
                await self._charge(leg, leg.deployment.price.cost_usd(err.usage))
            raise
        self._record(leg, records.succeeded(leg.deployment, self._elapsed(leg), leg.kind))
        await reply.on_end(_Settle(self, leg))
        return reply

    def _elapsed(self, leg: Leg) -> float:
        return self._clock() - leg.started

    def _record(self, leg: Leg, attempt: Attempt) -> None:
        leg.record = attempt
        leg.exchange.attempts.append(attempt)
        self._stats.observe_attempt(attempt)

    async def settle(self, leg: Leg, ending: Ending) -> None:
        """The attempt's answer ended: its size for the strategies, its cost for the budgets."""
        answer = ending.answer
        if answer is not None and answer.usage.completion_tokens > 0:
            self._stats.record_completion(leg.deployment.name, answer.usage.completion_tokens)
        await self._charge(leg, ending.route.cost_usd)

    async def _charge(self, leg: Leg, cost_usd: float) -> None:
        if self._budgets is not None:
            ex = leg.exchange
            self._budgets.charge(ex.route.name, leg.deployment.name, ex.request.tenant, cost_usd)


class _Settle:
    __slots__ = ("_accounting", "_leg")

    def __init__(self, accounting: AttemptAccounting, leg: Leg) -> None:
        self._accounting, self._leg = accounting, leg

    async def __call__(self, ending: Ending) -> None:
        await self._accounting.settle(self._leg, ending)
