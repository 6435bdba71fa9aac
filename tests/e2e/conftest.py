"""End-to-end fixtures: local providers over loopback HTTP, driven through litellm's adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from otel_support import Otel, make_otel

from llmrouter import Router
from llmrouter.testing import LocalProviderServer
from support import FAST_BACKOFF, Local


@pytest.fixture(params=["native", "litellm"])
async def local(request: pytest.FixtureRequest) -> AsyncIterator[Local]:
    """Local providers; every end-to-end test runs through both adapter kinds."""
    async with LocalProviderServer() as server:
        yield Local(server, adapter=request.param)


@pytest.fixture
def router_for(local: Local) -> Callable[..., Router]:
    """`router_for(**route_settings)`: a router over the local providers, fast backoff."""

    def build(**route: Any) -> Router:
        return Router.from_dict(local.config(**route), env=local.env, retry=FAST_BACKOFF)

    return build


@pytest.fixture(autouse=True)
async def close_routers(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Close every Router a test built, as `async with` would: native adapters hold pooled
    aiohttp sessions that warn when garbage-collected open."""
    built: list[Router] = []
    original = Router.__init__

    def recording_init(self: Router, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(Router, "__init__", recording_init)
    yield
    for router in built:
        await router.aclose()


@pytest.fixture
def otel() -> Iterator[Otel]:
    """An OpenTelemetry SDK tracer and meter provider that keep everything in memory."""
    yield from make_otel()
