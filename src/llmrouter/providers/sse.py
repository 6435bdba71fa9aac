"""Server-sent events (the `text/event-stream` format both wire formats stream in).

`SSEDecoder` is a push parser: feed it bytes as they arrive, get complete events back. It
follows the WHATWG rules that matter here: `\\n`, `\\r\\n` and `\\r` line ends, `data:` lines
joined by `\\n`, an optional space after the colon, `:` comment lines, a blank line ends an
event. `id:` and `retry:` are ignored (no adapter reconnects a completion stream).

`iter_sse(resp, ...)` reads an aiohttp response with it and turns a connection that fails or
times out mid-stream, a stream past its size cap and an event past its own, into classified
provider errors (docs/limits.md).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, NamedTuple

from llmrouter.providers.base import ProviderCall
from llmrouter.providers.http_client import Redact, fault, too_large, transport_fault

if TYPE_CHECKING:
    import aiohttp

__all__ = ["EventTooLarge", "SSEDecoder", "ServerSentEvent", "iter_sse"]


class ServerSentEvent(NamedTuple):
    """One event: its `event:` name (None when absent) and its data (bytes, lines joined)."""

    event: str | None
    data: bytes


class EventTooLarge(ValueError):
    """An event grew past the decoder's `max_event_bytes` before its blank line arrived."""


class SSEDecoder:
    """Incremental SSE parser. Bytes are kept until a blank line completes an event; the usual
    one-line (`data: ...`) and two-line (`event: ...` + `data: ...`) events skip the general
    line-by-line parse.

    An open event is held as a list of pieces and joined only when a piece can complete it, so
    an event that keeps growing costs linear time; past `max_event_bytes` it raises
    `EventTooLarge`.
    """

    __slots__ = ("_held", "_max_event_bytes", "_pending", "_size")

    def __init__(self, max_event_bytes: int | None = None) -> None:
        self._pending: list[bytes] = []  # the open event: normalised bytes (+ a raw "\r" end)
        self._held = b""  # its last bytes, to spot a blank line split between two pieces
        self._size = 0
        self._max_event_bytes = max_event_bytes

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the events they complete."""
        if self._pending:
            if not _may_end_event(self._held + chunk):
                self._hold(chunk)
                return []
            buffer = b"".join([*self._pending, chunk])
            self._pending, self._size, self._held = [], 0, b""
        else:
            buffer = chunk
        if b"\r" in buffer:
            held = buffer.endswith(b"\r")  # maybe the first half of a \r\n split by the network
            body = buffer[:-1] if held else buffer
            buffer = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + (b"\r" if held else b"")
        blocks = buffer.split(b"\n\n")
        rest = blocks.pop()
        if rest:
            self._hold(rest)
        events: list[ServerSentEvent] = []
        for block in blocks:
            _block(block, events)
        return events

    def _hold(self, piece: bytes) -> None:
        self._pending.append(piece)
        self._size += len(piece)
        self._held = (self._held + piece)[-3:]
        if self._max_event_bytes is not None and self._size > self._max_event_bytes:
            raise EventTooLarge(f"an event exceeded {self._max_event_bytes} bytes")

    def close(self) -> list[ServerSentEvent]:
        """The stream ended: an event still open (no blank line after it) is complete."""
        rest = b"".join(self._pending).replace(b"\r", b"\n")
        self._pending, self._size, self._held = [], 0, b""
        events: list[ServerSentEvent] = []
        _block(rest, events)
        return events


def _may_end_event(tail_and_chunk: bytes) -> bool:
    """Whether these bytes (the open event's last three, then a new piece) hold a blank line.
    A false "yes" only costs a join; a "no" is exact."""
    if b"\r" in tail_and_chunk:
        tail_and_chunk = tail_and_chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return b"\n\n" in tail_and_chunk


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
    (`closed` -> ProviderUnavailableError, `timeout` -> ProviderTimeoutError). A stream past the
    provider's `limits.stream_bytes`, or one event past `limits.event_bytes` (both counted after
    decompression), is a `MalformedResponseError` with code `response_too_large`: nothing more
    is read. The caller owns `resp` and closes it.
    """
    limits = call.deployment.provider.limits
    decoder = SSEDecoder(limits.event_bytes)
    content = resp.content
    total = 0
    while True:
        try:
            chunk = await content.readany()
        except Exception as exc:  # the translation boundary for a stream's body
            raise fault(call, transport_fault(exc, started=True), redact) from None
        if not chunk:
            break
        total += len(chunk)
        if total > limits.stream_bytes:
            raise too_large(call, "stream", limits.stream_bytes)
        try:
            events = decoder.feed(chunk)
        except EventTooLarge:
            raise too_large(call, "stream event", limits.event_bytes) from None
        for event in events:
            yield event
    for event in decoder.close():
        yield event
