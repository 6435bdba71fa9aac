"""How a failed request counts: a refusal (content filters count as refusals) or an error of a
fault kind."""

from __future__ import annotations

from llmrouter.errors import (
    AllModelsFailedError,
    BudgetExceededError,
    ContentFilteredError,
    LLMRouterError,
    NoEligibleModelError,
    ProviderError,
    RequestValidationError,
    RouteNotFoundError,
)
from llmrouter.experiments.records import Status

__all__ = ["failure_of"]

_KINDS: dict[type[LLMRouterError], str] = {
    NoEligibleModelError: "no_eligible_model",
    BudgetExceededError: "budget",
    RequestValidationError: "invalid_request",
    RouteNotFoundError: "route_not_found",
}


def failure_of(err: LLMRouterError) -> tuple[Status, str]:
    """`("refused", "content_filter")` or `("error", kind)`, `kind` being the fault's stable
    name (`ProviderError.kind`: `unavailable`, `timeout`, `rate_limit`, ...)."""
    cause: LLMRouterError | None = err
    if isinstance(err, AllModelsFailedError):
        # Every candidate failed: the last fault says why; none at all means the deadline.
        cause = err.last_error if isinstance(err.last_error, LLMRouterError) else None
        if cause is None:
            return "error", "timeout"
    if isinstance(cause, ContentFilteredError):
        return "refused", "content_filter"
    if isinstance(cause, ProviderError):
        return "error", cause.kind
    if isinstance(cause, NoEligibleModelError):
        # Every candidate was skipped: one shared reason (circuit_open, budget, policy, ...)
        # says more than the class.
        reasons = {a.error for a in cause.attempts if a.outcome == "skipped" and a.error}
        if len(reasons) == 1:
            return "error", reasons.pop()
    for cls, kind in _KINDS.items():
        if isinstance(cause, cls):
            return "error", kind
    return "error", "error"
