"""Canaries over loopback HTTP: a canary failing 10% against a 2% guardrail rolls back once it
has min_samples (never before) in two routers sharing a real redis-server, which both stop it,
and a restarted router never starts it; assignment is sticky; a canary failure never reaches
the caller; the latency and refusal guardrails; missing data decides nothing."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qualify_support import Fleet, canary_of, drive, either_fleet, fleet, until

from llmrouter import Router
from llmrouter.callbacks import CanaryRollbackEvent, RouterCallbacks
from llmrouter.testing import Fault
from redis_support import RedisServer, running_redis
from support import user

__all__ = ["either_fleet", "fleet"]

BOOM = {"error": {"message": "boom", "type": "server_error"}}
SYNC_S = 0.3


class Events(RouterCallbacks):
    def __init__(self) -> None:
        self.rollbacks: list[CanaryRollbackEvent] = []

    async def on_canary_rollback(self, event: CanaryRollbackEvent) -> None:
        self.rollbacks.append(event)


def canary(**settings: Any) -> dict[str, Any]:
    return {"model": "glm", "percent": 50, "sticky_by": "none", **settings}


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


def state_of(router: Router) -> str:
    return canary_of(router).state


async def first_model(router: Router, **call: Any) -> str:
    resp = await router.acompletion(model="chat", messages=user(), **call)
    assert resp.route is not None
    return resp.route.attempts[0].model


async def test_a_failing_canary_rolls_back_after_min_samples_in_two_routers(
    fleet: Fleet, redis_server: RedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Routers a and b serve the traffic, their samples pooled through Redis; c serves none
    and follows the rollback through the shared state."""
    fleet.glm.fail_rate(0.1, Fault.http(500, BOOM), seed=7)
    config = fleet.route(canary=canary(min_samples=100, max_error_rate=0.02))
    config["state"] = {"backend": "redis", "url": redis_server.url, "sync_s": SYNC_S}
    config["data_policy"] = {"audit_log": str(tmp_path / "audit.jsonl")}
    events = Events()
    a, b, c = (fleet.router(config, callbacks=[events]) for _ in range(3))
    with caplog.at_level(logging.WARNING, logger="llmrouter"):
        async with a, b, c:
            sent_at_rollback = None
            for index in range(600):
                await (a, b)[index % 2].acompletion(model="chat", messages=user(f"q{index}"))
                if "rolled_back" in (state_of(a), state_of(b)):
                    sent_at_rollback = fleet.glm.request_count
                    break
            # Not before min_samples canary requests (the two routers' pooled), and soon after.
            assert sent_at_rollback is not None and 100 <= sent_at_rollback <= 220
            rolled_at = time.monotonic()
            await until(lambda: state_of(a) == state_of(b) == state_of(c) == "rolled_back")
            assert time.monotonic() - rolled_at < SYNC_S + 1.0, "rollback not followed in time"
            before = fleet.glm.request_count
            errors = [(await drive(router, 20))[1] for router in (a, b, c)]
            assert fleet.glm.request_count == before and errors == [0, 0, 0]
            status = canary_of(c)
    assert status is not None and status.reason is not None
    assert status.reason.startswith("error rate ") and "beyond max 2.0%" in status.reason
    lines = [r for r in caplog.records if "rolled back" in r.getMessage()]
    assert len(lines) == 3 and {r.levelname for r in lines} == {"WARNING"}  # one per router
    assert sum("by another router" in r.getMessage() for r in lines) >= 1  # c at least
    origins = [e.origin for e in events.rollbacks]
    assert len(origins) == 3 and "here" in origins and "shared" in origins
    records = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text().splitlines()]
    legs = [[(leg["kind"], leg["model"], leg["outcome"]) for leg in r["legs"]] for r in records]
    assert [("canary", "glm", "unavailable"), ("fallback", "claude", "ok")] in legs
    assert [("canary", "glm", "ok")] in legs
    async with fleet.router(config) as restarted:  # a deploy: the rollback holds
        assert state_of(restarted) == "rolled_back"
        before = fleet.glm.request_count
        await drive(restarted, 20)
    assert fleet.glm.request_count == before


