"""Server-sent events (the `text/event-stream` format both wire formats stream in).

`SSEDecoder` is a push parser: feed it bytes as they arrive, get complete events back. It
follows the WHATWG rules that matter here: `\\n`, `\\r\\n` and `\\r` line ends, `data:` lines
joined by `\\n`, an optional space after the colon, `:` comment lines, a blank line ends an
event. `id:` and `retry:` are ignored (no adapter reconnects a completion stream).

`iter_sse(resp, ...)` reads an aiohttp response with it and turns a connection that fails or
times out mid-stream into a classified provider error.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, NamedTuple

from llmrouter.providers.base import ProviderCall
from llmrouter.providers.http_client import Redact, fault, transport_fault

if TYPE_CHECKING:
    import aiohttp

__all__ = ["SSEDecoder", "ServerSentEvent", "iter_sse"]


class ServerSentEvent(NamedTuple):
    """One event: its `event:` name (None when absent) and its data (bytes, lines joined)."""

    event: str | None
    data: bytes


class SSEDecoder:
    """Incremental SSE parser. Bytes are kept until a blank line completes an event; the usual
    one-line (`data: ...`) and two-line (`event: ...` + `data: ...`) events skip the general
    line-by-line parse."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the events they complete."""
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\r" in buffer:
            held = buffer.endswith(b"\r")  # maybe the first half of a \r\n split by the network
            body = buffer[:-1] if held else buffer
            buffer = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + (b"\r" if held else b"")
        blocks = buffer.split(b"\n\n")
        self._buffer = blocks.pop()
        events: list[ServerSentEvent] = []
        for block in blocks:
            _block(block, events)
        return events

    def close(self) -> list[ServerSentEvent]:
        """The stream ended: an event still open (no blank line after it) is complete."""
        rest, self._buffer = self._buffer.replace(b"\r", b"\n"), b""
        events: list[ServerSentEvent] = []
        _block(rest, events)
        return events


def _block(block: bytes, events: list[ServerSentEvent]) -> None:
    """Parse the lines of one event (a block between blank lines) into `events`."""
    if b"\n" not in block:
        if block.startswith(b"data: "):
            events.append(ServerSentEvent(None, block[6:]))
            return
    elif block.startswith(b"event: "):
        head, _, rest = block.partition(b"\n")
        if rest.startswith(b"data: ") and b"\n" not in rest:
            events.append(ServerSentEvent(head[7:].decode("utf-8", "replace"), rest[6:]))
            return
    event: str | None = None
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if not line:  # a blank line (only at the start of a block): ends an empty event
            if data:
                events.append(ServerSentEvent(event, b"\n".join(data)))
            event, data = None, []
        elif line.startswith(b"data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(b" ") else value)
        elif not line.startswith(b":"):  # a comment (keep-alive) when it does
            name, _, value = line.partition(b":")
            if name == b"event":
                value = value[1:] if value.startswith(b" ") else value
                event = value.decode("utf-8", "replace")
    if data:
        events.append(ServerSentEvent(event, b"\n".join(data)))


async def iter_sse(
    resp: aiohttp.ClientResponse, call: ProviderCall, redact: Redact
) -> AsyncGenerator[ServerSentEvent, None]:
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
