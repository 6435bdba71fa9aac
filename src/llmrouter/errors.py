"""The one exception tree of llmrouter.

```
LLMRouterError
├── ConfigError                     a broken config: names file, line and field
├── RouteNotFoundError              `model=` names no route and no model
├── RequestValidationError          the caller's arguments are malformed
├── NoEligibleModelError            policy or budget left no candidate
├── BudgetExceededError
├── AllModelsFailedError            every candidate failed; carries the attempts
├── EvalInputError                  a prompt-set or results file is invalid: names file and line
├── ExperimentStoreError            the experiments results store cannot be read or written
└── ProviderError                   a provider fault, classified (see `llmrouter.faults`)
    ├── RateLimitError              429 rate limit
    ├── QuotaExceededError          429 quota / billing exhausted
    ├── OverloadedError             529 overloaded
    ├── ProviderUnavailableError    5xx, connection refused or reset
    ├── MalformedResponseError      the provider answered something we cannot parse
    │   └── InvalidResponseError    ... or parsed, but unusable: empty, or not the asked schema
    ├── ProviderTimeoutError
    ├── ContextWindowExceededError
    ├── ContentFilteredError
    ├── BadRequestError             400: the request itself is wrong
    ├── AuthenticationError         401 / 403
    └── StreamInterruptedError      a stream broke after its first chunk reached the caller
```

Provider errors carry data (model, provider, status code, provider error code) and a message
that is scrubbed of secrets before it is built. They never chain the adapter's own exception,
whose text may quote an API key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, TypedDict

from typing_extensions import Unpack

if TYPE_CHECKING:
    from llmrouter.types import Attempt, Usage

__all__ = [
    "AllModelsFailedError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ConfigError",
    "ContentFilteredError",
    "ContextWindowExceededError",
    "EvalInputError",
    "ExperimentStoreError",
    "InvalidResponseError",
    "LLMRouterError",
    "MalformedResponseError",
    "NoEligibleModelError",
    "OverloadedError",
    "ProviderError",
    "ProviderTimeoutError",
    "ProviderUnavailableError",
    "QuotaExceededError",
    "RateLimitError",
    "RequestValidationError",
    "RouteNotFoundError",
    "StreamInterruptedError",
]


class LLMRouterError(Exception):
    """Base class of every error llmrouter raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.attempts: list[Attempt] = []

    def __str__(self) -> str:
        return self.message


class ConfigError(LLMRouterError, ValueError):
    """The configuration is invalid.

    `problems` holds one line per problem, each as `file:line: field: what is wrong`.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = f"invalid llmrouter config: {self.problems[0]}"
        else:
            text = "invalid llmrouter config:\n" + "\n".join(f"  {p}" for p in self.problems)
        super().__init__(text)


class RouteNotFoundError(LLMRouterError, LookupError):
    """`model=` names neither a route nor a model of the config."""

    def __init__(self, name: str, known: Sequence[str], suggestion: str | None = None) -> None:
        self.name = name
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        listing = ", ".join(sorted(known)) or "none"
        super().__init__(f"unknown route or model {name!r}{hint} (known: {listing})")


class RequestValidationError(LLMRouterError, ValueError):
    """The arguments of a call are malformed; `field` names the culprit."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class NoEligibleModelError(LLMRouterError):
    """Policy, budgets or health left no model that may serve the request.

    `attempts` holds one `outcome="skipped"` record per candidate, with the reason in `error`
    (`context_window`, `no_tools`, `no_vision`, `no_json`, `budget`) and a `detail`.
    """

    def __init__(self, message: str, attempts: Sequence[Attempt] = ()) -> None:
        super().__init__(message)
        self.attempts = list(attempts)


class BudgetExceededError(LLMRouterError):
    """A route or tenant budget is exhausted; raised before any upstream call.

    `scope` is the budget's scope (`route:chat`, `tenant:acme`, `tenant:*`), `tenant` the
    request's tenant, `resets_at` the Unix time when its window ends.
    """

    def __init__(
        self,
        message: str,
        *,
        scope: str,
        limit_usd: float,
        spent_usd: float,
        window: str,
        resets_at: float,
        tenant: str | None = None,
    ) -> None:
        super().__init__(message)
        self.scope = scope
        self.tenant = tenant
        self.limit_usd = limit_usd
        self.spent_usd = spent_usd
        self.window = window
        self.resets_at = resets_at