async def test_sticky_assignment_keeps_a_tenant_on_one_side(fleet: Fleet) -> None:
    config = fleet.route(canary=canary(sticky_by="tenant"))
    async with fleet.router(config) as router:
        sides: dict[str, set[str]] = {}
        for tenant in (f"tenant-{n}" for n in range(30)):
            for _ in range(4):
                first = await first_model(router, metadata={"tenant": tenant})
                sides.setdefault(tenant, set()).add(first)
        anonymous = {await first_model(router) for _ in range(10)}
        status = canary_of(router)
    assert all(len(models) == 1 for models in sides.values()), sides
    on_canary = [t for t, models in sides.items() if models == {"glm"}]
    assert 5 <= len(on_canary) <= 25  # about half, by hash
    assert anonymous == {"claude"}  # no tenant: the primary, not measured
    assert status is not None and status.unkeyed == 10 and status.assigned == 4 * len(on_canary)


async def test_a_canary_failure_never_reaches_the_caller(either_fleet: Fleet) -> None:
    fleet = either_fleet
    fleet.glm.fail_always(Fault.http(500, BOOM))
    config = fleet.route(canary=canary(percent=100, min_samples=10_000))
    async with fleet.router(config) as router:
        resp = await router.acompletion(model="chat", messages=user())
        _, errors = await drive(router, 30)
        stream = await router.acompletion(model="chat", messages=user(), stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        status = canary_of(router)
    assert errors == 0 and text
    assert resp.route is not None and resp.route.model == "claude"
    assert [(a.model, a.kind, a.outcome) for a in resp.route.attempts] == [
        ("glm", "canary", "error"),
        ("claude", "fallback", "ok"),
    ]
    assert stream.route is not None and stream.route.model == "claude"
    assert status is not None and status.state == "active"  # too few samples to judge
    # Its breaker opened after a few faults: each request it then refused counts as an error.
    assert (status.canary.samples, status.canary.errors) == (32, 32)


async def test_a_slow_canary_rolls_back_on_the_latency_guardrail(fleet: Fleet) -> None:
    fleet.claude.set_latency(0.01)
    fleet.glm.set_latency(0.1)
    config = fleet.route(canary=canary(min_samples=20, max_p95_latency_ratio=2.0))
    async with fleet.router(config) as router:
        await drive(router, 200, concurrency=8)
        status = canary_of(router)
    assert status is not None and status.state == "rolled_back"
    assert status.reason is not None and status.reason.startswith("p95 latency ratio ")
    assert status.control.samples >= 20 and status.canary.errors == 0


async def test_a_refusing_canary_rolls_back_on_the_refusal_guardrail(fleet: Fleet) -> None:
    fleet.glm.fail_rate(0.3, Fault.refusal("I can't help with that."), seed=3)
    config = fleet.route(canary=canary(min_samples=30, max_refusal_rate_delta=0.05))
    async with fleet.router(config) as router:
        await drive(router, 200)
        status = canary_of(router)
    assert status is not None and status.state == "rolled_back"
    assert status.reason is not None and status.reason.startswith("refusal rate change +")
    assert status.canary.refusals > 0 and status.control.refusals == 0


async def test_missing_data_never_rolls_back(fleet: Fleet) -> None:
    """A canary that is never sent (blocked) has no samples: no verdict, whatever happens."""
    config = fleet.route(canary=canary(percent=100, min_samples=5))
    async with fleet.router(config) as router:
        await router.block(model="glm", reason="legal review")
        _, errors = await drive(router, 40)
        status = canary_of(router)
    assert errors == 0 and fleet.glm.request_count == 0
    assert status is not None and status.state == "active" and status.canary.samples == 0


@pytest.mark.parametrize("why", ["its model budget is spent", "the prompt exceeds its window"])
async def test_a_canary_that_may_not_serve_the_request_is_not_tried(fleet: Fleet, why: str) -> None:
    config = fleet.route(canary=canary(percent=100))
    if why == "its model budget is spent":
        config["budgets"] = [{"scope": "model:glm", "limit_usd": 0}]
        prompt = "hi"
    else:
        config["models"]["glm"]["context_window"] = 100
        prompt = "word " * 400
    async with fleet.router(config) as router:
        resp = await router.acompletion(model="chat", messages=user(prompt))
        status = canary_of(router)
    assert resp.route is not None and [a.model for a in resp.route.attempts] == ["claude"]
    assert (status.ineligible, status.assigned, fleet.glm.request_count) == (1, 0, 0)
