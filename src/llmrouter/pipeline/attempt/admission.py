"""Admission: a model's circuit breaker and concurrency limit decide whether an attempt may be
sent at all; a refused one is skipped without a call. The attempt's verdict goes back to the
breaker when its answer ends, so a stream that breaks after its first chunk counts as the
failure it is."""

from __future__ import annotations

from llmrouter.errors import ProviderError
from llmrouter.pipeline.chain import LegHandler
from llmrouter.pipeline.exchange import Leg
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.resilience.guard import Admission, Guard

__all__ = ["AdmissionStage", "Skipped"]


class Skipped(Exception):
    """A candidate left out without a call: `reason` goes in `Attempt.error`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class AdmissionStage:
    """Breakers and bulkheads around each attempt."""

    def __init__(self, guard: Guard) -> None:
        self._guard = guard

    async def __call__(self, leg: Leg, call_next: LegHandler) -> Reply:
        guard = self._guard
        name = leg.deployment.name
        admission = await guard.admit(name, leg.exchange.route.breaker)
        if isinstance(admission, str):
            raise Skipped(admission, guard.refusal_detail(name, admission))
        try:
            reply = await call_next(leg)
        except ProviderError as err:
            guard.release(admission, err.kind)
            raise
        except BaseException:
            guard.release(admission, "cancelled")
            raise
        if reply.is_stream:
            await reply.on_end(_Release(guard, admission))
        else:
            guard.release(admission, None)
        return reply


class _Release:
    __slots__ = ("_admission", "_guard")

    def __init__(self, guard: Guard, admission: Admission) -> None:
        self._guard, self._admission = guard, admission

    async def __call__(self, ending: Ending) -> None:
        self._guard.release(self._admission, ending.fault_kind)
