"""Fixtures for the native adapters: local providers over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from native_support import Adapters

from llmrouter.testing import LocalProvider, LocalProviderServer


@pytest.fixture
async def server() -> AsyncIterator[LocalProviderServer]:
    async with LocalProviderServer() as srv:
        srv.add_provider("gpt", wire="openai", flavor="openai")
        srv.add_provider("glm", wire="openai", flavor="zhipu")
        srv.add_provider("claude", wire="anthropic")
        yield srv


@pytest.fixture
def gpt(server: LocalProviderServer) -> LocalProvider:
    return server.providers["gpt"]


@pytest.fixture
def glm(server: LocalProviderServer) -> LocalProvider:
    return server.providers["glm"]


@pytest.fixture
def claude(server: LocalProviderServer) -> LocalProvider:
    return server.providers["claude"]


@pytest.fixture
async def adapters() -> AsyncIterator[Adapters]:
    pool = Adapters()
    yield pool
    await pool.aclose()
