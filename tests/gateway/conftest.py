"""Fixtures of the gateway tests: stand-in providers in a thread, one shared `llmrouter serve`
subprocess in front of them, and SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gateway_support import GATEWAY_KEY, Gateway, StandIns, gateway_config


@pytest.fixture(scope="session")
def stand_ins() -> Iterator[StandIns]:
    servers = StandIns()
    yield servers
    servers.close()


@pytest.fixture(scope="session")
def gateway(stand_ins: StandIns) -> Iterator[Gateway]:
    process = Gateway(gateway_config(stand_ins)).wait_ready()
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def _clean_stand_ins(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "stand_ins" in request.fixturenames:
        request.getfixturevalue("stand_ins").reset()


@pytest.fixture
def openai_client(gateway: Gateway) -> Iterator[Any]:
    import openai

    with openai.OpenAI(base_url=gateway.url + "/v1", api_key=GATEWAY_KEY, max_retries=0) as client:
        yield client


@pytest.fixture
def anthropic_client(gateway: Gateway) -> Iterator[Any]:
    import anthropic

    with anthropic.Anthropic(base_url=gateway.url, api_key=GATEWAY_KEY, max_retries=0) as client:
        yield client
