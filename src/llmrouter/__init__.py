"""llmrouter: one async interface over GLM, Claude, OpenAI and every provider litellm speaks,
with fallback chains, retries that never storm and typed errors."""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from llmrouter.errors import (
    AllModelsFailedError,
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    ConfigError,
    ContentFilteredError,
    ContextWindowExceededError,
    EvalInputError,
    ExperimentStoreError,
    InvalidResponseError,
    LLMRouterError,
    MalformedResponseError,
    NoEligibleModelError,
    OverloadedError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitError,
    RequestValidationError,
    RouteNotFoundError,
    StreamInterruptedError,
)

# The rest of the public surface loads on first use (PEP 562), so `import llmrouter` costs only
# the error classes; `from llmrouter import Router` loads the request path then.
_LAZY = {
    "RetrySettings": "llmrouter.pipeline.execution",
    "Router": "llmrouter.router",
    "RoutingSettings": "llmrouter.routing.settings",
    "RouterStream": "llmrouter.streaming",
    "Attempt": "llmrouter.types",
    "ChatCompletion": "llmrouter.types",
    "ChatCompletionChunk": "llmrouter.types",
    "Embedding": "llmrouter.types",
    "EmbeddingResponse": "llmrouter.types",
    "RouteInfo": "llmrouter.types",
    "Usage": "llmrouter.types",
}

if _TYPE_CHECKING:
    from llmrouter.pipeline.execution import RetrySettings
    from llmrouter.router import Router
    from llmrouter.routing.settings import RoutingSettings
    from llmrouter.streaming import RouterStream
    from llmrouter.types import (
        Attempt,
        ChatCompletion,
        ChatCompletionChunk,
        Embedding,
        EmbeddingResponse,
        RouteInfo,
        Usage,
    )


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llmrouter' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "AllModelsFailedError",
    "Attempt",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ConfigError",
    "ContentFilteredError",
    "ContextWindowExceededError",
    "Embedding",
    "EmbeddingResponse",
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
    "RetrySettings",
    "RouteInfo",
    "RouteNotFoundError",
    "Router",
    "RouterStream",
    "RoutingSettings",
    "StreamInterruptedError",
    "Usage",
    "__version__",
]
