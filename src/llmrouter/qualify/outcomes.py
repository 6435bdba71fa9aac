"""How one side of a shadow pair or a canary sample ended, and the result records the report
reads: one per answer (or its absence), in the shape `llmrouter eval` writes."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llmrouter.errors import LLMRouterError
from llmrouter.experiments.answers import Answer
from llmrouter.experiments.checks import grade
from llmrouter.experiments.grading import Check, GradeContext, JudgeClient
from llmrouter.experiments.outcomes import failure_of
from llmrouter.experiments.records import CheckOutcome, ResultRecord, Source, Status
from llmrouter.pipeline.reply import Ending
from llmrouter.types import Attempt, ChatCompletion, RouteInfo

__all__ = ["Outcome", "case_id", "compared", "leg_outcome", "record"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a request ended on one model."""

    status: Status
    error_kind: str | None = None
    latency_s: float = 0.0
    cost_usd: float = 0.0
    model: str | None = None
    attempts: int = 0
    answer: ChatCompletion | None = None

    @classmethod
    def answered(cls, answer: ChatCompletion, route: RouteInfo, latency_s: float) -> Outcome:
        """An answer: `refused` when it declines (a refusal field, finish or wording)."""
        refused = Answer.of(answer).is_refusal
        return cls(
            status="refused" if refused else "ok",
            error_kind="refusal" if refused else None,
            latency_s=max(latency_s, 0.0),
            cost_usd=route.cost_usd,
            model=route.model,
            attempts=sum(a.outcome != "skipped" for a in route.attempts),
            answer=answer,
        )

    @classmethod
    def failed(cls, error: BaseException, latency_s: float, model: str | None = None) -> Outcome:
        """No answer: `refused` for a content filter, else `error` of the fault's kind."""
        if isinstance(error, LLMRouterError):
            status, kind = failure_of(error)
            attempts = sum(a.outcome != "skipped" for a in error.attempts)
        else:
            status, kind, attempts = "error", type(error).__name__, 0
        return cls(status, kind, max(latency_s, 0.0), model=model, attempts=attempts)


def case_id(metadata: Mapping[str, Any]) -> str:
    """The request's `metadata["request_id"]` (to find it in the audit log), else a fresh id."""
    value = metadata.get("request_id")
    return value if isinstance(value, str) and value else secrets.token_hex(8)


def record(
    source: Source,
    run_id: str,
    route: str,
    case: str,
    outcome: Outcome,
    *,
    at: float,
    passed: bool | None = None,
    checks: Sequence[CheckOutcome] = (),
    capture_content: bool = False,
    judge_cost_usd: float = 0.0,
) -> ResultRecord:
    """The result record of one outcome; `passed` defaults to "it answered"."""
    answer = outcome.answer
    text = Answer.of(answer).text if capture_content and answer is not None else None
    return ResultRecord(
        source=source,
        run_id=run_id,
        route=route,
        case_id=case,
        status=outcome.status,
        passed=outcome.status == "ok" if passed is None else passed,
        error_kind=outcome.error_kind,
        checks=tuple(checks),
        latency_s=outcome.latency_s,
        cost_usd=max(outcome.cost_usd, 0.0),
        judge_cost_usd=judge_cost_usd,
        model=outcome.model,
        attempts=outcome.attempts,
        at=at,
        answer=text,
    )


async def compared(
    baseline: Outcome,
    candidate: Outcome,
    checks: Sequence[Check],
    *,
    messages: Sequence[Mapping[str, Any]],
    judge: JudgeClient | None,
    capture_content: bool,
) -> tuple[bool, tuple[CheckOutcome, ...], float]:
    """Whether the candidate did at least as well as the baseline, the comparators' outcomes
    and what the judge cost. Both answered: every comparator must pass against the
    baseline's answer. The baseline did not answer (or refused) and the candidate did: it did
    as well. The candidate did not answer: it did not."""
    if candidate.status != "ok" or candidate.answer is None:
        return False, (), 0.0
    if baseline.status != "ok" or baseline.answer is None:
        return True, (), 0.0
    context = GradeContext(
        messages=messages,
        reference=Answer.of(baseline.answer),
        judge=judge,
        capture_content=capture_content,
    )
    outcomes = await grade(checks, Answer.of(candidate.answer), context)
    return all(c.passed for c in outcomes), outcomes, context.judge_cost_usd


def leg_outcome(
    attempts: Sequence[Attempt], ending: Ending | None, model: str | None
) -> Outcome | None:
    """The outcome of the canary's leg (`model`), or of the control request's first leg
    (None); None when there is none to measure: never sent (the data policy, a block, a
    budget), lost a hedge, or its stream abandoned by the reader. A leg its circuit breaker
    refused is an error: the breaker opened on that model's faults."""
    leg = None
    for attempt in attempts:
        if model is not None and attempt.model != model:
            continue
        if attempt.outcome != "skipped":
            leg = attempt
            break
        if attempt.error == "circuit_open":
            return Outcome("error", "circuit_open", model=attempt.model, attempts=0)
        if model is not None:
            return None
    if leg is None:
        return None
    if leg.outcome == "error":
        status: Status = "refused" if leg.error == "content_filter" else "error"
        return Outcome(status, leg.error, leg.latency_s, model=leg.model, attempts=1)
    if ending is None or ending.route.model != leg.model:
        return None
    if ending.answer is None:
        fault = ending.fault_kind
        if fault is None:
            return None
        status = "refused" if fault == "content_filter" else "error"
        return Outcome(status, fault, leg.latency_s, model=leg.model, attempts=1)
    if not isinstance(ending.answer, ChatCompletion):  # canaries serve chat only
        return None
    answered = Outcome.answered(ending.answer, ending.route, leg.latency_s)
    return Outcome(
        answered.status, answered.error_kind, leg.latency_s, answered.cost_usd, leg.model, 1
    )
