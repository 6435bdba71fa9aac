"""The Anthropic Messages wire format (JSON and SSE), including its error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmrouter.testing.content import Answer, Finish, ParsedRequest, parse_anthropic, split_words
from llmrouter.testing.faults import Fault
from llmrouter.testing.wire import (
    FaultContext,
    HttpReply,
    StreamPlan,
    json_reply,
    raw_reply,
    retry_headers,
    sse_event,
)

__all__ = ["AnthropicWire"]

STOP_REASONS: dict[str, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "filtered": "refusal",
    "network_error": "network_error",
}

QUOTA_MESSAGE = (
    "You have reached your specified API usage limits. "
    "You will regain access on 2026-12-01 at 00:00 UTC."
)


def _error(type_: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": type_, "message": message}}


class AnthropicWire:
    """Renders answers and faults as the Anthropic Messages API would."""

    flavor = "anthropic"

    def parse(self, body: Mapping[str, Any]) -> ParsedRequest:
        """Parse a Messages request body."""
        return parse_anthropic(body)

    def api_key(self, headers: Mapping[str, str]) -> str:
        """The `x-api-key` header."""
        return headers.get("x-api-key", "")

    def precheck(self, headers: Mapping[str, str], seq: int) -> HttpReply | None:
        """Anthropic refuses requests without an `anthropic-version` header."""
        if headers.get("anthropic-version"):
            return None
        body = _error("invalid_request_error", "anthropic-version header is required")
        return json_reply(400, body, {"request-id": f"req_local_{seq}"})

    def _stop_reason(self, finish: Finish) -> str:
        return STOP_REASONS[finish]

    def _message(self, answer: Answer, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": f"msg_local_{answer.seq}",
            "type": "message",
            "role": "assistant",
            "model": answer.model,
            "content": content,
            "stop_reason": self._stop_reason(answer.finish),
            "stop_sequence": None,
            "usage": {
                "input_tokens": answer.prompt_tokens,
                "output_tokens": answer.completion_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        }

    def _tool_block(self, answer: Answer, tool_input: Any) -> dict[str, Any]:
        assert answer.tool_call is not None
        return {
            "type": "tool_use",
            "id": f"toolu_local_{answer.seq}",
            "name": answer.tool_call.name,
            "input": tool_input,
        }

    def success(self, answer: Answer) -> HttpReply:
        """The `message` JSON object."""
        if answer.tool_call is not None:
            content = [self._tool_block(answer, json.loads(answer.tool_call.arguments))]
        else:
            content = [{"type": "text", "text": answer.text or ""}]
        headers = {"request-id": f"req_local_{answer.seq}"}
        return json_reply(200, self._message(answer, content), headers)

    def stream(self, answer: Answer, request: ParsedRequest) -> StreamPlan:
        """message_start, content_block_start, ping, deltas, content_block_stop,
        message_delta, message_stop."""
        start = self._message(answer, [])
        start["stop_reason"] = None
        start["usage"] = {**start["usage"], "output_tokens": 1}
        content: list[bytes] = []
        if answer.tool_call is not None:
            block = self._tool_block(answer, {})
            arguments = answer.tool_call.arguments
            middle = len(arguments) // 2
            for piece in (arguments[:middle], arguments[middle:]):
                if piece:
                    delta = {"type": "input_json_delta", "partial_json": piece}
                    content.append(self._delta(delta))
        else:
            block = {"type": "text", "text": ""}
            for word in split_words(answer.text or ""):
                content.append(self._delta({"type": "text_delta", "text": word}))
        head = [
            sse_event("message_start", {"type": "message_start", "message": start}),
            sse_event(
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": block},
            ),
            sse_event("ping", {"type": "ping"}),
        ]
        message_delta = {
            "type": "message_delta",
            "delta": {"stop_reason": self._stop_reason(answer.finish), "stop_sequence": None},
            "usage": {"output_tokens": answer.completion_tokens},
        }
        tail = [
            sse_event("content_block_stop", {"type": "content_block_stop", "index": 0}),
            sse_event("message_delta", message_delta),
            sse_event("message_stop", {"type": "message_stop"}),
        ]
        return StreamPlan(head, content, tail)

    def _delta(self, delta: dict[str, Any]) -> bytes:
        payload = {"type": "content_block_delta", "index": 0, "delta": delta}
        return sse_event("content_block_delta", payload)

    def error(self, fault: Fault, ctx: FaultContext) -> HttpReply:
        """An HTTP error fault with Anthropic's `{"type": "error", ...}` body."""
        headers = {"request-id": f"req_local_{ctx.seq}"}
        kind = fault.kind
        status = fault.status or 500
        if kind == "http":
            return raw_reply(fault)
        if kind == "rate_limit":
            message = "Number of request tokens has exceeded your per-minute rate limit"
            body = _error("rate_limit_error", message)
            return json_reply(429, body, {**headers, **retry_headers(fault)})
        if kind == "quota":
            body = _error("rate_limit_error", QUOTA_MESSAGE)
        elif kind == "overloaded":
            status, body = 529, _error("overloaded_error", "Overloaded")
        elif kind == "context_too_long":
            tokens, window = ctx.prompt_tokens, ctx.context_window
            message = f"prompt is too long: {tokens} tokens > {window} maximum"
            body = _error("invalid_request_error", message)
        elif kind == "content_filter":
            body = _error("invalid_request_error", "Output blocked by content filtering policy")
        elif kind == "auth":
            body = _error("authentication_error", f"invalid x-api-key {ctx.api_key}")
        elif kind == "bad_request":
            body = _error("invalid_request_error", fault.message or "Invalid parameter")
        else:  # server_error, and stream_error on a non-stream request
            body = _error("api_error", "Internal server error")
        return json_reply(status, body, headers)

    def stream_error_event(self) -> bytes:
        """The `error` event Anthropic sends when it is overloaded mid-stream."""
        return sse_event("error", _error("overloaded_error", "Overloaded"))

    def malformed_event(self) -> bytes:
        """An event whose data is not JSON."""
        return b"event: content_block_delta\ndata: {not json\n\n"
