"""llmrouter: one async interface over GLM, Claude, OpenAI and every provider litellm speaks,
with fallback chains, retries that never storm and typed errors."""

from llmrouter.errors import (
    AllModelsFailedError,
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    ConfigError,
    ContentFilteredError,
    ContextWindowExceededError,
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
from llmrouter.executor import RetrySettings
from llmrouter.router import Router
from llmrouter.routing.dispatch import RoutingSettings
from llmrouter.streaming import RouterStream
from llmrouter.types import (
    Attempt,
    ChatCompletion,
    ChatCompletionChunk,
    RouteInfo,
    Usage,
)

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
