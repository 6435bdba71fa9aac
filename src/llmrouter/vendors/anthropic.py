"""Anthropic (api.anthropic.com), Messages API. Error body:
`{"type": "error", "error": {"type": "...", "message": "..."}}`; a 529 is `overloaded_error`.

No embeddings: "Anthropic does not offer its own embedding model" (platform.claude.com, "Build
with Claude > Embeddings", which points to Voyage AI, `voyage/...` through litellm)."""

from __future__ import annotations

from llmrouter import errors as e
from llmrouter.vendors.base import Limits, Vendor

ANTHROPIC_ERRORS = {
    "authentication_error": e.AuthenticationError,
    "permission_error": e.AuthenticationError,
    "not_found_error": e.BadRequestError,
    "request_too_large": e.BadRequestError,
    "rate_limit_error": e.RateLimitError,
    "api_error": e.ProviderUnavailableError,
    "overloaded_error": e.OverloadedError,
    "timeout_error": e.ProviderTimeoutError,
    "invalid_request_error": e.BadRequestError,
}

ANTHROPIC_UNCARRIED = frozenset(
    {
        "seed",
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "presence_penalty",
        "frequency_penalty",
        "audio",
        "modalities",
        "prediction",
        "web_search_options",
        "verbosity",
        "functions",
        "function_call",
    }
)
"""OpenAI parameters the Messages API has no field for."""

ANTHROPIC_LIMITS = Limits(
    uncarried=ANTHROPIC_UNCARRIED, json_with_tools=False, max_choices=1, signed_thinking=True
)

VENDOR = Vendor(
    name="anthropic",
    prefixes=("anthropic",),
    wire="anthropic",
    api_base="https://api.anthropic.com",
    telemetry_name="anthropic",
    error_codes=ANTHROPIC_ERRORS,
    limits=ANTHROPIC_LIMITS,
    auth="x-api-key",
    embeddings=False,
)
