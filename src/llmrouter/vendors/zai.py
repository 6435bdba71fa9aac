"""Zhipu / Z.ai GLM over its OpenAI-compatible endpoint (api.z.ai, or open.bigmodel.cn with
`api_base: https://open.bigmodel.cn/api/paas/v4`).

Errors carry an HTTP status and a business code, a string: `{"error": {"code": "1301",
"message": "..."}}` (docs.z.ai/api-reference/api-code). Documented limits: one stop word,
`tool_choice` only `auto`, no JSON-schema `response_format` (only `json_object`).

Embeddings: `POST /paas/v4/embeddings` on the same api base, OpenAI-compatible (bigmodel.cn API
reference, "文本嵌入"): `embedding-3` (`dimensions` 256, 512, 1024 or 2048; 2048 by default) and
`embedding-2` (1024); `input` a string or an array of strings; floats only.
"""

from __future__ import annotations

from typing import Any

from llmrouter import errors as e
from llmrouter.vendors.base import Limits, Vendor
from llmrouter.vendors.openai import OPENAI_ERRORS

ZAI_API_BASE = "https://api.z.ai/api/paas/v4"

ZHIPU_CODES = {
    **dict.fromkeys(("1000", "1001", "1002", "1003", "1004"), e.AuthenticationError),
    **dict.fromkeys(("1110", "1111", "1112", "1121"), e.AuthenticationError),
    "1113": e.QuotaExceededError,
    "1120": e.ProviderUnavailableError,
    **dict.fromkeys(("1210", "1211", "1213", "1214", "1215"), e.BadRequestError),
    **dict.fromkeys(("1220", "1221", "1222"), e.AuthenticationError),
    **dict.fromkeys(("1230", "1234"), e.ProviderUnavailableError),
    "1261": e.ContextWindowExceededError,
    **dict.fromkeys(("1300", "1301"), e.ContentFilteredError),
    **dict.fromkeys(("1302", "1303", "1305"), e.RateLimitError),
    "1304": e.QuotaExceededError,
}

ZAI_LIMITS = Limits(
    max_stop_words=1,
    tool_choice=frozenset({"auto"}),
    json_schema=False,
    uncarried=frozenset({"top_k"}),
)


def glm_thinking(body: dict[str, Any]) -> None:
    """GLM's own reasoning switch, `thinking: {"type": "enabled" | "disabled"}`, from an
    Anthropic-style `thinking` or an OpenAI `reasoning_effort`, in place."""
    effort = body.pop("reasoning_effort", None)
    thinking = body.get("thinking")
    if isinstance(thinking, dict):
        enabled = thinking.get("type") != "disabled"
    elif effort is not None:
        enabled = effort not in ("none", "minimal")
    else:
        return
    body["thinking"] = {"type": "enabled" if enabled else "disabled"}


def _via_openai_compatible(model_id: str) -> tuple[str, str | None]:
    # litellm's zai adapter drops `max_retries` (its SDK would retry behind the router's back);
    # its generic OpenAI-compatible adapter honours it, and Z.ai speaks that wire.
    return f"openai/{model_id}", ZAI_API_BASE


VENDOR = Vendor(
    name="zai",
    prefixes=("zai",),
    wire="openai",
    api_base=ZAI_API_BASE,
    telemetry_name="zai",
    error_codes={**OPENAI_ERRORS, **ZHIPU_CODES},
    limits=ZAI_LIMITS,
    litellm_model=_via_openai_compatible,
    adapt_body=glm_thinking,
    capability_defaults={"vision": False},
    embeddings=True,
)
