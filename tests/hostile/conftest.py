"""Fixtures of the hostile-input tests: a hostile server, a recorder, a stand-in fallback, and
a `harness` per adapter (every test runs through `adapter: native` and `adapter: litellm`
unless it asks for one with `@pytest.mark.parametrize("adapter", [...], indirect=True)`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import behaviours
import pytest
from hostile_server import HostileServer
from hostile_support import Adapter, Harness

from llmrouter.testing import LocalProviderServer


@pytest.fixture(params=["native", "litellm"])
def adapter(request: pytest.FixtureRequest) -> Adapter:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def harness(adapter: Adapter) -> AsyncIterator[Harness]:
    async with (
        HostileServer(behaviours.answer()) as hostile,
        HostileServer(behaviours.answer("Answered by the recorder.")) as recorder,
        LocalProviderServer() as standin,
    ):
        backup = standin.add_provider("backup", wire="openai", flavor="openai")
        yield Harness(hostile, recorder, backup, adapter)
