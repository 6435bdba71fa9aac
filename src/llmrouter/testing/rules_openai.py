"""What OpenAI chat completions and Z.ai (Zhipu GLM) refuse with HTTP 400, and how they say it.
Each rule has a name a test can relax (`LocalProvider.relax(name)`).

OpenAI flavour (`{"error": {"message", "type": "invalid_request_error", "param", "code"}}`):

- `unknown_param`: a body field chat completions does not define ("Unrecognized request
  argument supplied: X");
- `stream_options`: `stream_options` on a request that does not stream.

Zhipu flavour (`{"error": {"code": "...", "message": "..."}}`, limits of Z.ai's API reference):

- `zhipu_tool_choice`: `tool_choice` other than `"auto"` (code 1214);
- `zhipu_stop`: more than one stop word (code 1214);
- `zhipu_response_format`: a `response_format` other than `text` / `json_object` (code 1214);
- `zhipu_images`: image parts sent to a text model (one without a `v` suffix such as
  `glm-4.6v`; code 1210).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["OPENAI_PARAMS", "RULE_NAMES", "OpenAIRefusal", "check_openai", "check_zhipu"]

OPENAI_PARAMS = frozenset(
    {
        "model", "messages", "audio", "frequency_penalty", "function_call", "functions",
        "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata",
        "modalities", "moderation", "n", "parallel_tool_calls", "prediction",
        "presence_penalty", "prompt_cache_key", "prompt_cache_options",
        "prompt_cache_retention", "reasoning_effort", "response_format", "safety_identifier",
        "seed", "service_tier", "stop", "store", "stream", "stream_options", "temperature",
        "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity",
        "web_search_options",
    }
)  # fmt: skip
"""Body fields of `POST /chat/completions` (openai-python `CompletionCreateParams`)."""

_VISION_MODEL = re.compile(r"glm-[\d.]+v|glm-4v|-vision|autoglm", re.IGNORECASE)


class OpenAIRefusal:
    """A refused request: the rule, the message, and (OpenAI) param or (Zhipu) code."""

    __slots__ = ("code", "message", "param", "rule")

    def __init__(
        self, rule: str, message: str, *, param: str | None = None, code: str = ""
    ) -> None:
        self.rule = rule
        self.message = message
        self.param = param
        self.code = code


def _unknown_param(body: Mapping[str, Any]) -> OpenAIRefusal | None:
    for key in body:
        if key not in OPENAI_PARAMS:
            return OpenAIRefusal("unknown_param", f"Unrecognized request argument supplied: {key}")
    return None


def _stream_options(body: Mapping[str, Any]) -> OpenAIRefusal | None:
    if body.get("stream_options") is not None and body.get("stream") is not True:
        message = "The 'stream_options' parameter is only allowed when 'stream' is enabled."
        return OpenAIRefusal("stream_options", message, param="stream_options")
    return None


def _invalid(field: str) -> str:
    # Z.ai's wording for code 1214 ("Invalid ${field} parameter. Please check the documentation").
    return f"Invalid {field} parameter. Please check the documentation"


def _zhipu_tool_choice(body: Mapping[str, Any]) -> OpenAIRefusal | None:
    if body.get("tool_choice") not in (None, "auto"):
        return OpenAIRefusal("zhipu_tool_choice", _invalid("tool_choice"), code="1214")
    return None


def _zhipu_stop(body: Mapping[str, Any]) -> OpenAIRefusal | None:
    stop = body.get("stop")
    if isinstance(stop, list) and len(stop) > 1:
        return OpenAIRefusal("zhipu_stop", _invalid("stop"), code="1214")
    return None


def _zhipu_response_format(body: Mapping[str, Any]) -> OpenAIRefusal | None:
    fmt = body.get("response_format")
    if fmt is None:
        return None
    if not isinstance(fmt, Mapping) or fmt.get("type") not in ("text", "json_object"):
        return OpenAIRefusal("zhipu_response_format", _invalid("response_format"), code="1214")
    return None


def _has_image(body: Mapping[str, Any]) -> bool:
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, list) and any(
            isinstance(p, Mapping) and p.get("type") in ("image_url", "image") for p in content
        ):
            return True
    return False


def _zhipu_images(body: Mapping[str, Any]) -> OpenAIRefusal | None:
    if _has_image(body) and not _VISION_MODEL.search(str(body.get("model", ""))):
        message = "Incorrect API call parameters, please check the documentation"
        return OpenAIRefusal("zhipu_images", message, code="1210")
    return None


_Rule = Callable[[Mapping[str, Any]], "OpenAIRefusal | None"]
_OPENAI_RULES: tuple[_Rule, ...] = (_unknown_param, _stream_options)
_ZHIPU_RULES: tuple[_Rule, ...] = (
    _zhipu_tool_choice,
    _zhipu_stop,
    _zhipu_response_format,
    _zhipu_images,
)
RULE_NAMES = frozenset(
    {"unknown_param", "stream_options", "zhipu_tool_choice", "zhipu_stop"}
    | {"zhipu_response_format", "zhipu_images"}
)


def _first(
    rules: tuple[_Rule, ...], body: Mapping[str, Any], relaxed: frozenset[str] | set[str]
) -> OpenAIRefusal | None:
    for rule in rules:
        refusal = rule(body)
        if refusal is not None and refusal.rule not in relaxed:
            return refusal
    return None


def check_openai(
    body: Mapping[str, Any], relaxed: frozenset[str] | set[str]
) -> OpenAIRefusal | None:
    """The first OpenAI rule `body` breaks, skipping `relaxed` rules."""
    return _first(_OPENAI_RULES, body, relaxed)


def check_zhipu(
    body: Mapping[str, Any], relaxed: frozenset[str] | set[str]
) -> OpenAIRefusal | None:
    """The first Z.ai limit `body` breaks, skipping `relaxed` rules."""
    return _first(_ZHIPU_RULES, body, relaxed)
