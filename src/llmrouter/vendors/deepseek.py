"""DeepSeek (api.deepseek.com), OpenAI-compatible. Statuses carry the meaning: 402 means the
balance is exhausted (a quota fault), 422 invalid parameters; a 503 is classified unavailable
(it falls back), and overloaded when its message says so.

No embeddings: its API reference (api-docs.deepseek.com) has chat completions, FIM completions,
the model list and the balance, and no embeddings endpoint."""

from __future__ import annotations

from llmrouter.vendors.base import Limits, Vendor
from llmrouter.vendors.openai import OPENAI_ERRORS

VENDOR = Vendor(
    name="deepseek",
    prefixes=("deepseek",),
    wire="openai",
    api_base="https://api.deepseek.com",
    telemetry_name="deepseek",
    error_codes=OPENAI_ERRORS,
    limits=Limits(uncarried=frozenset({"top_k", "thinking", "reasoning_effort"})),
    embeddings=False,
)
