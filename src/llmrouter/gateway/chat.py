"""Inbound OpenAI Chat Completions (`POST /v1/chat/completions`).

The internal call is already Chat-shaped, so messages pass as they are (roles and content-part
types checked) and parameters are sorted into four sets: carried (`CARRIED`), dropped and
named in `x-llmrouter-dropped` (`DROPPED`: hints for cost or speed), refused with a 400 naming
the field (`REFUSED`), and vendor fields (any other name), which only OpenAI-wire backends
carry: they pass through as they are (`extra_body` when translated), and models of another
wire are skipped. Answers are the router's `ChatCompletion` with `model` set
to the name the client asked for; streams are its chunks as `data:` events and `data: [DONE]`,
and a failure after the first chunk is a final `data: {"error": ...}` event without `[DONE]`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any

from llmrouter.errors import LLMRouterError
from llmrouter.gateway.frontend import Body, Inbound, refuse
from llmrouter.gateway.problems import Kind, Problem, problem_for
from llmrouter.gateway.sse import data_event
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion, Message
from llmrouter.vendors.base import Wire

__all__ = ["CARRIED", "DROPPED", "REFUSED", "ChatFrontend", "openai_error"]

CARRIED = frozenset(
    {
        "temperature",
        "top_p",
        "n",
        "stop",
        "max_tokens",
        "max_completion_tokens",
        "presence_penalty",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "user",
        "seed",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "reasoning_effort",
        "verbosity",
        "stream_options",
        "thinking",
        "top_k",
    }
)
"""Parameters passed to `Router.acompletion` as they are."""

DROPPED = frozenset(
    {
        "store",
        "metadata",
        "service_tier",
        "prompt_cache_key",
        "prompt_cache_retention",
        "prediction",
        "safety_identifier",
    }
)
"""Hints that change cost or speed, not the answer."""

REFUSED = frozenset(
    {"functions", "function_call", "audio", "modalities", "web_search_options"}
    | {"extra_body", "extra_headers"}
)
"""Fields no backend gets: the deprecated functions API, audio (the Router's answer has no
place for it), search run by the vendor, and the OpenAI SDK's own options (never body
fields)."""

_OWN = frozenset({"model", "messages", "stream"})

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
_PART_TYPES = frozenset({"text", "image_url"})
_MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "tool_calls", "tool_call_id", "refusal", "reasoning_content"}
    | ({"thinking_blocks"} if "thinking_blocks" in Message.model_fields else set())
)
"""Message keys carried (`thinking_blocks` where the Router's messages have them)."""

_OPENAI_TYPES: dict[Kind, tuple[str, str | None]] = {
    "invalid_request": ("invalid_request_error", None),
    "context_window": ("invalid_request_error", "context_length_exceeded"),
    "content_filter": ("invalid_request_error", "content_policy_violation"),
    "unauthenticated": ("invalid_request_error", "invalid_api_key"),
    "forbidden": ("invalid_request_error", "model_not_allowed"),
    "not_found": ("invalid_request_error", "model_not_found"),
    "too_large": ("invalid_request_error", "request_too_large"),
    "rate_limit": ("rate_limit_error", "rate_limit_exceeded"),
    "quota": ("insufficient_quota", "insufficient_quota"),
    "overloaded": ("server_error", "overloaded"),
    "no_eligible": ("server_error", "no_eligible_model"),
    "unavailable": ("server_error", "upstream_unavailable"),
    "timeout": ("server_error", "timeout"),
    "internal": ("server_error", None),
}


def openai_error(problem: Problem) -> dict[str, Any]:
    """`{"error": {message, type, param, code}}`, the OpenAI error shape."""
    kind, code = _OPENAI_TYPES[problem.kind]
    return {
        "error": {"message": problem.message, "type": kind, "param": problem.param, "code": code}
    }


class ChatFrontend:
    """Chat Completions in, Chat Completions out."""

    name = "chat"
    wire: Wire | None = "openai"

    def parse(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> Inbound:
        fields = Body(body)
        model = fields.need("model", str, "a model or route name")
        messages = fields.need("messages", list, "a list of messages")
        stream = bool(fields.get("stream", bool, "true or false"))
        inbound = Inbound(model, _check_messages(messages), {}, stream, raw=body)
        for name in body:
            if name in CARRIED:
                fields.ignore(name)
                inbound.params[name] = body[name]
            elif name in DROPPED:
                fields.drop(name, inbound.dropped)
            elif name not in REFUSED and name not in _OWN:
                fields.ignore(name)
                inbound.vendor_fields.append(name)
        if "functions" in body or "function_call" in body:
            raise refuse("functions", "the deprecated functions API is not carried; use tools")
        fields.finish()
        if inbound.vendor_fields:
            inbound.params["extra_body"] = {name: body[name] for name in inbound.vendor_fields}
        return inbound

    def render(self, answer: ChatCompletion, inbound: Inbound) -> dict[str, Any]:
        out = answer.model_dump(exclude={"route"}, exclude_none=True)
        out["model"] = inbound.model
        return out

    async def events(self, stream: RouterStream, inbound: Inbound) -> AsyncGenerator[bytes, None]:
        try:
            async for chunk in stream:
                chunk.model = inbound.model
                yield (
                    b"data: "
                    + chunk.__pydantic_serializer__.to_json(chunk, exclude_none=True)
                    + b"\n\n"
                )
        except LLMRouterError as exc:
            yield data_event(openai_error(problem_for(exc)))
            return
        yield b"data: [DONE]\n\n"

    def error_body(self, problem: Problem) -> dict[str, Any]:
        return openai_error(problem)

    def error_status(self, problem: Problem) -> int:
        return problem.status


def _check_messages(messages: list[Any]) -> list[dict[str, Any]]:
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise refuse(where, "must be an object")
        if message.get("role") not in _ROLES:
            raise refuse(f"{where}.role", f"must be one of {', '.join(sorted(_ROLES))}")
        for key in message:
            if key not in _MESSAGE_KEYS:
                raise refuse(f"{where}.{key}", "not supported by the llmrouter gateway")
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                kind = part.get("type") if isinstance(part, dict) else None
                if kind not in _PART_TYPES:
                    raise refuse(
                        f"{where}.content[{j}].type",
                        f"{kind!r} parts are not carried (text and image_url are)",
                    )
    return messages
