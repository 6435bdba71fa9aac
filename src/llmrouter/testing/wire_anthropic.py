"""The Anthropic Messages wire format (JSON and SSE), including its error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmrouter.testing.content import Answer, Finish, ParsedRequest, parse_anthropic, split_words
from llmrouter.testing.faults import Fault
from llmrouter.testing.prompt_cache import PromptCache
from llmrouter.testing.rules_anthropic import check_anthropic
from llmrouter.testing.wire import (
    CacheTokens,
    FaultContext,
    HttpReply,
    Refused,
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
    "refusal": "refusal",
    "pause_turn": "pause_turn",
    # Anthropic has no network_error stop reason; the server fails such an answer with an
    # `event: error` (stream) or a 500 (JSON) instead, see `network_error_event`.
    "network_error": "end_turn",
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

    def check(
        self, headers: Mapping[str, str], body: Mapping[str, Any], seq: int, relaxed: set[str]
    ) -> Refused | None:
        """Anthropic's 400 for a missing `anthropic-version` header or a body it refuses
        (see `llmrouter.testing.rules_anthropic`)."""
        request_id = {"request-id": f"req_local_{seq}"}
        if not headers.get("anthropic-version"):
            body_out = _error("invalid_request_error", "anthropic-version header is required")
            return Refused("anthropic_version", json_reply(400, body_out, request_id))
        refusal = check_anthropic(headers, body, relaxed)
        if refusal is None:
            return None
        rule, message = refusal
        return Refused(rule, json_reply(400, _error("invalid_request_error", message), request_id))

    def cache_use(
        self, cache: PromptCache, body: Mapping[str, Any], min_tokens: int
    ) -> CacheTokens:
        """Explicit prompt caching: (cache read tokens, cache write tokens)."""
        use = cache.anthropic(body, min_tokens)
        return use.read, use.write

    def _stop_reason(self, finish: Finish) -> str:
        return STOP_REASONS[finish]

    def _usage(self, answer: Answer, output_tokens: int) -> dict[str, Any]:
        read = min(answer.cache_read, answer.prompt_tokens)
        write = min(answer.cache_write, answer.prompt_tokens - read)
        return {
            "input_tokens": answer.prompt_tokens - read - write,
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
            "output_tokens": output_tokens,
        }

    def _message(self, answer: Answer, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": f"msg_local_{answer.seq}",
            "type": "message",
            "role": "assistant",
            "model": answer.model,
            "content": content,
            "stop_reason": self._stop_reason(answer.finish),
            "stop_sequence": None,
            "usage": self._usage(answer, answer.completion_tokens),
        }

    def _tool_block(self, answer: Answer, tool_input: Any) -> dict[str, Any]:
        assert answer.tool_call is not None
        return {
            "type": "tool_use",
            "id": f"toolu_local_{answer.seq}",
            "name": answer.tool_call.name,
            "input": tool_input,
        }

    def _thinking_block(self, answer: Answer) -> dict[str, Any]:
        return {"type": "thinking", "thinking": answer.thinking, "signature": answer.signature}

    def success(self, answer: Answer) -> HttpReply:
        """The `message` JSON object (a thinking block first when thinking is on)."""
        content: list[dict[str, Any]] = []
        if answer.thinking is not None:
            content.append(self._thinking_block(answer))
        if answer.tool_call is not None:
            content.append(self._tool_block(answer, json.loads(answer.tool_call.arguments)))
        elif answer.refusal is None:
            content.append({"type": "text", "text": answer.text or ""})
        headers = {"request-id": f"req_local_{answer.seq}"}
        return json_reply(200, self._message(answer, content), headers)

    def stream(self, answer: Answer, request: ParsedRequest) -> StreamPlan:
        """message_start, ping, then per block content_block_start / deltas / _stop
        (thinking: `thinking_delta`s then a `signature_delta`), message_delta, message_stop."""
        start = self._message(answer, [])
        start["stop_reason"] = None
        start["usage"] = self._usage(answer, 1)
        blocks: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        if answer.thinking is not None:
            deltas = [
                {"type": "thinking_delta", "thinking": w} for w in split_words(answer.thinking)
            ]
            deltas.append({"type": "signature_delta", "signature": answer.signature})
            blocks.append(({"type": "thinking", "thinking": "", "signature": ""}, deltas))
        if answer.tool_call is not None:
            arguments = answer.tool_call.arguments
            middle = len(arguments) // 2
            pieces = [arguments[:middle], arguments[middle:]]
            deltas = [{"type": "input_json_delta", "partial_json": p} for p in pieces if p]
            blocks.append((self._tool_block(answer, {}), deltas))
        elif answer.refusal is None:
            deltas = [{"type": "text_delta", "text": w} for w in split_words(answer.text or "")]
            blocks.append(({"type": "text", "text": ""}, deltas))
        head = [sse_event("message_start", {"type": "message_start", "message": start})]
        content = self._blocks(blocks)
        if blocks:  # as Anthropic does: the first block opens before the ping
            head.append(content.pop(0))
        head.append(sse_event("ping", {"type": "ping"}))
        message_delta = {
            "type": "message_delta",
            "delta": {"stop_reason": self._stop_reason(answer.finish), "stop_sequence": None},
            "usage": {"output_tokens": answer.completion_tokens},
        }
        tail = [
            sse_event("message_delta", message_delta),
            sse_event("message_stop", {"type": "message_stop"}),
        ]
        return StreamPlan(head, content, tail)

    def _blocks(self, blocks: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> list[bytes]:
        """The content events: per block its start, its deltas and its stop. A later block's
        start rides with its first delta and each stop with the last, so a fault "after `k`
        content events" cuts between deltas."""
        events: list[bytes] = []
        for index, (block, deltas) in enumerate(blocks):
            start = sse_event(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": block},
            )
            stop = sse_event("content_block_stop", {"type": "content_block_stop", "index": index})
            parts = [self._delta(delta, index) for delta in deltas] or [b""]
            parts[-1] += stop
            if index == 0:
                events.append(start)
            else:
                parts[0] = start + parts[0]
            events.extend(parts)
        return events

    def _delta(self, delta: dict[str, Any], index: int = 0) -> bytes:
        payload = {"type": "content_block_delta", "index": index, "delta": delta}
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

    def network_error_event(self) -> bytes | None:
        """How Anthropic fails an answer mid-stream on its side: `event: error`, `api_error`."""
        return sse_event("error", _error("api_error", "Internal server error"))

    def stream_error_event(self) -> bytes:
        """The `error` event Anthropic sends when it is overloaded mid-stream."""
        return sse_event("error", _error("overloaded_error", "Overloaded"))

    def malformed_event(self) -> bytes:
        """An event whose data is not JSON."""
        return b"event: content_block_delta\ndata: {not json\n\n"
