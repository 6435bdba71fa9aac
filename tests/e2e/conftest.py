"""End-to-end fixtures: local providers over loopback HTTP, driven through litellm's adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from llmrouter import RetrySettings, Router
from llmrouter.testing import LocalProviderServer
from support import Local

FAST_BACKOFF = RetrySettings(backoff_initial_s=0.01, backoff_max_s=0.05)


@pytest.fixture
async def local() -> AsyncIterator[Local]:
    async with LocalProviderServer() as server:
        yield Local(server)


@pytest.fixture
def router_for(local: Local) -> Callable[..., Router]:
    """`router_for(**route_settings)`: a router over the local providers, fast backoff."""

    def build(**route: Any) -> Router:
        return Router.from_dict(local.config(**route), env=local.env, retry=FAST_BACKOFF)

    return build
