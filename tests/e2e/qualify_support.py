"""Shared set-up of the shadow and canary tests: Claude as the primary, GLM as the candidate,
both local stand-ins over loopback HTTP, results in a SQLite store of the test's own."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from llmrouter import LLMRouterError, Router
from llmrouter.qualify import CanaryStatus, ShadowStatus
from llmrouter.testing import LocalProvider, LocalProviderServer
from support import FAST_BACKOFF, Local, user


class Fleet(Local):
    """`claude` serves the route, `glm` is the candidate (shadow or canary)."""

    def __init__(
        self, server: LocalProviderServer, tmp_path: Path, adapter: str = "native"
    ) -> None:
        super().__init__(server, adapter=adapter)
        self.tmp_path = tmp_path
        self.store = tmp_path / "experiments.sqlite"

    def route(self, **settings: Any) -> dict[str, Any]:
        """A config whose route `chat` is `[claude]` with `settings` (shadow:, canary:, ...)."""
        config = self.config()
        route = {"models": ["claude"], "timeout_s": 10, "retries": 0, **settings}
        config["routes"] = {"chat": route, "glm-direct": {"models": ["glm"], "retries": 0}}
        config["experiments"] = {"store": f"sqlite:///{self.store}"}
        return config

    def router(self, config: dict[str, Any], **kwargs: Any) -> Router:
        return Router(config, env=self.env, retry=FAST_BACKOFF, **kwargs)


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[Fleet]:
    """Through the native adapters (the default for these vendors)."""
    async with LocalProviderServer() as server:
        yield Fleet(server, tmp_path)


@pytest.fixture(params=["native", "litellm"])
async def either_fleet(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Fleet]:
    """Through each adapter kind, for the behaviours a stream's shape could change."""
    async with LocalProviderServer() as server:
        yield Fleet(server, tmp_path, adapter=request.param)


def p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


async def drive(
    router: Router, count: int, *, concurrency: int = 6, **call: Any
) -> tuple[list[float], int]:
    """`count` requests to `chat`, `concurrency` at a time: their latencies, and the errors."""
    latencies: list[float] = []
    errors = 0
    pending = iter(range(count))

    async def worker() -> None:
        nonlocal errors
        for index in pending:
            started = time.perf_counter()
            try:
                await router.acompletion(model="chat", messages=user(f"question {index}"), **call)
            except LLMRouterError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


async def until(condition: Any, timeout_s: float = 5.0) -> None:
    """Wait for `condition()` to hold (background work: shadows, syncs)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def max_overlap(provider: LocalProvider) -> int:
    """The most requests the stand-in had in flight at once."""
    events = []
    for request in provider.requests:
        events.append((request.received_at, 1))
        events.append((request.finished_at or math.inf, -1))
    peak = current = 0
    for _, change in sorted(events):
        current += change
        peak = max(peak, current)
    return peak


def shadow_of(router: Router, route: str = "chat") -> ShadowStatus:
    found = router.experiments()[route].shadow
    assert found is not None
    return found


def canary_of(router: Router, route: str = "chat") -> CanaryStatus:
    found = router.experiments()[route].canary
    assert found is not None
    return found
