"""OpenAI (api.openai.com). Error body: `{"error": {"message", "type", "param", "code"}}`.

Embeddings: `POST /v1/embeddings` (API reference, "Create embeddings": `input` a string or an
array of up to 2,048 items, `encoding_format` float or base64, `dimensions` on
text-embedding-3 and later models only)."""

from __future__ import annotations

from typing import Any

from llmrouter import errors as e
from llmrouter.vendors.base import Limits, Vendor

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

EFFORT_BY_BUDGET = ((2048, "low"), (8192, "medium"))
"""An Anthropic thinking `budget_tokens` -> OpenAI `reasoning_effort` (above: high)."""


def thinking_as_effort(body: dict[str, Any]) -> None:
    """Anthropic's `thinking` control as OpenAI's `reasoning_effort`, in place."""
    thinking = body.pop("thinking", None)
    if not isinstance(thinking, dict) or "reasoning_effort" in body:
        return
    if thinking.get("type") == "disabled":
        body["reasoning_effort"] = "minimal"
        return
    budget = thinking.get("budget_tokens")
    effort = "medium"
    if isinstance(budget, int):
        effort = next((name for limit, name in EFFORT_BY_BUDGET if budget <= limit), "high")
    body["reasoning_effort"] = effort


VENDOR = Vendor(
    name="openai",
    prefixes=("openai",),
    wire="openai",
    api_base="https://api.openai.com/v1",
    telemetry_name="openai",
    error_codes=OPENAI_ERRORS,
    limits=Limits(uncarried=frozenset({"top_k"})),
    adapt_body=thinking_as_effort,
    embeddings=True,
)
