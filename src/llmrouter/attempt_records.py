"""Attempt records (`route.attempts`) and the summary error when no candidate answered."""

from __future__ import annotations

from collections.abc import Sequence

from llmrouter.errors import AllModelsFailedError, NoEligibleModelError, ProviderError
from llmrouter.providers.base import Deployment
from llmrouter.types import Attempt, LegKindT

__all__ = ["failed", "no_answer", "skipped", "succeeded"]


def skipped(deployment: Deployment, reason: str, detail: str | None = None) -> Attempt:
    return Attempt(
        model=deployment.name,
        provider=deployment.provider_name,
        outcome="skipped",
        error=reason,
        detail=detail,
    )


def failed(
    deployment: Deployment, err: ProviderError, latency_s: float, kind: LegKindT | None = None
) -> Attempt:
    return Attempt(
        model=deployment.name,
        provider=deployment.provider_name,
        outcome="error",
        error=err.kind,
        status_code=err.status_code,
        latency_s=latency_s,
        detail=err.detail,
        kind=kind,
    )


def succeeded(deployment: Deployment, latency_s: float, kind: LegKindT | None = None) -> Attempt:
    return Attempt(
        model=deployment.name,
        provider=deployment.provider_name,
        outcome="ok",
        latency_s=latency_s,
        kind=kind,
    )


def no_answer(
    attempts: Sequence[Attempt], last: ProviderError | None, timeout_s: float, out_of_time: bool
) -> AllModelsFailedError | NoEligibleModelError:
    """`NoEligibleModelError` when no call was made at all (every candidate skipped: open
    circuits, limits), else `AllModelsFailedError`; both carry the attempts."""
    tried = [a for a in attempts if a.outcome == "error"]
    if not tried and not out_of_time and attempts:
        reasons = "; ".join(f"{a.model}: {a.error}" for a in attempts)
        err = NoEligibleModelError(f"no model can take the request now ({reasons})")
        err.attempts = list(attempts)
        return err
    summary = _summary(tried) or "no attempt made"
    skipped = [a for a in attempts if a.outcome == "skipped"]
    if skipped:  # the data policy, blocks, budgets: why the others were not tried
        summary += "; not tried: " + "; ".join(_describe(a, 1) for a in skipped)
    if out_of_time:
        message = f"deadline of {timeout_s:g}s exceeded after {len(tried)} attempts ({summary})"
    else:
        message = f"all models failed ({summary})"
    return AllModelsFailedError(message, attempts, last)


_DETAIL_CHARS = 160


def _summary(tried: Sequence[Attempt]) -> str:
    """`glm: unavailable x2 (Cannot connect to host ...); claude: quota (...)`: consecutive
    attempts with the same model, kind and detail are folded, and each names its cause."""
    groups: list[tuple[Attempt, int]] = []
    for attempt in tried:
        if groups and _same_fault(groups[-1][0], attempt):
            groups[-1] = (groups[-1][0], groups[-1][1] + 1)
        else:
            groups.append((attempt, 1))
    return "; ".join(_describe(attempt, count) for attempt, count in groups)


def _same_fault(a: Attempt, b: Attempt) -> bool:
    return (a.model, a.error, a.detail) == (b.model, b.error, b.detail)


def _describe(attempt: Attempt, count: int) -> str:
    text = f"{attempt.model}: {attempt.error}" + (f" x{count}" if count > 1 else "")
    detail = " ".join((attempt.detail or "").split())
    if len(detail) > _DETAIL_CHARS:
        detail = detail[: _DETAIL_CHARS - 3] + "..."
    return f"{text} ({detail})" if detail else text
