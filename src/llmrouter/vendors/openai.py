"""OpenAI (api.openai.com). Error body: `{"error": {"message", "type", "param", "code"}}`."""

from __future__ import annotations

from llmrouter import errors as e
from llmrouter.vendors.base import Vendor

# `error.code` / `error.type` values of OpenAI and of most OpenAI-compatible servers; every
# OpenAI-wire vendor starts from this table.
OPENAI_ERRORS = {
    "context_length_exceeded": e.ContextWindowExceededError,
    "string_above_max_length": e.ContextWindowExceededError,
    "content_policy_violation": e.ContentFilteredError,
    "content_filter": e.ContentFilteredError,
    "responsibleaipolicyviolation": e.ContentFilteredError,
    "insufficient_quota": e.QuotaExceededError,
    "billing_hard_limit_reached": e.QuotaExceededError,
    "rate_limit_exceeded": e.RateLimitError,
    "invalid_api_key": e.AuthenticationError,
    "model_not_found": e.BadRequestError,
}

VENDOR = Vendor(
    name="openai",
    prefixes=("openai",),
    wire="openai",
    api_base="https://api.openai.com/v1",
    telemetry_name="openai",
    error_codes=OPENAI_ERRORS,
)
