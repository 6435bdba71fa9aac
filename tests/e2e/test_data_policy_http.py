"""The data policy through a Router, over loopback HTTP: where each request's data may go,
blocks shared through a real redis-server (made from the CLI, held across restarts and while
Redis is down), and the audit record of every request in the JSONL file, the `on_audit`
callbacks and the request span, from one process and from two writing one file."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from llmrouter import AllModelsFailedError, RequestValidationError, Router
from llmrouter.datapolicy import AuditRecord
from llmrouter.telemetry import RouterCallbacks
from llmrouter.testing import Fault, LocalProvider, LocalProviderServer
from redis_support import RedisServer, running_redis
from support import CANARY_KEY

PROMPT = "Employee 4471 Jana Novak, salary 81,000 EUR, medical leave in March"
SECRETS = (CANARY_KEY, "Novak", "81,000", "medical leave")
ENV = {"ZHIPU_API_KEY": CANARY_KEY, "ANTHROPIC_API_KEY": CANARY_KEY + "-a"}
SYNC_S = 0.3
OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


class Fleet:
    """GLM in China; Claude on two EU endpoints (zero data retention) and one in the US."""

    def __init__(self, server: LocalProviderServer) -> None:
        self.server = server
        self.glm: LocalProvider = server.add_provider("glm", wire="openai", flavor="zhipu")
        self.eu: LocalProvider = server.add_provider("claude-eu", wire="anthropic")
        self.eu2: LocalProvider = server.add_provider("claude-eu2", wire="anthropic")
        self.us: LocalProvider = server.add_provider("claude-us", wire="anthropic")

    def config(self, tmp_path: Path, **extra: Any) -> dict[str, Any]:
        def claude(local: LocalProvider, region: str) -> dict[str, Any]:
            return {
                "api_base": local.api_base,
                "api_key": "${ANTHROPIC_API_KEY}",
                "vendor": "anthropic",
                "region": region,
                "zero_data_retention": region == "eu",
            }

        return {
            "providers": {
                "zhipu": {
                    "api_base": self.glm.api_base,
                    "api_key": "${ZHIPU_API_KEY}",
                    "region": "cn",
                },
                "anthropic-eu": claude(self.eu, "eu"),
                "anthropic-eu2": claude(self.eu2, "eu"),
                "anthropic-us": claude(self.us, "us"),
            },
            "models": {
                "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
                "claude-eu": {"provider": "anthropic-eu", "model": "anthropic/claude-sonnet-4-5"},
                "claude-eu2": {"provider": "anthropic-eu2", "model": "anthropic/claude-sonnet-4-5"},
                "claude-us": {"provider": "anthropic-us", "model": "anthropic/claude-sonnet-4-5"},
            },
            "routes": {
                "chat": {"models": ["glm", "claude-us"], "retries": 0, "timeout_s": 20},
                "hr": {
                    "models": ["claude-eu", "glm", "claude-eu2"],
                    "data_class": "pii-eu",
                    "retries": 0,
                    "timeout_s": 20,
                },
                "hr-short": {
                    "models": ["claude-eu", "glm"],
                    "data_class": "pii-eu",
                    "retries": 0,
                    "timeout_s": 20,
                },
            },
            "data_policy": {
                "default_class": "public",
                "audit_log": str(tmp_path / "audit.jsonl"),
                "classes": {
                    "public": {},
                    "pii-eu": {
                        "regions": ["eu"],
                        "vendors": ["anthropic"],
                        "zero_data_retention": True,
                    },
                },
            },
            **extra,
        }

    def counts(self) -> tuple[int, ...]:
        return tuple(p.request_count for p in (self.glm, self.eu, self.eu2, self.us))


@pytest.fixture
async def fleet() -> AsyncIterator[Fleet]:
    async with LocalProviderServer() as server:
        yield Fleet(server)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


def audit_lines(tmp_path: Path) -> list[dict[str, Any]]:
    text = (tmp_path / "audit.jsonl").read_text()
    for secret in SECRETS:
        assert secret not in text
    return [json.loads(line) for line in text.splitlines()]


def user(text: str = PROMPT) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def legs(record: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(leg["kind"], leg["model"], leg["region"], leg["outcome"]) for leg in record["legs"]]


async def test_a_fallback_into_a_forbidden_region_is_skipped_and_audited(
    fleet: Fleet, tmp_path: Path
) -> None:
    fleet.eu.fail_next(Fault.http(529, OVERLOADED), times=2)
    async with Router(fleet.config(tmp_path), env=ENV) as router:
        resp = await router.acompletion(model="hr", messages=user())
        assert resp.route is not None and resp.route.model == "claude-eu2"
        with pytest.raises(AllModelsFailedError) as info:  # nothing allowed after the failure
            await router.acompletion(model="hr-short", messages=user())
    assert "claude-eu: overloaded" in str(info.value)
    assert "not tried: glm: policy (region: provider 'zhipu' is in cn" in str(info.value)
    assert fleet.counts() == (0, 2, 1, 0)  # GLM never saw the data
    served, failed = audit_lines(tmp_path)
    assert (served["data_class"], served["outcome"], served["served_model"]) == (
        "pii-eu",
        "ok",
        "claude-eu2",
    )
    assert [(e["model"], e["reason"], e["rule"]) for e in served["excluded"]] == [
        ("glm", "policy", "region")
    ]
    assert legs(served) == [
        ("first", "claude-eu", "eu", "overloaded"),
        ("fallback", "claude-eu2", "eu", "ok"),
    ]
    assert served["legs"][0]["status_code"] == 529
    assert (failed["outcome"], failed["error"]) == ("error", "AllModelsFailedError")
    assert legs(failed) == [("first", "claude-eu", "eu", "overloaded")]
    assert [e["model"] for e in failed["excluded"]] == ["glm"]


async def test_an_unknown_class_makes_no_call_and_is_audited(fleet: Fleet, tmp_path: Path) -> None:
    async with Router(fleet.config(tmp_path), env=ENV) as router:
        with pytest.raises(RequestValidationError, match="unknown data class 'pii'") as info:
            await router.acompletion(model="chat", messages=user(), metadata={"data_class": "pii"})
    assert info.value.field == "metadata.data_class"
    assert fleet.counts() == (0, 0, 0, 0)
    [record] = audit_lines(tmp_path)
    assert (record["data_class"], record["error"], record["legs"]) == (
        None,
        "RequestValidationError",
        [],
    )


async def test_every_request_is_audited_cache_hits_and_streams_too(
    fleet: Fleet, tmp_path: Path
) -> None:
    seen: list[AuditRecord] = []

    class Collect(RouterCallbacks):
        async def on_audit(self, record: AuditRecord) -> None:
            seen.append(record)

    exporter = InMemorySpanExporter()
    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(exporter))
    config = fleet.config(tmp_path, cache={"backend": "memory"})
    config["routes"]["chat"]["cache"] = {"enabled": True}
    async with Router(config, env=ENV, callbacks=[Collect()], tracer_provider=tracer) as router:
        meta = {"tenant": "acme", "request_id": "req-1"}
        await router.acompletion(model="chat", messages=user(), metadata=meta)
        hit = await router.acompletion(model="chat", messages=user(), metadata=meta)
        assert hit.route is not None and hit.route.cache_hit
        stream = await router.acompletion(model="hr", messages=user(), stream=True)
        async for _ in stream:
            pass
    lines = audit_lines(tmp_path)
    assert [(r["route"], r["cache_hit"], r["served_model"]) for r in lines] == [
        ("chat", False, "glm"),
        ("chat", True, "glm"),
        ("hr", False, "claude-eu"),
    ]
    assert lines[0]["request_id"] == "req-1" and lines[0]["tenant"] == "acme"
    assert lines[1]["legs"] == [] and lines[0]["cost_usd"] > 0
    assert [json.loads(r.to_json()) for r in seen] == lines
    events = [e for s in exporter.get_finished_spans() for e in s.events]
    assert [e.name for e in events] == ["llmrouter.audit"] * 3
    attributes = json.dumps([dict(e.attributes or {}) for e in events], default=list)
    assert '"llmrouter.data_class": "pii-eu"' in attributes
    for secret in SECRETS:
        assert secret not in attributes


async def test_a_leg_blocked_mid_request_is_not_sent(fleet: Fleet, tmp_path: Path) -> None:
    """A block made while a request is in flight stops its fallback (every leg asks)."""
    fleet.glm.set_latency(0.3)
    fleet.glm.fail_next(Fault.http(500, {"error": {"message": "boom"}}))
    async with Router(fleet.config(tmp_path), env=ENV) as router:
        task = asyncio.ensure_future(router.acompletion(model="chat", messages=user("hi")))
        await asyncio.sleep(0.1)
        await router.block(provider="anthropic-us", reason="incident 42")
        with pytest.raises(AllModelsFailedError) as info:
            await task
    assert "claude-us: blocked (provider anthropic-us blocked: incident 42)" in str(info.value)
    assert fleet.us.request_count == 0


def write_config(fleet: Fleet, tmp_path: Path, redis_url: str) -> Path:
    config = fleet.config(
        tmp_path, state={"backend": "redis", "url": redis_url, "sync_s": SYNC_S, "timeout_ms": 200}
    )
    path = tmp_path / "llmrouter.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


async def cli(*argv: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "llmrouter.cli",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def served_by(router: Router) -> str:
    resp = await router.acompletion(model="chat", messages=user("hi"))
    assert resp.route is not None
    return resp.route.model


async def test_a_cli_block_stops_two_routers_within_sync_s_and_outlives_a_restart(
    fleet: Fleet, tmp_path: Path, redis_server: RedisServer
) -> None:
    path = write_config(fleet, tmp_path, redis_server.url)
    a, b = Router.from_yaml(path, env=ENV), Router.from_yaml(path, env=ENV)
    async with a, b:
        assert (await served_by(a), await served_by(b)) == ("glm", "glm")
        await cli("block", "--config", str(path), "--vendor", "zhipu", "--reason", "export review")
        blocked_at = time.monotonic()
        for router in (a, b):
            while await served_by(router) == "glm":
                assert time.monotonic() - blocked_at < SYNC_S + 1.0, "block not followed in time"
                await asyncio.sleep(0.02)
        assert time.monotonic() - blocked_at <= SYNC_S + 0.5
        resp = await a.acompletion(model="chat", messages=user("hi"))
        assert resp.route is not None
        assert (resp.route.attempts[0].error, resp.route.attempts[0].detail) == (
            "blocked",
            "vendor zhipu blocked: export review",
        )
    async with Router.from_yaml(path, env=ENV) as restarted:  # a deploy: the block holds
        assert await served_by(restarted) == "claude-us"
        assert [(b.kind, b.value) for b in restarted.blocks()] == [("vendor", "zhipu")]
    await cli("unblock", "--config", str(path), "--vendor", "zhipu")
    async with Router.from_yaml(path, env=ENV) as lifted:
        assert await served_by(lifted) == "glm"


async def test_blocks_stay_in_force_while_redis_is_down(
    fleet: Fleet, tmp_path: Path, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(fleet, tmp_path, redis_server.url)
    async with Router.from_yaml(path, env=ENV) as router:
        await router.block(model="glm", reason="legal hold")
        redis_server.kill()
        with caplog.at_level(logging.WARNING, logger="llmrouter"):
            for _ in range(3):  # several sync rounds against a dead Redis
                await asyncio.sleep(SYNC_S)
                assert await served_by(router) == "claude-us"
    outage = [r for r in caplog.records if "blocks: shared state unreachable" in r.message]
    assert len(outage) == 1 and "1 blocks last read stay in force" in outage[0].message
    assert fleet.glm.request_count == 0


WORKER = """
import asyncio, sys
from llmrouter import Router

