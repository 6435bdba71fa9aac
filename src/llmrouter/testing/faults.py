"""Scriptable faults: what a local provider does instead of answering normally.

A `Fault` only says *what* goes wrong; the wire modules render it the way the impersonated
provider (OpenAI, Zhipu or Anthropic) really would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ERROR_KINDS", "Fault", "FaultKind"]

FaultKind = Literal[
    "http",
    "rate_limit",
    "quota",
    "server_error",
    "overloaded",
    "context_too_long",
    "content_filter",
    "filtered_finish",
    "auth",
    "bad_request",
    "hang",
    "drop_stream",
    "stream_error",
    "malformed",
    "network_error_finish",
    "refusal",
    "pause_turn",
]

#: Kinds answered with a plain HTTP error (rendered per wire and flavour).
ERROR_KINDS: frozenset[str] = frozenset(
    {
        "http",
        "rate_limit",
        "quota",
        "server_error",
        "overloaded",
        "context_too_long",
        "content_filter",
        "auth",
        "bad_request",
    }
)


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour. Build it with the named constructors, e.g. `Fault.quota()`.

    `kind` names the fault (for assertions and logs); `delay_s` is waited before answering.
    """

    kind: FaultKind
    status: int | None = None
    body: dict[str, Any] | str | None = field(default=None, hash=False)
    headers: Mapping[str, str] | None = field(default=None, hash=False)
    message: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    after_chunks: int = 0
    delay_s: float = 0.0

    def __str__(self) -> str:
        return self.kind

    @classmethod
    def http(
        cls,
        status: int,
        body: dict[str, Any] | str | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        delay_s: float = 0.0,
    ) -> Fault:
        """A raw answer: this status, body (a dict is sent as JSON) and headers, verbatim."""
        return cls("http", status=status, body=body, headers=headers, delay_s=delay_s)

    @classmethod
    def rate_limit(
        cls,
        retry_after: float | None = None,
        retry_after_ms: int | None = None,
        *,
        delay_s: float = 0.0,
    ) -> Fault:
        """HTTP 429 (rate limited), with `retry-after` / `retry-after-ms` headers when given."""
        return cls(
            "rate_limit",
            status=429,
            retry_after=retry_after,
            retry_after_ms=retry_after_ms,
            delay_s=delay_s,
        )

    @classmethod
    def quota(cls, *, delay_s: float = 0.0) -> Fault:
        """HTTP 429 saying the account is out of quota / credit (retrying will not help)."""
        return cls("quota", status=429, delay_s=delay_s)

    @classmethod
    def server_error(cls, status: int = 500, *, delay_s: float = 0.0) -> Fault:
        """A 5xx internal error with the provider's usual body."""
        return cls("server_error", status=status, delay_s=delay_s)

    @classmethod
    def overloaded(cls, *, delay_s: float = 0.0) -> Fault:
        """Anthropic's 529 `overloaded_error`; 503 "engine overloaded" on the OpenAI wire."""
        return cls("overloaded", delay_s=delay_s)

    @classmethod
    def context_too_long(cls, *, delay_s: float = 0.0) -> Fault:
        """HTTP 400: the prompt exceeds the model's context window."""
        return cls("context_too_long", status=400, delay_s=delay_s)

    @classmethod
    def content_filter(cls, *, delay_s: float = 0.0) -> Fault:
        """HTTP 400: the input was rejected by the provider's safety system."""
        return cls("content_filter", status=400, delay_s=delay_s)

    @classmethod
    def filtered_finish(cls, *, delay_s: float = 0.0) -> Fault:
        """HTTP 200, but the finish reason says the output was filtered."""
        return cls("filtered_finish", status=200, delay_s=delay_s)

    @classmethod
    def auth(cls, *, delay_s: float = 0.0) -> Fault:
        """HTTP 401 whose message echoes the full API key the client sent."""
        return cls("auth", status=401, delay_s=delay_s)

    @classmethod
    def bad_request(cls, message: str = "Invalid parameter", *, delay_s: float = 0.0) -> Fault:
        """HTTP 400 `invalid_request_error` with `message`."""
        return cls("bad_request", status=400, message=message, delay_s=delay_s)

    @classmethod
    def hang(cls, *, delay_s: float = 0.0) -> Fault:
        """Never answer; return as soon as the client disconnects (or after 300 s)."""
        return cls("hang", delay_s=delay_s)

    @classmethod
    def drop_stream(cls, after_chunks: int = 0, *, delay_s: float = 0.0) -> Fault:
        """Send the headers and `after_chunks` content chunks, then abort the TCP connection.

        A non-stream request gets the headers and half of the JSON body before the abort.
        """
        return cls("drop_stream", status=200, after_chunks=after_chunks, delay_s=delay_s)

    @classmethod
    def stream_error(cls, after_chunks: int = 0, *, delay_s: float = 0.0) -> Fault:
        """After `after_chunks` content chunks, send an in-stream error event and end.

        A non-stream request gets a 500 `server_error` instead.
        """
        return cls("stream_error", status=200, after_chunks=after_chunks, delay_s=delay_s)

    @classmethod
    def malformed(cls, *, delay_s: float = 0.0) -> Fault:
        """HTTP 200 with a truncated JSON body (a stream: one good chunk, then garbage)."""
        return cls("malformed", status=200, delay_s=delay_s)

    @classmethod
    def network_error_finish(cls, *, delay_s: float = 0.0) -> Fault:
        """GLM's `finish_reason: "network_error"` on HTTP 200 (OpenAI wire, JSON and stream).

        Anthropic has no such stop reason: its wire fails the way Anthropic does mid-answer,
        a stream ending in `event: error` (`api_error`) after the content, or a 500.
        """
        return cls("network_error_finish", status=200, delay_s=delay_s)

    @classmethod
    def refusal(cls, message: str | None = None, *, delay_s: float = 0.0) -> Fault:
        """HTTP 200, the model refuses: OpenAI's `message.refusal` (`delta.refusal` in a
        stream) with `content: null`; Anthropic's `stop_reason: "refusal"`."""
        return cls("refusal", status=200, message=message, delay_s=delay_s)

    @classmethod
    def pause_turn(cls, *, delay_s: float = 0.0) -> Fault:
        """HTTP 200 with Anthropic's `stop_reason: "pause_turn"` (a long server-tool turn the
        caller must continue). Anthropic wire only."""
        return cls("pause_turn", status=200, delay_s=delay_s)
