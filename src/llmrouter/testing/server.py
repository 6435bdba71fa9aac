"""`LocalProviderServer`: an aiohttp server on 127.0.0.1 that answers as scripted providers."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from types import TracebackType
from typing import Any, Literal

from aiohttp import web
from typing_extensions import Self

from llmrouter.testing.content import Finish, ParsedRequest, build_answer
from llmrouter.testing.embeddings import embeddings_payload, input_tokens
from llmrouter.testing.faults import ERROR_KINDS, Fault
from llmrouter.testing.provider import Flavor, LocalProvider, ReceivedRequest, Wire
from llmrouter.testing.wire import FaultContext, HttpReply, Refused, StreamPlan, json_reply

__all__ = ["LocalProviderServer"]

POLL_S = 0.01
HANG_LIMIT_S = 300.0
SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}
FINISH_FAULTS: dict[str, Finish] = {
    "filtered_finish": "filtered",
    "network_error_finish": "network_error",
    "refusal": "refusal",
    "pause_turn": "pause_turn",
}
MALFORMED_BODY = b'{"id": "chatcmpl-broken", "choices": ['
MALFORMED_EMBEDDINGS = b'{"object": "list", "data": [{"object": "embedding", "embedding": [0.1'


def _generic_error(status: int, message: str, code: str) -> HttpReply:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return json_reply(status, {"error": error})


class LocalProviderServer:
    """A real HTTP server on `host:port` (port 0 picks a free one) serving local providers.

    Use it as `async with LocalProviderServer() as server:` or call `start()` / `stop()`.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.providers: dict[str, LocalProvider] = {}
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    def __repr__(self) -> str:
        state = self.url if self._runner is not None else "stopped"
        return f"LocalProviderServer({state}, providers={sorted(self.providers)})"

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT` (only once started)."""
        if self._runner is None:
            raise RuntimeError("LocalProviderServer is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def total_requests(self) -> int:
        """Completion (and embeddings) requests received by all providers."""
        return sum(p.request_count for p in self.providers.values())

    def add_provider(
        self, name: str, wire: Wire = "openai", flavor: Flavor | None = None
    ) -> LocalProvider:
        """Serve a provider under `/<name>`; `wire` is "openai" or "anthropic".

        `flavor` defaults to "openai" for the OpenAI wire ("zhipu" renders GLM's errors and
        finish reasons) and is "anthropic" for the Anthropic wire.
        """
        if not name or "/" in name or name != name.strip():
            raise ValueError(f"invalid provider name {name!r}")
        if name in self.providers:
            raise ValueError(f"provider {name!r} already exists")
        provider = LocalProvider(name, wire=wire, flavor=flavor, base_url=lambda: self.url)
        self.providers[name] = provider
        return provider

    async def start(self) -> None:
        """Bind and start serving."""
        if self._runner is not None:
            raise RuntimeError("LocalProviderServer is already started")
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = int(runner.addresses[0][1])
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving; hanging requests are released. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing.set()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- request handling ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        name, _, rest = request.path.lstrip("/").partition("/")
        provider = self.providers.get(name)
        embeddings = provider is not None and provider.serves_embeddings("/" + rest)
        if provider is None or not (embeddings or provider.serves("/" + rest)):
            return self._plain(_generic_error(404, f"Unknown path: {request.path}", "not_found"))
        if request.method != "POST":
            reply = _generic_error(405, f"Method {request.method} not allowed", "bad_method")
            return self._plain(reply)
        try:
            body: Any = json.loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._plain(_generic_error(400, "Request body is not a JSON object", "bad_json"))
        headers = {k.lower(): v for k, v in request.headers.items()}
        if embeddings:
            return await self._embeddings(request, provider, headers, body)
        parsed = provider.wire_format.parse(body)
        record = provider.record(request.path, headers, body, parsed.stream, time.monotonic())
        decision = provider.plan(headers, body, parsed, record.seq)
        fault = decision if isinstance(decision, Fault) else None
        if isinstance(decision, Refused):
            record.fault = "refused"
            record.refusal = decision.rule
        elif fault is not None:
            record.fault = fault.kind
        if await self._wait(request, provider.latency + (fault.delay_s if fault else 0.0)):
            return self._gone(record)
        if isinstance(decision, Refused):
            return await self._send(request, record, decision.reply)
        return await self._answer(request, provider, record, parsed, fault)

    async def _embeddings(
        self,
        request: web.Request,
        provider: LocalProvider,
        headers: dict[str, str],
        body: dict[str, Any],
    ) -> web.StreamResponse:
        """An embeddings request: refused, faulted (the same scripted faults as chat; the
        stream and finish faults, which an embeddings answer has no room for, are a 500 and
        a normal answer) or answered (`llmrouter.testing.embeddings`)."""
        record = provider.record(request.path, headers, body, False, time.monotonic())
        decision = provider.plan_embeddings(headers, body, record.seq)
        fault = decision if isinstance(decision, Fault) else None
        if isinstance(decision, Refused):
            record.fault, record.refusal = "refused", decision.rule
        elif fault is not None:
            record.fault = fault.kind
        if await self._wait(request, provider.latency + (fault.delay_s if fault else 0.0)):
            return self._gone(record)
        if isinstance(decision, Refused):
            return await self._send(request, record, decision.reply)
        kind = fault.kind if fault is not None else None
        if fault is not None and (fault.kind in ERROR_KINDS or kind == "stream_error"):
            key = provider.wire_format.api_key(headers)
            tokens = max(input_tokens(body), default=0)
            ctx = FaultContext(record.seq, key, tokens, provider.effective_context_window)
            error = fault if kind != "stream_error" else Fault.server_error(500)
            return await self._send(request, record, provider.wire_format.error(error, ctx))
        if kind == "hang":
            if await self._wait(request, HANG_LIMIT_S):
                return self._gone(record)
            return await self._abort(request, record)
        if kind == "malformed":
            reply = HttpReply(200, MALFORMED_EMBEDDINGS, {"content-type": "application/json"})
            return await self._send(request, record, reply)
        full = json_reply(200, embeddings_payload(provider.flavor, body))
        if kind == "drop_stream":
            return await self._send_half(request, record, full)
        return await self._send(request, record, full)

    async def _answer(
        self,
        request: web.Request,
        provider: LocalProvider,
        record: ReceivedRequest,
        parsed: ParsedRequest,
        fault: Fault | None,
    ) -> web.StreamResponse:
        wire = provider.wire_format
        kind = fault.kind if fault is not None else None
        if fault is not None and (
            fault.kind in ERROR_KINDS or (kind == "stream_error" and not parsed.stream)
        ):
            ctx = self._context(provider, record, parsed)
            if kind == "stream_error":  # a non-stream request: a plain internal error
                fault = Fault.server_error(500)
            return await self._send(request, record, wire.error(fault, ctx))
        if kind == "hang":
            if await self._wait(request, HANG_LIMIT_S):
                return self._gone(record)
            return await self._abort(request, record)
        if kind == "malformed" and not parsed.stream:
            reply = HttpReply(200, MALFORMED_BODY, {"content-type": "application/json"})
            return await self._send(request, record, reply)
        answer = build_answer(
            parsed,
            record.body,
            provider=provider.name,
            seq=record.seq,
            reply=provider.reply,
            tool=provider.tool,
            finish=FINISH_FAULTS.get(kind or ""),
            refusal=fault.message if kind == "refusal" and fault is not None else None,
        )
        read, write = wire.cache_use(provider.prompt_cache, record.body, provider.cache_min_tokens)
        answer = dataclasses.replace(answer, cache_read=read, cache_write=write)
        failed = wire.network_error_event() if kind == "network_error_finish" else None
        if failed is not None and not parsed.stream:  # no such finish reason: a plain 500
            ctx = self._context(provider, record, parsed)
            return await self._send(request, record, wire.error(Fault.server_error(500), ctx))
        if not parsed.stream:
            full = wire.success(answer)
            if kind == "drop_stream":
                return await self._send_half(request, record, full)
            return await self._send(request, record, full)
        return await self._stream_answer(
            request, provider, record, wire.stream(answer, parsed), fault
        )

    async def _stream_answer(
        self,
        request: web.Request,
        provider: LocalProvider,
        record: ReceivedRequest,
        plan: StreamPlan,
        fault: Fault | None,
    ) -> web.StreamResponse:
        """Send a stream plan, cut or ended the way `fault` says."""
        wire = provider.wire_format
        kind = fault.kind if fault is not None else None
        k = fault.after_chunks if fault is not None else 0
        if kind == "drop_stream":
            return await self._stream(request, record, plan.head + plan.content[:k], "abort")
        if kind == "stream_error":
            events = [*plan.head, *plan.content[:k], wire.stream_error_event()]
            return await self._stream(request, record, events, "eof")
        if kind == "malformed":
            return await self._stream(request, record, [plan.head[0], wire.malformed_event()])
        failed = wire.network_error_event() if kind == "network_error_finish" else None
        if failed is not None:
            return await self._stream(request, record, [*plan.head, *plan.content, failed])
        return await self._stream(request, record, _all_events(plan))

    @staticmethod
    def _context(
        provider: LocalProvider, record: ReceivedRequest, parsed: ParsedRequest
    ) -> FaultContext:
        return FaultContext(
            seq=record.seq,
            api_key=provider.wire_format.api_key(record.headers),
            prompt_tokens=parsed.prompt_tokens,
            context_window=provider.effective_context_window,
        )

    # -- writing ----------------------------------------------------------------------------

    @staticmethod
    def _client_gone(request: web.Request) -> bool:
        transport = request.transport
        return transport is None or transport.is_closing()

    async def _wait(self, request: web.Request, seconds: float) -> bool:
        """Sleep `seconds`, polling for a client disconnect; True if the client is gone."""
        deadline = time.monotonic() + seconds
        while True:
            if self._client_gone(request):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing.is_set():
                return False
            await asyncio.sleep(min(POLL_S, remaining))

    @staticmethod
    def _plain(reply: HttpReply) -> web.Response:
        return web.Response(status=reply.status, body=reply.body, headers=reply.headers)

    @staticmethod
    def _gone(record: ReceivedRequest) -> web.Response:
        record.disconnected = True
        record.finished_at = time.monotonic()
        return web.Response(status=499)

    async def _send(
        self, request: web.Request, record: ReceivedRequest, reply: HttpReply
    ) -> web.StreamResponse:
        response = self._plain(reply)
        record.sent = reply.body
        try:
            await response.prepare(request)
            await response.write_eof()
        except ConnectionError:
            record.disconnected = True
        record.finished_at = time.monotonic()
        return response

    async def _send_half(
        self, request: web.Request, record: ReceivedRequest, reply: HttpReply
    ) -> web.StreamResponse:
        response = web.StreamResponse(status=reply.status, headers=reply.headers)
        response.content_length = len(reply.body)
        try:
            await response.prepare(request)
            await response.write(reply.body[: len(reply.body) // 2])
        except ConnectionError:
            record.disconnected = True
        return await self._abort(request, record, response)

    async def _stream(
        self,
        request: web.Request,
        record: ReceivedRequest,
        events: list[bytes],
        end: Literal["eof", "abort"] = "eof",
    ) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers=SSE_HEADERS)
        try:
            await response.prepare(request)
            for event in events:
                await response.write(event)
                record.sent += event
            if end == "eof":
                await response.write_eof()
        except ConnectionError:
            record.disconnected = True
        if end == "abort":
            return await self._abort(request, record, response)
        record.finished_at = time.monotonic()
        return response

    async def _abort(
        self,
        request: web.Request,
        record: ReceivedRequest,
        response: web.StreamResponse | None = None,
    ) -> web.StreamResponse:
        """Cut the TCP connection (after giving already-written bytes a moment to leave)."""
        await asyncio.sleep(POLL_S)
        transport = request.transport
        if transport is not None:
            transport.abort()
        record.finished_at = time.monotonic()
        return response if response is not None else web.Response(status=499)


def _all_events(plan: StreamPlan) -> list[bytes]:
    return [*plan.head, *plan.content, *plan.tail]