async def main(path, tag, count):
    async with Router.from_yaml(path, env={"ZHIPU_API_KEY": sys.argv[4],
                                           "ANTHROPIC_API_KEY": sys.argv[4]}) as router:
        messages = [{"role": "user", "content": sys.argv[5]}]

        async def one(i):
            meta = {"request_id": f"{tag}-{i}", "tenant": tag}
            await router.acompletion(model="hr", messages=messages, metadata=meta)
        await asyncio.gather(*(one(i) for i in range(count)))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_two_processes_write_a_thousand_whole_audit_lines(
    fleet: Fleet, tmp_path: Path
) -> None:
    """1,000 concurrent requests, 500 from each of two processes, into one audit file: every
    line whole and valid, one per request, none with the prompt or a key."""
    fleet.eu.fail_next(Fault.http(529, OVERLOADED), times=100)  # some fall back: longer lines
    config = fleet.config(tmp_path)
    path = tmp_path / "llmrouter.yaml"
    path.write_text(yaml.safe_dump(config))
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER,
            str(path),
            tag,
            "500",
            CANARY_KEY,
            PROMPT,
            stderr=asyncio.subprocess.PIPE,
        )
        for tag in ("p1", "p2")
    ]
    for proc in procs:
        _, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()[-2000:]
    lines = audit_lines(tmp_path)
    assert len(lines) == 1000
    assert {r["request_id"] for r in lines} == {f"p{p}-{i}" for p in (1, 2) for i in range(500)}
    assert {r["outcome"] for r in lines} == {"ok"}
    fallbacks = [r for r in lines if len(r["legs"]) == 2]
    assert len(fallbacks) == 100
    assert all(legs(r)[1] == ("fallback", "claude-eu2", "eu", "ok") for r in fallbacks)
