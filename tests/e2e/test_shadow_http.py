"""Shadow traffic over loopback HTTP: the caller sees nothing of it (latency, errors, cost,
cache, budgets, breakers), it obeys the data policy and blocks, holds its sample rate and its
concurrency bound, works for streams, stops cleanly on close, and its pairs reach the report."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from qualify_support import Fleet, drive, either_fleet, fleet, max_overlap, p99, shadow_of, until

from llmrouter.testing import Fault
from support import user

__all__ = ["either_fleet", "fleet"]

BOOM = {"error": {"message": "boom", "type": "server_error"}}


def shadow(**settings: Any) -> dict[str, Any]:
    return {"models": ["glm"], "sample": 1.0, "max_concurrency": 4, **settings}


@pytest.mark.parametrize("candidate", ["hangs", "errors", "is 10x slower"])
async def test_a_bad_candidate_leaves_the_callers_p99_and_errors_unchanged(
    fleet: Fleet, candidate: str, caplog: pytest.LogCaptureFixture
) -> None:
    fleet.claude.set_latency(0.03)
    if candidate == "hangs":
        fleet.glm.fail_always(Fault.hang())
    elif candidate == "errors":
        fleet.glm.fail_always(Fault.http(500, BOOM))
    else:
        fleet.glm.set_latency(0.3)
    async with fleet.router(fleet.route()) as plain:
        await drive(plain, 10)  # warm both the same way
        base, base_errors = await drive(plain, 150)
    mirrored = fleet.router(fleet.route(shadow=shadow()))
    with caplog.at_level(logging.WARNING):
        async with mirrored:
            await drive(mirrored, 10)
            latencies, errors = await drive(mirrored, 150)
            state = shadow_of(mirrored)
            health = mirrored.health()["glm"]
            assert state is not None and state.sampled == 160
            assert state.in_flight <= 4
            if candidate == "errors":
                await until(lambda: shadow_of(mirrored).in_flight == 0)
                state = shadow_of(mirrored)
                assert state is not None and state.errors >= 3
                # ... until the shadows' own breaker opened: then they are not even sent.
                assert state.skipped > 0 and state.sent + state.skipped + state.dropped == 160
            elif candidate == "hangs":
                assert state.dropped >= 150  # four hang until the router closes
    assert (errors, base_errors) == (0, 0)
    assert p99(latencies) <= 2 * p99(base) + 0.1, (p99(latencies), p99(base))
    # The caller's breaker and latency figures of the candidate never saw a shadow.
    assert (health.circuit, health.error_rate, health.latency_s) == ("closed", 0.0, None)
    assert "Task was destroyed" not in caplog.text
    assert fleet.glm.request_count >= 4


async def test_the_sample_rate_holds_over_1000_requests(fleet: Fleet) -> None:
    config = fleet.route(shadow=shadow(sample=0.2, max_concurrency=1000))
    async with fleet.router(config) as router:
        _, errors = await drive(router, 1000, concurrency=10)
        await until(lambda: shadow_of(router).in_flight == 0)
        state = shadow_of(router)
    assert state is not None and errors == 0
    # Binomial(1000, 0.2): mean 200, sd 12.6; five sd either side.
    assert 137 <= state.sampled <= 263, state.sampled
    assert state.sent == state.compared == state.sampled == fleet.glm.request_count
    assert state.dropped == state.refused_by_policy == state.errors == 0
    assert fleet.claude.request_count == 1000


POLICY = {
    "default_class": "public",
    "classes": {"public": {}, "pii-us": {"regions": ["us"]}},
}


async def test_a_shadow_into_a_forbidden_region_is_never_sent(fleet: Fleet, tmp_path: Path) -> None:
    config = fleet.route(shadow=shadow())
    config["providers"]["zhipu"]["region"] = "cn"
    config["providers"]["anthropic"]["region"] = "us"
    config["data_policy"] = {**POLICY, "audit_log": str(tmp_path / "audit.jsonl")}
    async with fleet.router(config) as router:
        for _ in range(5):
            await router.acompletion(
                model="chat", messages=user(), metadata={"data_class": "pii-us"}
            )
        await router.acompletion(model="chat", messages=user("public"))  # may be mirrored
        await until(lambda: shadow_of(router).compared == 1)
        await router.block(vendor="zhipu", reason="export review")
        await router.acompletion(model="chat", messages=user("public, blocked"))
        state = shadow_of(router)
    assert state is not None
    assert (state.sampled, state.refused_by_policy, state.sent) == (7, 6, 1)
    assert fleet.glm.request_count == 1
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    shadow_legs = [leg for r in records for leg in r["legs"] if leg["kind"] == "shadow"]
    assert [(leg["model"], leg["region"]) for leg in shadow_legs] == [("glm", "cn")]
    assert {r["data_class"] for r in records if r["legs"][0]["kind"] == "shadow"} == {"public"}


async def test_shadow_spend_lands_in_its_own_budget_scope_only(fleet: Fleet) -> None:
    config = fleet.route(shadow=shadow())
    config["budgets"] = [
        {"scope": "shadow:chat", "limit_usd": 1000},
        {"scope": "route:chat", "limit_usd": 1000},
        {"scope": "tenant:acme", "limit_usd": 1000},
        {"scope": "model:glm", "limit_usd": 1000},
        {"scope": "route:glm-direct", "limit_usd": 1000},
    ]
    async with fleet.router(config) as router:
        costs = []
        for index in range(10):
            resp = await router.acompletion(
                model="chat", messages=user(f"q{index}"), metadata={"tenant": "acme"}
            )
            assert resp.route is not None
            assert [a.model for a in resp.route.attempts] == ["claude"]
            costs.append(resp.route.cost_usd)
        await until(lambda: shadow_of(router).compared == 10)
        book = router._assembly.parts.budgets
        assert book is not None
        scopes = ("shadow:chat", "route:chat", "tenant:acme", "model:glm", "route:glm-direct")
        spent = {s: (await book.status(s))[0].spent_usd for s in scopes}
        shadow_cost = shadow_of(router).candidates["glm"].cost_usd
    assert shadow_cost > 0 and spent["shadow:chat"] == pytest.approx(shadow_cost)
    assert spent["route:chat"] == pytest.approx(sum(costs)) == spent["tenant:acme"]
    assert spent["model:glm"] == spent["route:glm-direct"] == 0.0


async def test_a_spent_shadow_budget_stops_the_shadows(fleet: Fleet) -> None:
    config = fleet.route(shadow=shadow())
    config["budgets"] = [{"scope": "shadow:chat", "limit_usd": 0.000001}]
    async with fleet.router(config) as router:
        await router.acompletion(model="chat", messages=user("first"))  # spends the budget
        await until(lambda: shadow_of(router).compared == 1)
        for index in range(5):
            await router.acompletion(model="chat", messages=user(f"q{index}"))
        await until(lambda: shadow_of(router).over_budget == 5)
    assert fleet.glm.request_count == 1


async def test_max_concurrency_bounds_shadows_in_flight_under_a_burst(fleet: Fleet) -> None:
    fleet.glm.set_latency(0.5)
    async with fleet.router(fleet.route(shadow=shadow(max_concurrency=3))) as router:
        await asyncio.gather(
            *(router.acompletion(model="chat", messages=user(f"b{i}")) for i in range(60))
        )
        state = shadow_of(router)
        assert state is not None and state.in_flight <= 3
        await until(lambda: shadow_of(router).in_flight == 0)
        final = shadow_of(router)
    assert final is not None
    assert final.sampled == 60 and final.sent + final.dropped == 60
    assert 3 <= final.sent <= 9 and final.dropped >= 51  # excess dropped, never queued
    assert max_overlap(fleet.glm) <= 3


async def test_a_cache_hit_is_not_mirrored_and_no_shadow_answer_is_cached(fleet: Fleet) -> None:
    config = fleet.route(shadow=shadow())
    config["cache"] = {"backend": "memory"}
    fleet.glm.set_reply("the candidate's answer")
    async with fleet.router(config) as router:
        first = await router.acompletion(model="chat", messages=user("same"))
        await until(lambda: shadow_of(router).compared == 1)
        hit = await router.acompletion(model="chat", messages=user("same"))
        state = shadow_of(router)
    assert hit.route is not None and hit.route.cache_hit
    assert hit.text == first.text != "the candidate's answer"
    assert state is not None and state.sampled == 1 and fleet.glm.request_count == 1


async def test_streamed_requests_are_compared_once_the_stream_completes(
    either_fleet: Fleet,
) -> None:
    fleet = either_fleet
    fleet.glm.set_reply("a different answer entirely")
    async with fleet.router(fleet.route(shadow=shadow())) as router:
        stream = await router.acompletion(model="chat", messages=user("stream"), stream=True)
        await asyncio.sleep(0.2)
        assert fleet.glm.request_count == 0  # the primary's stream is not read yet
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        await until(lambda: shadow_of(router).compared == 1)
        left = await router.acompletion(model="chat", messages=user("left"), stream=True)
        async for _ in left:
            break
        await left.aclose()  # abandoned by its reader: nothing to compare with
        state = shadow_of(router)
        candidate = state.candidates["glm"] if state is not None else None
    assert text and state is not None and candidate is not None
    assert (state.sampled, state.compared, state.skipped) == (2, 1, 1)
    assert (candidate.agreed, fleet.glm.request_count) == (0, 1)
    assert fleet.glm.requests[0].stream  # mirrored as it was asked: streamed


async def test_aclose_cancels_shadows_in_flight(
    fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    fleet.glm.fail_always(Fault.hang())
    router = fleet.router(fleet.route(shadow=shadow()))
    with caplog.at_level(logging.DEBUG, logger="asyncio"):
        async with router:
            await asyncio.gather(
                *(router.acompletion(model="chat", messages=user()) for _ in range(4))
            )
            await until(lambda: fleet.glm.request_count == 4)
            started = time.monotonic()
        closing = time.monotonic() - started
    assert closing < 2.0
    state = shadow_of(router)
    assert state is not None and state.in_flight == 0
    await until(lambda: all(r.finished_at is not None for r in fleet.glm.requests))
    assert all(r.disconnected for r in fleet.glm.requests)
    assert "Task was destroyed" not in caplog.text


async def test_pairs_reach_the_report_with_a_verdict(fleet: Fleet, tmp_path: Path) -> None:
    fleet.glm.fail_next(Fault.http(500, BOOM), times=2)
    config = fleet.route(shadow=shadow(compare=["similarity", "json_valid"]))
    config["experiments"]["switch_criteria"] = {"min_samples": 10}
    async with fleet.router(config) as router:
        for index in range(20):
            await router.acompletion(model="chat", messages=user(f"q{index}"))
        await until(lambda: shadow_of(router).in_flight == 0)
        run_id = shadow_of(router).run_id
    path = tmp_path / "llmrouter.yaml"
    path.write_text(yaml.safe_dump(config))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llmrouter.cli", "report", "--config", str(path), "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    [comparison] = json.loads(out)["comparisons"]
    assert (comparison["source"], comparison["run_id"], comparison["baseline"]) == (
        "shadow", run_id, "chat")  # fmt: skip
    glm = comparison["routes"]["glm"]
    assert (glm["cases"], glm["errors"], comparison["routes"]["chat"]["cases"]) == (20, 2, 20)
    assert set(glm["checks"]) == {"similarity", "json_valid"}
    verdict = comparison["verdicts"]["glm"]
    assert (
        verdict["state"] == "not_safe" and "error rate 10.0% beyond max 2.0%" in verdict["verdict"]
    )
