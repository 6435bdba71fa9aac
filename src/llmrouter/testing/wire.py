"""Shared rendering types: an HTTP reply, a stream plan and the interface of a wire format."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from llmrouter.testing.content import Answer, ParsedRequest
from llmrouter.testing.faults import Fault
from llmrouter.testing.prompt_cache import PromptCache

CacheTokens = tuple[int, int]
"""(prompt tokens read from the prompt cache, prompt tokens written to it)."""

__all__ = [
    "CacheTokens",
    "FaultContext",
    "HttpReply",
    "Refused",
    "StreamPlan",
    "WireFormat",
    "format_seconds",
    "json_reply",
    "raw_reply",
    "retry_headers",
    "sse_data",
    "sse_event",
]


@dataclass(frozen=True)
class HttpReply:
    """A complete HTTP answer."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """A request the real API refuses: the rule it breaks and the API's error reply."""

    rule: str
    reply: HttpReply


@dataclass(frozen=True)
class StreamPlan:
    """An SSE answer in three parts so faults can cut it after `k` content events."""

    head: list[bytes]
    content: list[bytes]
    tail: list[bytes]


@dataclass(frozen=True)
class FaultContext:
    """Facts about the request that some fault bodies quote."""

    seq: int
    api_key: str
    prompt_tokens: int
    context_window: int


class WireFormat(Protocol):
    """How one provider API parses requests and renders answers and faults."""

    def parse(self, body: Mapping[str, Any]) -> ParsedRequest:
        """Parse a request body."""
        ...

    def api_key(self, headers: Mapping[str, str]) -> str:
        """The API key the client sent (lower-case header names)."""
        ...

    def check(
        self, headers: Mapping[str, str], body: Mapping[str, Any], seq: int, relaxed: set[str]
    ) -> Refused | None:
        """The error for a request the real API refuses (rules in `relaxed` skipped)."""
        ...

    def cache_use(
        self, cache: PromptCache, body: Mapping[str, Any], min_tokens: int
    ) -> CacheTokens:
        """Look the request up in the provider's prompt cache (and cache it)."""
        ...

    def success(self, answer: Answer) -> HttpReply:
        """The JSON answer."""
        ...

    def stream(self, answer: Answer, request: ParsedRequest) -> StreamPlan:
        """The SSE answer."""
        ...

    def error(self, fault: Fault, ctx: FaultContext) -> HttpReply:
        """An HTTP error fault rendered like the real API."""
        ...

    def stream_error_event(self) -> bytes:
        """The in-stream error event."""
        ...

    def network_error_event(self) -> bytes | None:
        """The event that ends a stream failed on the provider's side, where the wire has no
        `network_error` finish reason (Anthropic); None where it has one (OpenAI, Zhipu)."""
        ...

    def malformed_event(self) -> bytes:
        """An SSE event whose data is not JSON."""
        ...


def _dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def json_reply(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> HttpReply:
    """A JSON reply with `content-type: application/json`."""
    merged = {"content-type": "application/json", **(headers or {})}
    return HttpReply(status, _dumps(payload).encode(), merged)


def raw_reply(fault: Fault) -> HttpReply:
    """`Fault.http`: the status, body and headers exactly as scripted."""
    status = fault.status or 500
    headers = dict(fault.headers or {})
    if isinstance(fault.body, dict):
        return json_reply(status, fault.body, headers)
    headers = {"content-type": "text/plain; charset=utf-8", **headers}
    return HttpReply(status, (fault.body or "").encode(), headers)


def format_seconds(seconds: float) -> str:
    """`60.0` -> `"60"`, `0.6` -> `"0.6"` (the `retry-after` header value)."""
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def retry_headers(fault: Fault) -> dict[str, str]:
    """`retry-after` / `retry-after-ms` headers of a rate-limit fault."""
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["retry-after"] = format_seconds(fault.retry_after)
    if fault.retry_after_ms is not None:
        headers["retry-after-ms"] = str(fault.retry_after_ms)
    return headers


def sse_data(payload: Any) -> bytes:
    """An OpenAI-style SSE event: `data: <json>`."""
    data = payload if isinstance(payload, str) else _dumps(payload)
    return f"data: {data}\n\n".encode()


def sse_event(event: str, payload: Any) -> bytes:
    """An Anthropic-style SSE event: `event: <type>` then `data: <json>`."""
    data = payload if isinstance(payload, str) else _dumps(payload)
    return f"event: {event}\ndata: {data}\n\n".encode()
