"""Deadlines and cancellation over loopback HTTP: a hung provider never holds a request past
its deadline, and a cancelled caller closes the upstream connection at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from llmrouter import AllModelsFailedError, Router
from llmrouter.testing import Fault
from support import Local, user

RouterFor = Callable[..., Router]


async def test_hung_provider_ends_within_the_deadline(local: Local, router_for: RouterFor) -> None:
    local.glm.fail_always(Fault.hang())
    local.claude.fail_always(Fault.hang())
    async with router_for(timeout_s=1.0, retries=3) as router:  # litellm imported here
        started = time.monotonic()
        with pytest.raises(AllModelsFailedError, match="deadline"):
            await router.acompletion(model="chat", messages=user())
    assert time.monotonic() - started < 1.0 + 0.5


@pytest.mark.parametrize("stream", [False, True])
async def test_cancelled_caller_closes_the_upstream_connection(
    local: Local, router_for: RouterFor, stream: bool
) -> None:
    local.glm.fail_always(Fault.hang())
    router = router_for(retries=3)
    task = asyncio.ensure_future(router.acompletion(model="chat", messages=user(), stream=stream))
    for _ in range(500):  # the request reaches the provider
        if local.glm.request_count:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    cancelled_at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [request] = local.glm.requests
    deadline = cancelled_at + 0.1
    for _ in range(200):  # poll the server's view of the connection
        if request.disconnected or time.monotonic() > deadline + 1:
            break
        await asyncio.sleep(0.005)
    assert request.disconnected
    assert request.finished_at is not None and request.finished_at - cancelled_at < 0.1
    await asyncio.sleep(0.2)
    assert local.glm.request_count == 1  # no retry
    assert local.claude.request_count == 0  # no fallback
