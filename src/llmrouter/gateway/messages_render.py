"""The router's answer as Anthropic Messages JSON and SSE events, and the Anthropic error
shape.

- content: thinking blocks with their signatures where the backend gave them (a stream ends
  each with a `signature_delta`), else `reasoning_content` -> a `thinking` block with
  signature "",
  text -> a `text` block, `tool_calls` -> `tool_use` blocks (`input` = the parsed arguments);
- a refusal (`message.refusal`) -> a `text` block; `finish_reason` stop / length /
  tool_calls / content_filter / refusal -> `stop_reason` end_turn / max_tokens / tool_use /
  refusal;
- usage: `input_tokens` = prompt tokens less cached ones, `cache_read_input_tokens` = cached.
- a stream: `message_start`, per block `content_block_start` / `_delta` (`text_delta`,
  `thinking_delta`, `input_json_delta`) / `_stop`, `message_delta` (stop reason and usage),
  `message_stop`; a failure after the first event is `event: error` and the stream ends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from llmrouter.errors import LLMRouterError
from llmrouter.gateway.frontend import Inbound
from llmrouter.gateway.problems import Kind, Problem, problem_for
from llmrouter.gateway.sse import named_event
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion, Usage

__all__ = ["anthropic_error", "message_events", "render_message"]

STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
    "refusal": "refusal",
}

_ERROR_TYPES: dict[Kind, str] = {
    "invalid_request": "invalid_request_error",
    "context_window": "invalid_request_error",
    "content_filter": "invalid_request_error",
    "unauthenticated": "authentication_error",
    "forbidden": "permission_error",
    "not_found": "not_found_error",
    "too_large": "request_too_large",
    "rate_limit": "rate_limit_error",
    "quota": "rate_limit_error",
    "overloaded": "overloaded_error",
    "no_eligible": "api_error",
    "unavailable": "api_error",
    "timeout": "timeout_error",
    "internal": "api_error",
}


def anthropic_error(problem: Problem) -> dict[str, Any]:
    """`{"type": "error", "error": {"type", "message"}}`."""
    return {
        "type": "error",
        "error": {"type": _ERROR_TYPES[problem.kind], "message": problem.message},
    }


def anthropic_status(problem: Problem) -> int:
    """Anthropic's own status codes: 529 for overloaded."""
    return 529 if problem.kind == "overloaded" else problem.status


def _message_id(raw_id: str) -> str:
    return raw_id if raw_id.startswith("msg_") else "msg_" + (raw_id or uuid.uuid4().hex)


def _usage(usage: Usage | None) -> dict[str, int]:
    usage = usage or Usage()
    cached = usage.cached_tokens
    return {
        "input_tokens": max(usage.prompt_tokens - cached, 0),
        "output_tokens": usage.completion_tokens,
        "cache_read_input_tokens": cached,
        "cache_creation_input_tokens": 0,
    }


def _arguments(text: str) -> Any:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {"_raw_arguments": text}


def _thinking_out(block: Any) -> dict[str, Any]:
    """A Router thinking block (with its signature) as an Anthropic content block."""
    if getattr(block, "type", None) == "redacted_thinking":
        return {"type": "redacted_thinking", "data": getattr(block, "data", None) or ""}
    return {
        "type": "thinking",
        "thinking": getattr(block, "thinking", None) or "",
        "signature": getattr(block, "signature", None) or "",
    }


def _thinking(message: Any) -> list[dict[str, Any]]:
    """Thinking blocks as the backend signed them, else the reasoning text (signature "")."""
    blocks = getattr(message, "thinking_blocks", None)
    if blocks:
        return [_thinking_out(block) for block in blocks]
    if message.reasoning_content:
        return [{"type": "thinking", "thinking": message.reasoning_content, "signature": ""}]
    return []


def render_message(answer: ChatCompletion, inbound: Inbound) -> dict[str, Any]:
    choice = answer.choices[0] if answer.choices else None
    content: list[dict[str, Any]] = []
    if choice is not None:
        message = choice.message
        content.extend(_thinking(message))
        text = message.content or message.refusal  # a refusal is the answer's text
        if text:
            content.append({"type": "text", "text": text})
        for call in message.tool_calls or ():
            content.append(
                {
                    "type": "tool_use",
                    "id": call.id,
                    "name": call.function.name or "",
                    "input": _arguments(call.function.arguments),
                }
            )
    reason = choice.finish_reason if choice is not None else None
    return {
        "id": _message_id(answer.id),
        "type": "message",
        "role": "assistant",
        "model": inbound.model,
        "content": content,
        "stop_reason": STOP_REASONS.get(reason or "stop", "end_turn"),
        "stop_sequence": None,
        "usage": _usage(answer.usage),
    }


