"""One inbound completion request, whatever its format: authenticate, read the body, let the
frontend translate it, call the router, and answer as JSON or as a stream of the frontend's
SSE events, with `x-llmrouter-model`, `x-llmrouter-attempts` and `x-llmrouter-dropped`.

Before the first byte of a stream the router has already fallen back as needed (it returns
the stream once the first content arrived), so the client never sees a failed attempt. After
it, a failure is the frontend's own error event. A client that goes away cancels the handler
(aiohttp's `handler_cancellation`), and with it the upstream call.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web
from pydantic_core import from_json, to_json

from llmrouter.errors import LLMRouterError, NoEligibleModelError
from llmrouter.gateway.access_log import AccessRecord
from llmrouter.gateway.coalesce import CoalescingWriter, flush_on_suspend
from llmrouter.gateway.frontend import Frontend, Inbound
from llmrouter.gateway.keys import ANONYMOUS, Principal, presented_key
from llmrouter.gateway.metrics import GatewayMetrics, collect_attempts
from llmrouter.gateway.passthrough import passed_body, prepare, relay
from llmrouter.gateway.problems import GatewayError, Problem, problem_for
from llmrouter.gateway.settings import GatewaySettings
from llmrouter.router import Router
from llmrouter.streaming import RouterStream
from llmrouter.types import Attempt, ChatCompletion

__all__ = ["Gateway", "attempts_header"]

logger = logging.getLogger("llmrouter.gateway")

DATA_CLASS_HEADER = "x-llmrouter-data-class"
SSE_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


def attempts_header(attempts: Sequence[Attempt]) -> str:
    """`claude=overloaded, glm=ok`: each attempt's model and outcome (ok, or the fault)."""
    return ", ".join(
        f"{a.model}={'ok' if a.outcome == 'ok' else (a.error or a.outcome)}" for a in attempts
    )


