"""The aiohttp application of `llmrouter serve`: endpoints, and the objects behind them.

| Endpoint | Served by |
|---|---|
| `POST /v1/chat/completions` | `ChatFrontend` |
| `POST /v1/responses` | `ResponsesFrontend` |
| `POST /v1/messages` | `MessagesFrontend` |
| `POST /v1/messages/count_tokens` | `count_tokens` (an estimate) |
| `GET /v1/models` | `catalog.model_list` (needs a key) |
| `GET /healthz`, `GET /readyz`, `GET /metrics` | no key needed |
| `GET` / `HEAD /` | 200 (Claude Code probes it first) |

A query string (Claude Code sends `?beta=true`) is ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic_core import to_json

from llmrouter.gateway.access_log import AccessRecord
from llmrouter.gateway.catalog import model_list
from llmrouter.gateway.chat import ChatFrontend
from llmrouter.gateway.count_tokens import ESTIMATE_HEADER, count_tokens
from llmrouter.gateway.frontend import Frontend
from llmrouter.gateway.handler import Gateway
from llmrouter.gateway.messages import MessagesFrontend
from llmrouter.gateway.metrics import CONTENT_TYPE, GatewayMetrics
from llmrouter.gateway.responses import ResponsesFrontend
from llmrouter.gateway.settings import GatewaySettings
from llmrouter.router import Router

__all__ = ["GATEWAY_KEY", "Lifecycle", "build_app"]

GATEWAY_KEY = web.AppKey("gateway", Gateway)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Lifecycle:
    """Readiness: ready once the router is warm, not ready while draining."""

    def __init__(self) -> None:
        self.ready = False
        self.draining = False


LIFECYCLE_KEY = web.AppKey("lifecycle", Lifecycle)


def build_app(
    router: Router, settings: GatewaySettings, metrics: GatewayMetrics
) -> web.Application:
    """The application; the caller owns the router (warm it up, close it)."""
    gateway = Gateway(router, settings, metrics)
    metrics.watch_health(router.health)
    metrics.watch_experiments(router.experiments)
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[GATEWAY_KEY] = gateway
    app[LIFECYCLE_KEY] = Lifecycle()
    messages = MessagesFrontend()
    add = app.router.add_route
    add("POST", "/v1/chat/completions", _completion(gateway, ChatFrontend()))
    add("POST", "/v1/responses", _completion(gateway, ResponsesFrontend()))
    add("POST", "/v1/messages", _completion(gateway, messages))
    add("POST", "/v1/messages/count_tokens", _count_tokens(gateway, messages))
    add("GET", "/v1/models", _models(gateway))
    add("GET", "/healthz", _health)
    add("GET", "/readyz", _ready)
    add("GET", "/metrics", _metrics(metrics))
    app.router.add_get("/", _root)  # also answers HEAD
    return app


def _completion(gateway: Gateway, frontend: Frontend) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await gateway.serve(request, frontend)

    return handle


def _count_tokens(gateway: Gateway, frontend: Frontend) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        record = AccessRecord("", request.method, request.path, "count_tokens")
        try:
            principal = gateway.authenticate(request.headers)
            body = await gateway.read_json(request)
            model, tokens = count_tokens(body, request.headers)
            gateway.target(model, principal)
        except Exception as exc:
            return gateway.error(frontend, exc, record)
        return _json({"input_tokens": tokens}, headers=ESTIMATE_HEADER)

    return handle


def _models(gateway: Gateway) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        record = AccessRecord("", request.method, request.path, "models")
        frontend: Frontend = (
            MessagesFrontend() if "anthropic-version" in request.headers else ChatFrontend()
        )
        try:
            principal = gateway.authenticate(request.headers)
        except Exception as exc:
            return gateway.error(frontend, exc, record)
        return _json(model_list(gateway.settings.targets, principal, request.headers))

    return handle


def _metrics(metrics: GatewayMetrics) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    return handle


async def _health(request: web.Request) -> web.StreamResponse:
    return _json({"status": "ok"})


async def _ready(request: web.Request) -> web.StreamResponse:
    state = request.app[LIFECYCLE_KEY]
    if state.draining:
        return _json({"status": "draining"}, status=503)
    if not state.ready:
        return _json({"status": "starting"}, status=503)
    return _json({"status": "ready"})


async def _root(request: web.Request) -> web.StreamResponse:
    return _json({"service": "llmrouter gateway"})


def _json(
    payload: object, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=to_json(payload),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
