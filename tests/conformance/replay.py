"""Transcripts and the replay server: recorded provider answers served back byte for byte.

A transcript file (`transcripts/<vendor>/<name>.http`) is a header block and the body exactly as
the provider sent it:

    Source: <where it was recorded or documented: repository, path and commit, or page>
    Recorded-By: <who recorded it and how>
    Status: 200
    Content-Type: text/event-stream

    <the body bytes, unchanged>
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web
from typing_extensions import Self

TRANSCRIPTS = Path(__file__).parent / "transcripts"


@dataclass(frozen=True)
class Transcript:
    """One recorded (or documented) provider answer."""

    name: str
    source: str
    status: int
    content_type: str
    body: bytes

    @classmethod
    def load(cls, name: str) -> Transcript:
        raw = (TRANSCRIPTS / name).read_bytes()
        head, sep, body = raw.partition(b"\n\n")
        if not sep:
            raise ValueError(f"{name}: no blank line after the header block")
        fields: dict[str, str] = {}
        for number, line in enumerate(head.decode().splitlines(), start=1):
            key, colon, value = line.partition(":")
            if not colon:
                raise ValueError(f"{name}:{number}: not a 'Key: value' header line: {line!r}")
            fields[key.strip().lower()] = value.strip()
        missing = {"source", "status", "content-type"} - set(fields)
        if missing:
            raise ValueError(f"{name}: missing header fields {sorted(missing)}")
        return cls(name, fields["source"], int(fields["status"]), fields["content-type"], body)


@dataclass
class Served:
    """A transcript under its own prefix, and the requests it answered."""

    transcript: Transcript
    api_base: str
    requests: list[dict[str, Any]] = field(default_factory=list)


class ReplayServer:
    """An aiohttp server on 127.0.0.1 answering every POST under a prefix with its transcript."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._served: dict[str, Served] = {}
        self._ids = itertools.count(1)
        self.url = ""

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("POST", "/{prefix}/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def serve(self, transcript: Transcript) -> Served:
        """Serve `transcript` under a fresh prefix; give `.api_base` to the config."""
        prefix = f"t{next(self._ids)}"
        served = Served(transcript, f"{self.url}/{prefix}")
        self._served[prefix] = served
        return served

    async def _handle(self, request: web.Request) -> web.Response:
        served = self._served[request.match_info["prefix"]]
        served.requests.append(await request.json())
        transcript = served.transcript
        return web.Response(
            status=transcript.status,
            body=transcript.body,
            headers={"Content-Type": transcript.content_type},
        )
