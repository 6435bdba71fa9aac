"""Fixtures for the `llmrouter.testing` tests: a started server and a raw HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from llmrouter.testing import LocalProviderServer


@pytest.fixture
async def server() -> AsyncIterator[LocalProviderServer]:
    async with LocalProviderServer() as srv:
        yield srv


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield http