class Gateway:
    """The request path shared by the three inbound formats."""

    def __init__(self, router: Router, settings: GatewaySettings, metrics: GatewayMetrics):
        self.router = router
        self.settings = settings
        self.metrics = metrics

    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        if self.settings.keys is None:
            return ANONYMOUS
        principal = self.settings.keys.lookup(presented_key(headers))
        if principal is None:
            raise GatewayError(
                "unauthenticated",
                "invalid or missing API key: send it as `Authorization: Bearer <key>` "
                "or `x-api-key: <key>`",
            )
        return principal

    def target(self, model: str, principal: Principal) -> str:
        """The route or model serving the client's model name, if this key may use it."""
        target = self.settings.aliases.resolve(model)
        if target is None:
            raise GatewayError("not_found", f"model {model!r} is not served here", "model")
        if not principal.may_use(target):
            raise GatewayError("forbidden", f"this key may not use model {model!r}", "model")
        return target

    def metadata(self, principal: Principal, headers: Mapping[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if principal.tenant is not None:
            out["tenant"] = principal.tenant
        asked = headers.get(DATA_CLASS_HEADER)
        if asked:
            if principal.data_classes and asked not in principal.data_classes:
                raise GatewayError(
                    "forbidden", f"this key may not use data class {asked!r}", DATA_CLASS_HEADER
                )
            out["data_class"] = asked
        elif principal.data_classes:
            out["data_class"] = principal.data_classes[0]
        return out

    async def read_json(self, request: web.Request) -> Any:
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            limit = self.settings.max_body_bytes
            raise GatewayError("too_large", f"the request body is over {limit} bytes") from None
        try:
            return from_json(raw)
        except ValueError:
            raise GatewayError("invalid_request", "the request body is not valid JSON") from None

    async def serve(self, request: web.Request, frontend: Frontend) -> web.StreamResponse:
        """Answer one completion request in `frontend`'s format."""
        record = AccessRecord(_request_id(), request.method, request.path, frontend.name)
        self.metrics.in_flight.inc()
        try:
            response = await self._serve(request, frontend, record)
        except BaseException:
            record.status = 499  # the client went away (or the server is shutting down)
            raise
        finally:
            self.metrics.in_flight.dec()
            self.metrics.http.labels(frontend.name, str(record.status)).inc()
            self.metrics.duration.labels(frontend.name).observe(_elapsed(record))
            record.emit()
        return response

    async def _serve(
        self, request: web.Request, frontend: Frontend, record: AccessRecord
    ) -> web.StreamResponse:
        inbound: Inbound | None = None
        try:
            principal = self.authenticate(request.headers)
            record.tenant = principal.tenant
            body = await self.read_json(request)
            inbound = frontend.parse(body, request.headers)
            if frontend.wire is not None:
                prepare(frontend.wire, body, request.headers, inbound)
            record.model, record.stream, record.dropped = (
                inbound.model,
                inbound.stream,
                inbound.dropped,
            )
            target = self.target(inbound.model, principal)
            record.route = target
            metadata = self.metadata(principal, request.headers)
            attempts = collect_attempts()
            result = await self._call(target, inbound, metadata)
        except Exception as exc:
            return self.error(frontend, _vendor_fields_refused(exc, inbound), record)
        assert inbound is not None  # set before the router was called
        if isinstance(result, RouterStream):
            return await self._stream(request, frontend, inbound, result, attempts, record)
        return self._answer(frontend, inbound, result, record)

    async def _call(
        self, target: str, inbound: Inbound, metadata: dict[str, Any]
    ) -> ChatCompletion | RouterStream:
        acompletion = self.router.acompletion
        passthrough = inbound.passthrough
        result: ChatCompletion | RouterStream
        if inbound.stream:
            result = await acompletion(
                target,
                inbound.messages,
                stream=True,
                metadata=metadata,
                passthrough=passthrough,
                **inbound.params,
            )
        else:
            result = await acompletion(
                target,
                inbound.messages,
                metadata=metadata,
                passthrough=passthrough,
                **inbound.params,
            )
        return result

    def error(self, frontend: Frontend, exc: Exception, record: AccessRecord) -> web.Response:
        if not isinstance(exc, (LLMRouterError, GatewayError)):
            logger.exception("llmrouter gateway: unexpected error (request %s)", record.request_id)
        problem = problem_for(exc)
        return self.problem_response(frontend, problem, record)

    def problem_response(
        self, frontend: Frontend, problem: Problem, record: AccessRecord
    ) -> web.Response:
        record.status, record.error = frontend.error_status(problem), problem.kind
        headers = {"Content-Type": "application/json", **problem.retry_after_header()}
        headers["x-request-id"] = record.request_id
        return web.Response(
            status=record.status, body=to_json(frontend.error_body(problem)), headers=headers
        )

    @staticmethod
    def _headers(
        dropped: list[str], model: str, attempts: str, record: AccessRecord
    ) -> dict[str, str]:
        headers = {"x-llmrouter-model": model, "x-llmrouter-attempts": attempts}
        record.dropped = dropped
        if dropped:
            headers["x-llmrouter-dropped"] = ", ".join(dict.fromkeys(dropped))
        headers["x-request-id"] = record.request_id
        return headers

    def _answer(
        self, frontend: Frontend, inbound: Inbound, answer: ChatCompletion, record: AccessRecord
    ) -> web.Response:
        route = answer.route
        model = route.model if route is not None else ""
        attempts = list(route.attempts) if route is not None else []
        record.served_by, record.attempts, record.status = model, len(attempts), 200
        self.metrics.count_tokens(model, answer.usage)
        body = passed_body(answer, inbound)
        dropped = inbound.dropped if body is None else inbound.passthrough_dropped
        headers = self._headers(dropped, model, _attempts_or_cache(attempts, route), record)
        headers["Content-Type"] = "application/json"
        if body is None:
            body = to_json(frontend.render(answer, inbound))
        return web.Response(body=body, headers=headers)

    async def _stream(
        self,
        request: web.Request,
        frontend: Frontend,
        inbound: Inbound,
        stream: RouterStream,
        attempts: list[Attempt],
        record: AccessRecord,
    ) -> web.StreamResponse:
        record.served_by, record.attempts = stream.model, len(attempts)
        received = stream.received
        if received is not None and frontend.wire is not None:
            source = relay(stream, received, inbound, frontend.wire)
            dropped = inbound.passthrough_dropped
        else:
            source, dropped = frontend.events(stream, inbound), inbound.dropped
        headers = {
            **SSE_HEADERS,
            **self._headers(dropped, stream.model, attempts_header(attempts) or "cache", record),
        }
        response = web.StreamResponse(status=200, headers=headers)
        record.status = 200
        try:
            await response.prepare(request)
            writer = CoalescingWriter(response)
            async with contextlib.aclosing(source) as events:
                while True:
                    try:
                        data = await flush_on_suspend(events.__anext__(), writer.flush)
                    except StopAsyncIteration:
                        break
                    await writer.add(data)
            await writer.flush()
            await response.write_eof()
        except ConnectionError:
            record.status = 499
        finally:
            await stream.aclose()
        self.metrics.count_tokens(stream.model, stream.usage)
        return response


def _vendor_fields_refused(exc: Exception, inbound: Inbound | None) -> Exception:
    """No model left because none could carry the request's vendor fields: a 400 naming the
    first of them (the client can do something about it), not a 503."""
    if not isinstance(exc, NoEligibleModelError) or inbound is None or not inbound.vendor_fields:
        return exc
    if not exc.attempts or any(a.error != "unsupported_param" for a in exc.attempts):
        return exc
    field = inbound.vendor_fields[0]
    return GatewayError(
        "invalid_request",
        f"{field!r} is not a Chat Completions field the gateway translates; it is carried "
        "only to OpenAI-wire backends, and this route has none",
        field,
    )


def _attempts_or_cache(attempts: list[Attempt], route: Any) -> str:
    if route is not None and route.cache_hit:
        return "cache"
    return attempts_header(attempts)


def _request_id() -> str:
    """128 random bits in hex (unique, not secret: cheaper than uuid4's system call)."""
    return f"{random.getrandbits(128):032x}"


def _elapsed(record: AccessRecord) -> float:
    return time.monotonic() - record.started
