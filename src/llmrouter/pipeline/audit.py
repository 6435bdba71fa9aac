"""The audit stage: one record per request, refused ones included, naming where its data went
(every leg with vendor and region) and why it did not go elsewhere (every exclusion and its
rule), to the audit file, the `on_audit` callbacks and the request span (`llmrouter.audit`).
It sits inside the request telemetry and outside everything else, so it sees a request refused
for its data class, a cache hit, and a stream when it ends. No prompt, completion or key."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from llmrouter.datapolicy.audit import AuditTrail
from llmrouter.datapolicy.audit_sinks import AuditLog, audit_event_attributes
from llmrouter.datapolicy.facts import CandidateFacts
from llmrouter.errors import LLMRouterError
from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.types import Attempt

__all__ = ["EVENT", "AuditStage"]

EVENT = "llmrouter.audit"


class AuditStage:
    """Writes each request's `AuditRecord` when the request ends."""

    def __init__(
        self,
        log: AuditLog,
        facts: Mapping[str, CandidateFacts],
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._log = log
        self._facts = facts
        self._wall = wall_clock

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        if not self._log.enabled and not ex.telemetry.records_events:
            return await call_next(ex)  # no sink and no recording span: nobody reads a record
        started = self._wall()
        try:
            reply = await call_next(ex)
        except LLMRouterError as err:
            await asyncio.shield(self._emit(ex, started, err.attempts or ex.attempts, err))
            raise
        await reply.on_end(_Ended(self, ex, started))
        return reply

    async def _emit(
        self,
        ex: Exchange,
        started: float,
        attempts: list[Attempt],
        error: BaseException | None = None,
        ending: Ending | None = None,
    ) -> None:
        trail = AuditTrail(
            self._facts,
            route=ex.route.name,
            tenant=ex.request.tenant,
            data_class=ex.data_class,
            request_id=_request_id(ex),
            wall_clock=lambda: started,
        )
        trail.attempts(attempts, [a.kind for a in attempts if a.outcome != "skipped" and a.kind])
        if ending is not None and ending.answer is not None:
            route = ending.route
            record = trail.finish(
                served_model=route.model, cache_hit=route.cache_hit, cost_usd=route.cost_usd
            )
        else:
            error = error if error is not None else (ending.error if ending else None)
            record = trail.finish(error=error or _Abandoned())
        if ex.telemetry.records_events:
            ex.telemetry.span_event(EVENT, audit_event_attributes(record))
        await self._log.emit(record)


class _Abandoned(Exception):
    """The reader stopped before the answer was whole (recorded as the error's name)."""


class _Ended:
    __slots__ = ("_ex", "_stage", "_started")

    def __init__(self, stage: AuditStage, ex: Exchange, started: float) -> None:
        self._stage, self._ex, self._started = stage, ex, started

    async def __call__(self, ending: Ending) -> None:
        attempts = ending.route.attempts if ending.route.attempts else self._ex.attempts
        await self._stage._emit(self._ex, self._started, attempts, ending=ending)


def _request_id(ex: Exchange) -> str | None:
    value = ex.request.metadata.get("request_id")
    return value if isinstance(value, str) and value else None
