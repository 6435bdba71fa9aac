"""A hostile provider over raw asyncio sockets, for faults that live below HTTP.

`LocalProviderServer` (aiohttp) behaves like a well-mannered provider that misbehaves on cue;
this server is for what no HTTP framework will send: gzip bombs, bodies that never end,
redirects, drips one byte at a time, bodies and headers written byte for byte by the test.

```python
async with HostileServer(behaviours.gzip_bomb(1 << 30)) as server:
    server.url            # http://127.0.0.1:PORT
    server.requests       # every request received, with headers and body
    server.handler = behaviours.answer()   # change what it does between requests
```

A handler is `async def handler(request: Received, reply: Reply) -> None`; it writes whatever
bytes it likes through `reply`. Every connection serves one request and is closed after the
handler returns (responses say `connection: close`). A client that goes away mid-answer makes
the handler's next write raise `ConnectionError`, which ends it; `request.disconnected` says so.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from typing_extensions import Self

__all__ = ["Handler", "HostileServer", "Received", "Reply"]

_REASONS = {200: "OK", 302: "Found", 307: "Temporary Redirect", 308: "Permanent Redirect"}


@dataclass
class Received:
    """One request as it arrived: method, path (query included), lower-case headers, body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float = field(default_factory=time.monotonic)
    disconnected: bool = False
    """The client closed the connection before the handler finished."""
    finished_at: float | None = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def wire(self) -> str:
        """`anthropic` for a Messages request, else `openai` (chat completions, Azure too)."""
        return "anthropic" if self.path.split("?", 1)[0].endswith("/messages") else "openai"

    @property
    def stream(self) -> bool:
        payload = self.json
        return isinstance(payload, dict) and payload.get("stream") is True


class Reply:
    """Raw writes to the client; `head` and `chunk` save spelling HTTP/1.1 by hand."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self.bytes_sent = 0

    async def raw(self, data: bytes) -> None:
        """Write bytes as they are and wait until the socket takes them."""
        self._writer.write(data)
        self.bytes_sent += len(data)
        await self._writer.drain()

    async def head(
        self, status: int, headers: Iterable[tuple[str, str]] = (), *, reason: str | None = None
    ) -> None:
        """The status line and headers (several with one name are fine), then a blank line."""
        lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append("connection: close")
        await self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def whole(
        self, status: int, body: bytes, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        """A complete answer with a `content-length`."""
        await self.head(status, [*headers, ("content-length", str(len(body)))])
        await self.raw(body)

    async def chunk(self, data: bytes) -> None:
        """One chunk of a `transfer-encoding: chunked` body (the head must say so)."""
        if data:
            await self.raw(b"%x\r\n%s\r\n" % (len(data), data))

    async def end_chunks(self) -> None:
        await self.raw(b"0\r\n\r\n")


Handler = Callable[[Received, Reply], Awaitable[None]]


class HostileServer:
    """An HTTP/1.1 server on 127.0.0.1 (port 0 picks a free one) answering with `handler`."""

    def __init__(self, handler: Handler, *, host: str = "127.0.0.1") -> None:
        self.handler = handler
        self.host = host
        self.port = 0
        self.requests: list[Received] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"HostileServer(port={self.port}, requests={len(self.requests)})"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        request: Received | None = None
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.requests.append(request)
            await self.handler(request, Reply(writer))
        except (ConnectionError, asyncio.IncompleteReadError):
            if request is not None:
                request.disconnected = True
        finally:
            if request is not None:
                request.finished_at = time.monotonic()
            writer.close()
            self._tasks.discard(task)  # type: ignore[arg-type]


async def _read_request(reader: asyncio.StreamReader) -> Received | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    line, *rest = head.decode("latin-1").split("\r\n")
    method, path, _ = line.split(" ", 2)
    headers: dict[str, str] = {}
    for header in rest:
        if header:
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
