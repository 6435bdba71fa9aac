"""Budgets under a burst (issue 12, row 4): requests in flight hold their expected cost, so a
burst cannot spend several times a limit; and a slow or unreachable store never loses a
charge. In process, and with two routers sharing a real redis-server, over loopback HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from llmrouter import BudgetExceededError, Router
from llmrouter.request import CompletionRequest
from llmrouter.routing.estimate import estimate_request
from redis_support import running_redis
from support import FAST_BACKOFF, Local, user

BURST = 50
MAX_TOKENS = 100


def router(local: Local, limit: float, state: dict[str, Any]) -> Router:
    config = local.config(retries=0)
    config["budgets"] = [{"scope": "route:chat", "limit_usd": limit, "window": "1d"}]
    config["state"] = state
    return Router.from_dict(config, env=local.env, retry=FAST_BACKOFF)


def expected_cost(router: Router) -> float:
    """What one request of the burst holds: its priciest candidate's estimate."""
    request = CompletionRequest.build("chat", user("q0"), params={"max_tokens": MAX_TOKENS})
    prompt = estimate_request(request).prompt_tokens  # the same for q0 .. q49
    costs = [d.price.estimate_usd(prompt, MAX_TOKENS) or 0.0 for d in router.deployments.values()]
    return max(costs)


async def burst(routers: list[Router]) -> tuple[list[Any], list[BaseException]]:
    calls = [
        routers[i % len(routers)].acompletion(
            model="chat", messages=user(f"q{i}"), max_tokens=MAX_TOKENS
        )
        for i in range(BURST)
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    answers = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    return answers, errors


@pytest.mark.parametrize("local", ["native"], indirect=True)
async def test_a_burst_in_one_process_stops_at_the_limit(local: Local) -> None:
    local.glm.set_latency(0.2)  # every request of the burst is in flight at once
    probe = router(local, 1.0, {"backend": "memory"})
    limit = 10 * expected_cost(probe)
    await probe.aclose()
    r = router(local, limit, {"backend": "memory"})
    answers, errors = await burst([r])
    assert all(isinstance(e, BudgetExceededError) for e in errors)
    assert len(answers) == 10  # before: all 50 were sent, 5.9x the limit in the red-team run
    spent = sum(a.route.cost_usd for a in answers)
    assert spent <= limit
    await r.aclose()


@pytest.mark.parametrize("local", ["native"], indirect=True)
async def test_two_routers_on_redis_share_holds_and_lose_no_charge(local: Local) -> None:
    local.glm.set_latency(0.2)
    with running_redis() as server:
        state = {"backend": "redis", "url": server.url, "namespace": "burst"}
        probe = router(local, 1.0, state)
        limit = 10 * expected_cost(probe)
        await probe.aclose()
        routers = [router(local, limit, state), router(local, limit, state)]
        answers, errors = await burst(routers)
        for r in routers:
            await r.aclose()  # writes what is queued
        assert all(isinstance(e, BudgetExceededError) for e in errors)
        assert len(answers) == 10
        fresh = router(local, limit, state)
        [status] = await fresh._assembly.parts.budgets.status("route:chat")  # type: ignore[union-attr]
        await fresh.aclose()
    charged = sum(a.route.cost_usd for a in answers)
    assert status.spent_usd == pytest.approx(charged)  # every charge landed, no hold left
