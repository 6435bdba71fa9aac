"""What went wrong, independent of the inbound format: a kind, a status, a message, the field
at fault and how long to wait. Each frontend renders a `Problem` in its own error shape.

| llmrouter error | kind | HTTP |
|---|---|---|
| `RequestValidationError`, upstream `BadRequestError` | invalid_request | 400 |
| `ContextWindowExceededError` | context_window | 400 |
| `ContentFilteredError` | content_filter | 400 |
| `RouteNotFoundError` | not_found | 404 |
| `RateLimitError` | rate_limit | 429 + Retry-After |
| `QuotaExceededError`, `BudgetExceededError` | quota | 429 (+ Retry-After: the budget's reset) |
| `OverloadedError` | overloaded | 503 (Anthropic clients: 529) |
| `NoEligibleModelError` | no_eligible | 503 |
| `ProviderUnavailableError`, `MalformedResponseError`, upstream auth | unavailable | 502 |
| `ProviderTimeoutError` | timeout | 504 |

`AllModelsFailedError` takes the kind of its last error, `StreamInterruptedError` (a stream
that broke after its first byte: the format's error event) the kind of the fault that broke
it. An upstream 401 is a 502 here: the gateway's own provider key failed, which the client can
do nothing about.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

from llmrouter.errors import (
    AllModelsFailedError,
    BudgetExceededError,
    LLMRouterError,
    NoEligibleModelError,
    ProviderError,
    RequestValidationError,
    RouteNotFoundError,
    StreamInterruptedError,
)

__all__ = ["GatewayError", "Kind", "Problem", "problem_for"]

Kind = Literal[
    "invalid_request",
    "context_window",
    "content_filter",
    "unauthenticated",
    "forbidden",
    "not_found",
    "too_large",
    "rate_limit",
    "quota",
    "overloaded",
    "no_eligible",
    "unavailable",
    "timeout",
    "internal",
]

STATUS: dict[Kind, int] = {
    "invalid_request": 400,
    "context_window": 400,
    "content_filter": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "too_large": 413,
    "rate_limit": 429,
    "quota": 429,
    "overloaded": 503,
    "no_eligible": 503,
    "unavailable": 502,
    "timeout": 504,
    "internal": 500,
}

_PROVIDER_KINDS: dict[str, Kind] = {
    "rate_limit": "rate_limit",
    "quota": "quota",
    "overloaded": "overloaded",
    "timeout": "timeout",
    "context_window": "context_window",
    "content_filter": "content_filter",
    "bad_request": "invalid_request",
}


@dataclass(frozen=True)
class Problem:
    """A failed request, ready to render."""

    kind: Kind
    message: str
    param: str | None = None
    retry_after_s: float | None = None

    @property
    def status(self) -> int:
        return STATUS[self.kind]

    def retry_after_header(self) -> dict[str, str]:
        """`Retry-After` in whole seconds (at least 1), when known."""
        if self.retry_after_s is None or not math.isfinite(self.retry_after_s):
            return {}
        return {"Retry-After": str(max(1, math.ceil(self.retry_after_s)))}


class GatewayError(Exception):
    """A request the gateway itself refuses (auth, permissions, size, an unknown model)."""

    def __init__(self, kind: Kind, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(kind, message, param)


def problem_for(exc: BaseException) -> Problem:
    """The problem an exception raised while serving a request stands for."""
    if isinstance(exc, GatewayError):
        return exc.problem
    if isinstance(exc, RequestValidationError):
        return Problem("invalid_request", exc.message, exc.field)
    if isinstance(exc, RouteNotFoundError):
        return Problem("not_found", exc.message, "model")
    if isinstance(exc, BudgetExceededError):
        return Problem("quota", exc.message, retry_after_s=max(exc.resets_at - time.time(), 1.0))
    if isinstance(exc, NoEligibleModelError):
        return Problem("no_eligible", exc.message)
    if isinstance(exc, AllModelsFailedError):
        last = exc.last_error
        if isinstance(last, ProviderError):
            inner = _provider_problem(last)
            return Problem(inner.kind, exc.message, inner.param, inner.retry_after_s)
        return Problem("unavailable", exc.message)
    if isinstance(exc, ProviderError):
        return _provider_problem(exc)
    if isinstance(exc, LLMRouterError):
        return Problem("internal", exc.message)
    return Problem("internal", "internal error")


def _provider_problem(exc: ProviderError) -> Problem:
    fault = exc.cause_kind if isinstance(exc, StreamInterruptedError) else exc.kind
    kind = _PROVIDER_KINDS.get(fault, "unavailable")
    return Problem(kind, exc.message, retry_after_s=exc.retry_after_s)
