"""Server-sent events (the `text/event-stream` format both wire formats stream in).

`SSEDecoder` is a push parser: feed it bytes as they arrive, get complete events back. It
follows the WHATWG rules that matter here: `\\n`, `\\r\\n` and `\\r` line ends, `data:` lines
joined by `\\n`, an optional space after the colon, `:` comment lines, a blank line ends an
event. `id:` and `retry:` are ignored (no adapter reconnects a completion stream).

`iter_sse(resp, ...)` reads an aiohttp response with it and turns a connection that fails or
times out mid-stream into a classified provider error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp

from llmrouter.providers.base import ProviderCall
from llmrouter.providers.http_client import Redact, fault, transport_fault

__all__ = ["SSEDecoder", "ServerSentEvent", "iter_sse"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One event: its `event:` name (None when absent) and its data (bytes, lines joined)."""

    event: str | None
    data: bytes


class SSEDecoder:
    """Incremental SSE parser."""

    __slots__ = ("_buffer", "_data", "_event")

    def __init__(self) -> None:
        self._buffer = b""
        self._event: str | None = None
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the events they complete."""
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\r" in buffer:
            held = buffer.endswith(b"\r")  # maybe the first half of a \r\n split by the network
            body = buffer[:-1] if held else buffer
            buffer = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + (b"\r" if held else b"")
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        events: list[ServerSentEvent] = []
        for line in lines:
            self._line(line, events)
        return events

    def close(self) -> list[ServerSentEvent]:
        """The stream ended: an event still open (no blank line after it) is complete."""
        events: list[ServerSentEvent] = []
        rest, self._buffer = self._buffer.rstrip(b"\r"), b""
        if rest:
            self._line(rest, events)
        self._line(b"", events)
        return events

    def _line(self, line: bytes, events: list[ServerSentEvent]) -> None:
        if not line:
            if self._data:
                events.append(ServerSentEvent(self._event, b"\n".join(self._data)))
            self._event, self._data = None, []
            return
        if line.startswith(b"data:"):
            value = line[5:]
            self._data.append(value[1:] if value.startswith(b" ") else value)
            return
        if line.startswith(b":"):
            return  # a comment (keep-alive)
        name, _, value = line.partition(b":")
        if name == b"event":
            self._event = (value[1:] if value.startswith(b" ") else value).decode(
                "utf-8", "replace"
            )


async def iter_sse(
    resp: aiohttp.ClientResponse, call: ProviderCall, redact: Redact
) -> AsyncIterator[ServerSentEvent]:
    """The events of a streamed response, until the server ends the body.

    A dropped connection or a read timeout is raised as a classified `ProviderError`
    (`closed` -> ProviderUnavailableError, `timeout` -> ProviderTimeoutError). The caller owns
    `resp` and closes it.
    """
    decoder = SSEDecoder()
    content = resp.content
    while True:
        try:
            chunk = await content.readany()
        except Exception as exc:  # the translation boundary for a stream's body
            raise fault(call, transport_fault(exc, started=True), redact) from None
        if not chunk:
            break
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.close():
        yield event
