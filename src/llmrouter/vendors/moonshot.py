"""Moonshot AI's Kimi models (`moonshot/kimi-k2-0905-preview`), OpenAI-compatible:
api.moonshot.ai/v1, or `api_base: https://api.moonshot.cn/v1` in mainland China.

Errors name their class in `error.type` (platform.moonshot.ai, "Errors"): a 429 may be a rate
limit, an exhausted quota or an overloaded engine, told apart only by the type. Cache hits come
as `usage.cached_tokens` beside the totals (read by `Usage`, so they are priced as cache reads);
there is no Moonshot transcript in the conformance corpus yet.

No embeddings: its API reference (platform.moonshot.ai/docs/api) lists chat completions, batches,
files, the model list, token estimation and the balance, and no embeddings endpoint.
"""

from __future__ import annotations

from llmrouter import errors as e
from llmrouter.vendors.base import Limits, Vendor
from llmrouter.vendors.openai import OPENAI_ERRORS

MOONSHOT_ERRORS = {
    "invalid_authentication_error": e.AuthenticationError,
    "incorrect_api_key_error": e.AuthenticationError,
    "permission_denied_error": e.AuthenticationError,
    "resource_not_found_error": e.BadRequestError,
    "exceeded_current_quota_error": e.QuotaExceededError,
    "rate_limit_reached_error": e.RateLimitError,
    "engine_overloaded_error": e.OverloadedError,
    "content_filter": e.ContentFilteredError,
    "server_error": e.ProviderUnavailableError,
}

VENDOR = Vendor(
    name="moonshot",
    prefixes=("moonshot",),
    wire="openai",
    api_base="https://api.moonshot.ai/v1",
    telemetry_name="moonshot",
    error_codes={**OPENAI_ERRORS, **MOONSHOT_ERRORS},
    limits=Limits(uncarried=frozenset({"top_k", "thinking", "reasoning_effort"})),
    embeddings=False,
)