class AllModelsFailedError(LLMRouterError):
    """Every candidate model failed (or the deadline ran out); `attempts` says how."""

    def __init__(self, message: str, attempts: Sequence[Attempt], last_error: Exception | None):
        super().__init__(message)
        self.attempts = list(attempts)
        self.last_error = last_error


class EvalInputError(LLMRouterError, ValueError):
    """A prompt-set (cases) file or an eval results file is invalid.

    `problems` holds one line per problem, each as `file:line: field: what is wrong`.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = f"invalid eval input: {self.problems[0]}"
        else:
            text = "invalid eval input:\n" + "\n".join(f"  {p}" for p in self.problems)
        super().__init__(text)


class ExperimentStoreError(LLMRouterError):
    """The results store of `experiments.store` (SQLite or Redis) failed; `store` names it
    without credentials."""

    def __init__(self, message: str, *, store: str) -> None:
        self.store = store
        super().__init__(f"experiments store {store}: {message}")


class ProviderErrorFields(TypedDict, total=False):
    """Keyword arguments every provider error accepts."""

    model: str | None
    provider: str | None
    status_code: int | None
    code: str | None
    retry_after_s: float | None


class ProviderError(LLMRouterError):
    """A fault reported by (or on the way to) one provider.

    `kind` is the stable short name used in `Attempt.error`, logs and metrics.
    """

    kind: ClassVar[str] = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        provider: str | None = None,
        status_code: int | None = None,
        code: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self.model = model
        self.provider = provider
        self.status_code = status_code
        self.code = code
        self.retry_after_s = retry_after_s
        self.usage: Usage | None = None
        """What the failed answer consumed, when the provider answered and billed it (a
        refusal, an empty or invalid answer); charged to the budgets."""
        where = f"{model} ({provider})" if model and provider else (model or provider or "")
        status = f" [HTTP {status_code}]" if status_code is not None else ""
        prefix = f"{where}{status}: " if where or status else ""
        super().__init__(f"{prefix}{message}")
        self.detail = message


class RateLimitError(ProviderError):
    """429: too many requests now; retrying later helps."""

    kind = "rate_limit"


class QuotaExceededError(ProviderError):
    """429: quota, balance or spend cap exhausted; retrying does not help."""

    kind = "quota"


class OverloadedError(ProviderError):
    """529 / overloaded: the provider sheds load."""

    kind = "overloaded"


class ProviderUnavailableError(ProviderError):
    """5xx, connection refused or reset."""

    kind = "unavailable"


class MalformedResponseError(ProviderError):
    """The provider answered 2xx with a body we cannot parse."""

    kind = "malformed_response"


class InvalidResponseError(MalformedResponseError):
    """The answer parsed but cannot be used: no choices, no content and no tool call, or
    content that fails the JSON schema the request asked for. A fault of that model, so the
    route falls back (see the fault policy's `invalid_response` row)."""

    kind = "invalid_response"


class ProviderTimeoutError(ProviderError):
    """The attempt ran past its timeout."""

    kind = "timeout"


class ContextWindowExceededError(ProviderError):
    """The request does not fit the model's context window."""

    kind = "context_window"


class ContentFilteredError(ProviderError):
    """The provider's safety system blocked the input or the output, or the model refused.

    `partial_text` is what a stream delivered before the block; `refusal` the model's refusal
    message when it refused (`code == "refusal"`)."""

    kind = "content_filter"

    def __init__(
        self,
        message: str,
        *,
        partial_text: str = "",
        refusal: str = "",
        **fields: Unpack[ProviderErrorFields],
    ) -> None:
        super().__init__(message, **fields)
        self.partial_text = partial_text
        self.refusal = refusal


class BadRequestError(ProviderError):
    """400: the request is wrong; no provider will accept it."""

    kind = "bad_request"


class AuthenticationError(ProviderError):
    """401 / 403: the credentials are missing, wrong or lack permission."""

    kind = "auth"


class StreamInterruptedError(ProviderError):
    """A stream failed after its first chunk reached the caller.

    `partial_text` holds the content delivered before the failure; `cause_kind` the kind of the
    fault that broke it.
    """

    kind = "stream_interrupted"

    def __init__(
        self,
        message: str,
        *,
        partial_text: str,
        cause_kind: str,
        **fields: Unpack[ProviderErrorFields],
    ) -> None:
        super().__init__(message, **fields)
        self.partial_text = partial_text
        self.cause_kind = cause_kind
