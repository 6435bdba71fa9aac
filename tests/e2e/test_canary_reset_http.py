"""Resetting a rolled-back canary: two routers sharing a real redis-server roll the canary back
on a breach of its guardrail; `llmrouter canary status` shows why, `llmrouter canary reset`
clears it, and both routers resume the canary within their sync interval, from no samples.
Without a shared state the CLI refuses and `router.reset_canary` resumes it in the process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from qualify_support import Fleet, canary_of, drive, fleet, until

from llmrouter import RequestValidationError, Router
from llmrouter.config.qualify import CanaryConfig
from llmrouter.qualify.setup import fingerprint
from llmrouter.state.redis import RedisStore
from llmrouter.testing import Fault
from redis_support import RedisServer, running_redis
from support import user

__all__ = ["fleet"]

BOOM = {"error": {"message": "boom", "type": "server_error"}}
SYNC_S = 0.3
CANARY = {"model": "glm", "percent": 50, "sticky_by": "none", "min_samples": 40}


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", "canary", *args, "--config", str(config)],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def written(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def roll_back(fleet: Fleet, routers: tuple[Router, ...]) -> None:
    fleet.glm.fail_rate(0.3, Fault.http(500, BOOM), seed=3)
    for index in range(400):
        router = routers[index % len(routers)]
        await router.acompletion(model="chat", messages=user(f"q{index}"))
        if any(canary_of(r).state == "rolled_back" for r in routers):
            break
    await until(lambda: all(canary_of(r).state == "rolled_back" for r in routers))


async def test_a_reset_from_the_cli_resumes_the_canary_in_every_router(
    fleet: Fleet, redis_server: RedisServer, tmp_path: Path
) -> None:
    config = fleet.route(canary=CANARY)
    config["state"] = {"backend": "redis", "url": redis_server.url, "sync_s": SYNC_S}
    path = written(tmp_path, config)
    a, b = fleet.router(config), fleet.router(config)
    async with a, b:
        await roll_back(fleet, (a, b))
        shown = cli(path, "status", "chat")
        assert shown.returncode == 0, shown.stderr
        assert "canary glm on route chat" in shown.stdout
        assert "rolled back at " in shown.stdout and "error rate" in shown.stdout
        assert "never reset" in shown.stdout

        fleet.glm.clear_faults()  # the vendor fixed its side
        before = fleet.glm.request_count
        await drive(a, 10)
        assert fleet.glm.request_count == before, "a rolled-back canary serves nothing"
        done = cli(path, "reset", "chat")
        assert done.returncode == 0, done.stderr
        assert "reset canary glm on route chat" in done.stdout and "was: rolled back" in done.stdout
        reset_at = time.monotonic()
        await until(lambda: canary_of(a).state == canary_of(b).state == "active")
        assert time.monotonic() - reset_at < SYNC_S + 1.0, "reset not followed in time"
        assert canary_of(a).reason is None and canary_of(a).canary.samples == 0
        await lagging_router_writes(redis_server.url)
        await drive(a, 5)
        await asyncio.sleep(3 * SYNC_S)
        assert canary_of(a).state == canary_of(b).state == "active", canary_of(a).reason
        assert canary_of(a).canary.samples < 10  # the lagging router's 200 are not counted

        assigned = (canary_of(a).assigned, canary_of(b).assigned)
        for router in (a, b):
            _, errors = await drive(router, 60)
            assert errors == 0
        assert canary_of(a).assigned > assigned[0] and canary_of(b).assigned > assigned[1]
        await until(lambda: canary_of(a).canary.samples >= CANARY["min_samples"])
        assert canary_of(a).state == canary_of(b).state == "active"  # old samples are gone

    shown = cli(path, "status", "chat")
    assert shown.returncode == 0, shown.stderr
    assert "active" in shown.stdout and "last reset at " in shown.stdout
    async with fleet.router(config) as restarted:  # a deploy after the reset: it runs
        assert canary_of(restarted).state == "active"


async def lagging_router_writes(url: str) -> None:
    """What a router that has not synced since the reset may still write: its old samples,
    breaching the guardrail, and a rollback decided on them (both of the epoch before)."""
    key = f"chat:{fingerprint(CanaryConfig(**CANARY))}"
    bad = {"n": 200, "errors": 100, "refusals": 0, "hist": {}}
    sides = json.dumps({"canary": bad, "control": bad}).encode()
    rollback = json.dumps({"model": "glm", "reason": "old news", "at": time.time(), "by": "x"})
    store = RedisStore(url, timeout_s=2.0)
    try:
        assert await store.hset(f"llmrouter:canary:samples:{key}", "lagging", sides)
        assert await store.hset("llmrouter:canary:rollbacks", key, rollback.encode())
    finally:
        await store.aclose()


async def test_a_router_reset_in_the_process_reaches_the_others(
    fleet: Fleet, redis_server: RedisServer
) -> None:
    config = fleet.route(canary=CANARY)
    config["state"] = {"backend": "redis", "url": redis_server.url, "sync_s": SYNC_S}
    a, b = fleet.router(config), fleet.router(config)
    async with a, b:
        await roll_back(fleet, (a, b))
        fleet.glm.clear_faults()
        assert await a.reset_canary("chat") is True
        assert canary_of(a).state == "active"  # here, at once
        await until(lambda: canary_of(b).state == "active")


async def test_without_a_shared_state(fleet: Fleet, tmp_path: Path) -> None:
    config = fleet.route(canary=CANARY)
    refused = cli(written(tmp_path, config), "reset", "chat")
    assert refused.returncode == 2 and "no shared state" in refused.stderr
    async with fleet.router(config) as router:
        await roll_back(fleet, (router,))
        fleet.glm.clear_faults()
        assert await router.reset_canary("chat") is True
        assert canary_of(router).state == "active" and canary_of(router).canary.samples == 0
        with pytest.raises(RequestValidationError, match="'glm-direct' has no canary"):
            await router.reset_canary("glm-direct")


async def test_a_route_without_a_canary_is_refused(
    fleet: Fleet, redis_server: RedisServer, tmp_path: Path
) -> None:
    config = fleet.route(canary=CANARY)
    config["state"] = {"backend": "redis", "url": redis_server.url}
    refused = cli(written(tmp_path, config), "status", "chta")
    assert refused.returncode == 2
    assert "route 'chta' has no canary; did you mean 'chat'?" in refused.stderr


async def test_an_unreachable_state_is_exit_code_1(fleet: Fleet, tmp_path: Path) -> None:
    config = fleet.route(canary=CANARY)
    config["state"] = {"backend": "redis", "url": "redis://127.0.0.1:9/0"}
    for action in ("status", "reset"):
        failed = cli(written(tmp_path, config), action, "chat")
        assert failed.returncode == 1 and "cannot " in failed.stderr, failed.stderr
