"""What the hostile server does: each function returns a `Handler` for `HostileServer`.

Answers are rendered in the wire of the request (Anthropic Messages for a path ending in
`/messages`, OpenAI chat completions for everything else, Azure's deployments path included)
and in its mode (JSON or SSE), reusing `llmrouter.testing`'s wire renderers, so a hostile
answer is a real answer with one thing wrong.
"""

from __future__ import annotations

import asyncio
import base64
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hostile_server import Handler, Received, Reply

from llmrouter.testing.content import build_answer
from llmrouter.testing.wire import WireFormat
from llmrouter.testing.wire_anthropic import AnthropicWire
from llmrouter.testing.wire_openai import OpenAIWire

__all__ = [
    "KEY_FORMS",
    "answer",
    "braces",
    "drip",
    "echo_key",
    "endless",
    "gzip_bomb",
    "nested_error",
    "prepare_bomb",
    "redirect",
    "retry_after",
    "status",
]

_PAD = "PADPADPAD"
_SAFETY_BYTES = 512 << 20
"""An "endless" body stops (and hangs) after this much, so a client without a cap cannot take
the test machine down with it; every cap under test is far below it."""


def _wire(request: Received) -> WireFormat:
    return AnthropicWire() if request.wire == "anthropic" else OpenAIWire("openai")


def _rendered(request: Received, text: str) -> tuple[bytes, list[bytes], list[bytes]]:
    """(JSON answer, SSE head + content, SSE tail) of an answer saying `text`."""
    wire = _wire(request)
    body = request.json if isinstance(request.json, dict) else {}
    parsed = wire.parse(body)
    reply = build_answer(parsed, body, provider="hostile", seq=1, reply=text)
    plan = wire.stream(reply, parsed)
    return wire.success(reply).body, [*plan.head, *plan.content], plan.tail


@dataclass(frozen=True)
class _Shape:
    """Byte templates around a text of any size, so a padded answer costs no JSON encoding
    of its padding: the JSON answer, one SSE content event, and the SSE head and tail."""

    answer: tuple[bytes, bytes]
    event: tuple[bytes, bytes]
    head: bytes
    tail: bytes


def _shape(request: Received) -> _Shape:
    pad = _PAD.encode()
    whole, events, tail = _rendered(request, _PAD)
    [event] = [e for e in events if pad in e]
    before, after = whole.split(pad, 1)
    e_before, e_after = event.split(pad, 1)
    head = b"".join(events[: events.index(event)])
    return _Shape((before, after), (e_before, e_after), head, b"".join(tail))


def _padded(request: Received, size: int, event_size: int | None) -> Iterator[bytes]:
    """The pieces of an answer whose text is `size` bytes of "a"; a stream carries it in
    events of `event_size` bytes (None: one event)."""
    shape = _shape(request)
    if not request.stream:
        yield shape.answer[0]
        yield from _as(size, 1 << 20)
        yield shape.answer[1]
        return
    yield shape.head
    step = event_size or size
    for start in range(0, size, step):
        yield shape.event[0]
        yield from _as(min(step, size - start), 1 << 20)
        yield shape.event[1]
    yield shape.tail


def _as(total: int, piece: int) -> Iterator[bytes]:
    block = b"a" * piece
    while total > 0:
        yield block[: min(piece, total)]
        total -= piece


def answer(text: str = "Hello from the hostile server.") -> Handler:
    """A correct answer (JSON or SSE, in the request's wire)."""

    async def handle(request: Received, reply: Reply) -> None:
        whole, events, tail = _rendered(request, text)
        if not request.stream:
            await reply.whole(200, whole, [("content-type", "application/json")])
            return
        await reply.head(200, [("content-type", "text/event-stream")])
        for event in [*events, *tail]:
            await reply.raw(event)

    return handle


def status(
    code: int, body: bytes | str = b"", headers: list[tuple[str, str]] | None = None
) -> Handler:
    """This status, these headers and this body, byte for byte."""
    data = body.encode() if isinstance(body, str) else body
    extra = headers if headers is not None else [("content-type", "application/json")]

    async def handle(request: Received, reply: Reply) -> None:
        await reply.whole(code, data, extra)

    return handle


def braces(size: int = 256 << 10, code: int = 500) -> Handler:
    """An error body of `size` `{` characters (a parser's worst case)."""
    return status(code, b"{" * size)


def nested_error(depth: int = 100_000, code: int = 500) -> Handler:
    """A JSON error body nested `depth` levels deep, inside an error object."""
    body = b'{"error": ' + b"[" * depth + b"]" * depth + b"}"
    return status(code, body)


def retry_after(value: str, code: int = 429) -> Handler:
    """A rate-limit answer with `retry-after: value` (seconds, a date, or nonsense)."""
    body = b'{"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}'
    return status(code, body, [("content-type", "application/json"), ("retry-after", value)])