class _Blocks:
    """The content block being streamed: opens and closes blocks as the deltas change kind."""

    def __init__(self) -> None:
        self.index = -1
        self.kind: str | None = None
        self.tool: int | None = None

    def close(self) -> list[bytes]:
        if self.kind is None:
            return []
        self.kind = None
        return [
            named_event("content_block_stop", {"type": "content_block_stop", "index": self.index})
        ]

    def open(self, kind: str, block: dict[str, Any], tool: int | None = None) -> list[bytes]:
        out = self.close()
        self.index += 1
        self.kind, self.tool = kind, tool
        out.append(
            named_event(
                "content_block_start",
                {"type": "content_block_start", "index": self.index, "content_block": block},
            )
        )
        return out

    def delta(self, delta: dict[str, Any]) -> bytes:
        payload = {"type": "content_block_delta", "index": self.index, "delta": delta}
        return named_event("content_block_delta", payload)


async def message_events(stream: RouterStream, inbound: Inbound) -> AsyncGenerator[bytes, None]:
    start: dict[str, Any] = {
        "id": _message_id(""),
        "type": "message",
        "role": "assistant",
        "model": inbound.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(None),
    }
    yield named_event("message_start", {"type": "message_start", "message": start})
    blocks = _Blocks()
    finish: str | None = None
    try:
        async for chunk in stream:
            for choice in chunk.choices[:1]:
                for event in _chunk_events(choice.delta, blocks):
                    yield event
                finish = choice.finish_reason or finish
    except LLMRouterError as exc:
        yield named_event("error", anthropic_error(problem_for(exc)))
        return
    for event in blocks.close():
        yield event
    delta = {"stop_reason": STOP_REASONS.get(finish or "stop", "end_turn"), "stop_sequence": None}
    payload = {"type": "message_delta", "delta": delta, "usage": _usage(stream.usage)}
    yield named_event("message_delta", payload)
    yield named_event("message_stop", {"type": "message_stop"})


def _chunk_events(delta: Any, blocks: _Blocks) -> list[bytes]:
    out: list[bytes] = []
    if delta.reasoning_content:
        if blocks.kind != "thinking":
            out += blocks.open("thinking", {"type": "thinking", "thinking": "", "signature": ""})
        out.append(blocks.delta({"type": "thinking_delta", "thinking": delta.reasoning_content}))
    for closed in getattr(delta, "thinking_blocks", None) or ():
        out += _closed_thinking(closed, blocks)
    text = delta.content or getattr(delta, "refusal", None)  # a refusal is the answer's text
    if text:
        if blocks.kind != "text":
            out += blocks.open("text", {"type": "text", "text": ""})
        out.append(blocks.delta({"type": "text_delta", "text": text}))
    for call in delta.tool_calls or ():
        if blocks.kind != "tool_use" or blocks.tool != call.index:
            name = call.function.name if call.function is not None else None
            block: dict[str, Any] = {
                "type": "tool_use",
                "id": call.id or "",
                "name": name or "",
                "input": {},
            }
            out += blocks.open("tool_use", block, call.index)
        arguments = call.function.arguments if call.function is not None else None
        if arguments:
            out.append(blocks.delta({"type": "input_json_delta", "partial_json": arguments}))
    return out


def _closed_thinking(block: Any, blocks: _Blocks) -> list[bytes]:
    """A thinking block the backend closed: its signature ends the streamed block (a redacted
    block is a block of its own)."""
    out: list[bytes] = []
    if getattr(block, "type", None) == "redacted_thinking":
        out += blocks.open("redacted_thinking", _thinking_out(block))
        return out + blocks.close()
    if blocks.kind != "thinking":
        out += blocks.open("thinking", {"type": "thinking", "thinking": "", "signature": ""})
        text = getattr(block, "thinking", None)
        if text:
            out.append(blocks.delta({"type": "thinking_delta", "thinking": text}))
    signature = getattr(block, "signature", None)
    if signature:
        out.append(blocks.delta({"type": "signature_delta", "signature": signature}))
    return out + blocks.close()
