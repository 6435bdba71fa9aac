"""A pytest plugin (entry point `pytest11`) with the async fixture `local_providers`.

The fixture yields a started `LocalProviderServer` with no providers yet and stops it after
the test. It needs pytest-asyncio; without it the plugin defines nothing and pytest runs on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from llmrouter.testing.server import LocalProviderServer

__all__ = ["local_providers"]

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised in a subprocess test
    __all__ = []
else:

    @pytest_asyncio.fixture
    async def local_providers() -> AsyncIterator[LocalProviderServer]:
        """A started `LocalProviderServer` on 127.0.0.1; add providers in the test."""
        async with LocalProviderServer() as server:
            yield server