def redirect(code: int, location: Callable[[Received], str]) -> Handler:
    """A `code` redirect to `location(request)` (e.g. the same path on another server)."""

    async def handle(request: Received, reply: Reply) -> None:
        await reply.whole(code, b"", [("location", location(request))])

    return handle


def gzip_bomb(inflated: int, *, event_size: int | None = 16 << 10) -> Handler:
    """A valid answer whose text is `inflated` bytes, gzip-compressed (~1/1000 on the wire);
    streams carry it in events of `event_size` bytes (None: one giant event)."""

    async def handle(request: Received, reply: Reply) -> None:
        data = _compressed(request, inflated, event_size)
        kind = "text/event-stream" if request.stream else "application/json"
        headers = [("content-type", kind), ("content-encoding", "gzip")]
        await reply.whole(200, data, headers)

    return handle


_bombs: dict[tuple[str, bool, int, int | None], bytes] = {}


def prepare_bomb(inflated: int, *, stream: bool = False, wire: str = "openai") -> None:
    """Compress a bomb now (1 GiB takes seconds), so serving it later blocks nothing."""
    path = "/v1/messages" if wire == "anthropic" else "/v1/chat/completions"
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "x"}]})
    request = Received("POST", path, {}, body.encode())
    request_stream = Received("POST", path, {}, body.replace("}]}", '}], "stream": true}').encode())
    _compressed(request_stream if stream else request, inflated, 16 << 10)


def _compressed(request: Received, inflated: int, event_size: int | None) -> bytes:
    key = (request.wire, request.stream, inflated, event_size)
    if key not in _bombs:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        out = [packer.compress(p) for p in _padded(request, inflated, event_size)]
        _bombs[key] = b"".join([*out, packer.flush()])
    return _bombs[key]


def endless(
    *, event_size: int | None = 1024, pause_s: float = 0.0, safety_bytes: int = _SAFETY_BYTES
) -> Handler:
    """A body that never ends: a JSON answer whose text goes on forever, or a stream of valid
    content events that never finishes (`event_size=None`: one event that never ends), sent
    with `transfer-encoding: chunked`. After `safety_bytes` it stops sending and hangs."""

    async def handle(request: Received, reply: Reply) -> None:
        kind = "text/event-stream" if request.stream else "application/json"
        await reply.head(200, [("content-type", kind), ("transfer-encoding", "chunked")])
        for piece in _padded(request, safety_bytes, event_size):
            await reply.chunk(piece)
            if pause_s:
                await asyncio.sleep(pause_s)
        await asyncio.sleep(3600)  # past the safety limit: hang until the client leaves

    return handle


def drip(body: bytes, *, interval_s: float = 0.05, code: int = 200) -> Handler:
    """`body` one byte every `interval_s` (with its full `content-length`)."""

    async def handle(request: Received, reply: Reply) -> None:
        await reply.head(
            code, [("content-type", "application/json"), ("content-length", str(len(body)))]
        )
        for index in range(len(body)):
            await reply.raw(body[index : index + 1])
            await asyncio.sleep(interval_s)

    return handle


def _key_of(request: Received) -> str:
    auth = request.headers.get("authorization", "")
    return request.headers.get("x-api-key") or request.headers.get("api-key") or auth[7:]


KEY_FORMS: dict[str, Callable[[str], str]] = {
    "verbatim": lambda key: key,
    "base64": lambda key: base64.b64encode(key.encode()).decode(),
    "base64_user": lambda key: base64.b64encode(f"user:{key}".encode()).decode(),
    "base64_url": lambda key: base64.urlsafe_b64encode(key.encode()).decode().rstrip("="),
    "split_lines": lambda key: key[: len(key) // 2] + "\n" + key[len(key) // 2 :],
    "split_spaces": lambda key: " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
    "upper": lambda key: key.upper(),
    "url_encoded": lambda key: "".join(f"%{b:02X}" for b in key.encode()),
    "reversed_case": lambda key: key.swapcase(),
}
"""Ways a provider (or a gateway in front of it) echoes the key it was sent."""


def echo_key(form: str, code: int = 401) -> Handler:
    """An auth fault whose message quotes the key the client sent, altered by `form`."""

    async def handle(request: Received, reply: Reply) -> None:
        echoed = KEY_FORMS[form](_key_of(request))
        error: dict[str, Any] = {"message": f"Invalid API key: {echoed}", "type": "auth_error"}
        if request.wire == "anthropic":
            error["type"] = "authentication_error"
        body = json.dumps({"type": "error", "error": error}).encode()
        await reply.whole(code, body, [("content-type", "application/json")])

    return handle
