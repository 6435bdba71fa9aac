"""`llmrouter.eval.evaluate` over loopback HTTP against stand-ins scripted to differ: the
figures are exactly what the script implies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from scripted import ENV, Scripted, case, completion_tokens, standard_cases

from llmrouter.errors import EvalInputError, RouteNotFoundError
from llmrouter.eval import evaluate, read_results
from llmrouter.experiments import disagreements, open_store, text_similarity, wilson_interval
from llmrouter.testing import LocalProviderServer

ROUTES = ["right-route", "wrong-route", "refusing-route", "erroring-route"]


@pytest.fixture
async def scripted() -> AsyncIterator[Scripted]:
    async with LocalProviderServer() as server:
        yield Scripted(server)


async def test_table_numbers_are_what_the_script_implies(
    scripted: Scripted, tmp_path: Path
) -> None:
    result = await evaluate(
        standard_cases(), config=scripted.config(), routes=ROUTES, env=ENV, store=None
    )
    s = result.summaries
    assert list(s) == ROUTES
    assert [x.cases for x in s.values()] == [10, 10, 10, 10]

    right = s["right-route"]
    assert (right.passed, right.pass_rate, right.ci95) == (10, 1.0, wilson_interval(10, 10))
    assert (right.refusals, right.errors) == (0, 0)
    paris, rome = completion_tokens("Paris"), completion_tokens("Rome")
    assert right.cost_usd == pytest.approx(8 * paris + 2 * rome)  # $1 per completion token
    assert right.cost_per_case_usd == pytest.approx((8 * paris + 2 * rome) / 10)
    assert right.consistency == 1.0  # fr-7 ran twice, passed twice

    wrong = s["wrong-route"]  # always "Paris": right on the 8 France samples only
    assert (wrong.passed, wrong.pass_rate) == (8, 0.8)
    assert wrong.ci95 == pytest.approx((0.4901625, 0.9433178), abs=1e-6)
    assert wrong.checks["contains"].passed == 8
    sim = text_similarity("Paris", "Rome")
    assert wrong.checks["similarity"].mean_score == pytest.approx((8 + 2 * sim) / 10)
    assert wrong.cost_usd == pytest.approx(10 * paris)

    refusing = s["refusing-route"]
    assert (refusing.passed, refusing.refusals, refusing.content_filtered) == (0, 10, 10)
    assert (refusing.errors, refusing.cost_usd) == (0, 0.0)
    assert refusing.checks == {}  # a refused answer is never graded

    erroring = s["erroring-route"]
    assert (erroring.passed, erroring.errors, erroring.errors_by_kind) == (
        0,
        10,
        {"unavailable": 10},
    )
    assert erroring.latency_p50_s is None  # errors have a rate, not a latency

    for provider in (scripted.right, scripted.wrong, scripted.refusing, scripted.erroring):
        assert provider.request_count == 10  # every sample once, nothing more


async def test_json_summary_has_the_documented_shape(scripted: Scripted) -> None:
    result = await evaluate(
        standard_cases(), config=scripted.config(), routes=ROUTES[:2], env=ENV, store=None
    )
    data = json.loads(json.dumps(result.to_json()))
    route = data["routes"]["wrong-route"]
    for key in (
        "cases",
        "passed",
        "pass_rate",
        "ci95",
        "refusals",
        "errors",
        "latency_p50_s",
        "latency_p95_s",
        "cost_usd",
    ):
        assert key in route
    assert route["ci95"] == list(wilson_interval(8, 10))
    assert data["run_id"] == result.run.run_id


async def test_latency_percentiles_follow_the_providers_delay(scripted: Scripted) -> None:
    scripted.wrong.set_latency(0.5)
    result = await evaluate(
        standard_cases(), config=scripted.config(), routes=ROUTES[:2], env=ENV, store=None
    )
    fast, slow = result.summaries["right-route"], result.summaries["wrong-route"]
    assert slow.latency_p50_s is not None and slow.latency_p50_s >= 0.5
    assert fast.latency_p95_s is not None and fast.latency_p95_s < 0.5


async def test_disagreements_name_the_cases_where_outcomes_differ(scripted: Scripted) -> None:
    result = await evaluate(
        standard_cases(), config=scripted.config(), routes=ROUTES[:2], env=ENV, store=None
    )
    diffs = result.disagreements()
    assert [d.case_id for d in diffs] == ["it-1", "it-2"]
    assert diffs[0].outcomes == {"right-route": "pass", "wrong-route": "fail"}
    assert diffs[0].failed_checks["wrong-route"] == ("contains", "similarity")
    every = disagreements(result.records, [*ROUTES[:2], "missing-route"])
    assert every[0].outcomes["missing-route"] == "missing"


def _judge_reply(body: dict[str, object]) -> str:
    prompt = str(body["messages"][-1]["content"])  # type: ignore[index]
    answer = prompt.rsplit("Answer to grade:\n", 1)[1]
    return '{"score": 9, "reason": "right"}' if answer.startswith("Paris") else '{"score": 2}'


async def test_judge_route_grades_and_its_cost_is_counted_apart(scripted: Scripted) -> None:
    scripted.judge.set_reply(_judge_reply)
    rubric = {"judge": "The answer names the capital of France."}
    cases = [
        {
            "id": f"j{i}",
            "messages": [{"role": "user", "content": "Capital of France?"}],
            "checks": [rubric],
        }
        for i in range(4)
    ]
    result = await evaluate(
        cases,
        config=scripted.config(),
        routes=["right-route", "refusing-route"],
        judge="judge-route",
        env=ENV,
        store=None,
    )
    right = result.summaries["right-route"]
    assert right.passed == 4
    assert right.checks["judge"].mean_score == pytest.approx(0.9)
    per_call = completion_tokens('{"score": 9, "reason": "right"}')
    assert right.judge_cost_usd == pytest.approx(4 * per_call)
    assert right.cost_usd == pytest.approx(4 * completion_tokens("Paris"))  # the answers only
    assert scripted.judge.request_count == 4  # refused answers are not sent to the judge
    sent = scripted.judge.requests[0].body
    assert "The answer names the capital of France." in sent["messages"][-1]["content"]
    assert sent["temperature"] == 0


async def test_judge_that_fails_fails_the_check_with_its_fault(scripted: Scripted) -> None:
    from llmrouter.testing import Fault

    scripted.judge.fail_always(Fault.server_error(503))
    cases = [
        {
            "id": "j",
            "messages": [{"role": "user", "content": "Capital of France?"}],
            "checks": [{"judge": "names Paris"}],
        }
    ]
    result = await evaluate(
        cases,
        config=scripted.config(),
        routes=["right-route"],
        judge="judge-route",
        env=ENV,
        store=None,
    )
    (record,) = result.records
    assert record.status == "ok" and not record.passed
    assert record.checks[0].detail == "judge: unavailable"


async def test_judge_checks_need_a_judge_route(scripted: Scripted) -> None:
    cases = [
        {
            "id": "j",
            "messages": [{"role": "user", "content": "hi"}],
            "checks": [{"judge": "polite"}],
        }
    ]
    with pytest.raises(EvalInputError, match=r"<cases>\[0\]: case 'j' has a judge check"):
        await evaluate(cases, config=scripted.config(), routes=["right-route"], env=ENV, store=None)
    assert scripted.right.request_count == 0


async def test_unknown_route_is_refused_before_any_request(scripted: Scripted) -> None:
    with pytest.raises(RouteNotFoundError, match="did you mean 'right-route'"):
        await evaluate(
            standard_cases(), config=scripted.config(), routes=["rigth-route"], env=ENV, store=None
        )
    assert scripted.server.total_requests == 0


async def test_resume_runs_only_what_the_results_file_lacks(
    scripted: Scripted, tmp_path: Path
) -> None:
    out = tmp_path / "results.jsonl"
    first = await evaluate(
        standard_cases(), config=scripted.config(), routes=ROUTES[:2], out=out, env=ENV, store=None
    )
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 20  # the run line, then one line per result
    out.write_text("\n".join(lines[:8]) + "\n" + lines[8][:17])  # 7 results and a torn line
    before = scripted.server.total_requests
    second = await evaluate(
        standard_cases(), config=scripted.config(), routes=ROUTES[:2], out=out, env=ENV, store=None
    )
    assert scripted.server.total_requests - before == 13
    assert (second.resumed, second.ran) == (7, 13)
    assert second.run.run_id == first.run.run_id
    assert second.to_json()["routes"]["wrong-route"]["passed"] == 8
    run, records = read_results(out)
    assert run is not None and len(records) == 20
    assert len({r.key for r in records}) == 20


async def test_a_changed_case_is_run_again_on_resume(scripted: Scripted, tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    cases = standard_cases()
    await evaluate(
        cases, config=scripted.config(), routes=["right-route"], out=out, env=ENV, store=None
    )
    cases[0] = case("fr-1", "Japan")  # same id, new prompt
    before = scripted.right.request_count
    result = await evaluate(
        cases, config=scripted.config(), routes=["right-route"], out=out, env=ENV, store=None
    )
    assert scripted.right.request_count - before == 1
    assert result.records[0].passed  # graded against the new case: Tokyo


async def test_resume_refuses_other_routes(scripted: Scripted, tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    await evaluate(
        standard_cases(), config=scripted.config(), routes=ROUTES[:2], out=out, env=ENV, store=None
    )
    with pytest.raises(EvalInputError, match="run with --routes right-route,wrong-route"):
        await evaluate(
            standard_cases(),
            config=scripted.config(),
            routes=ROUTES[:1],
            out=out,
            env=ENV,
            store=None,
        )


async def test_results_go_to_the_store_and_answers_only_on_opt_in(
    scripted: Scripted, tmp_path: Path
) -> None:
    store_path = tmp_path / "store.sqlite"
    config = scripted.config(store=f"sqlite:///{store_path}")
    result = await evaluate(standard_cases(), config=config, routes=ROUTES[:2], env=ENV)
    store = open_store(f"sqlite:///{store_path}")
    try:
        (run,) = await store.runs()
        stored = await store.records(run.run_id)
    finally:
        await store.aclose()
    assert run.routes == ("right-route", "wrong-route")
    assert sorted(r.key for r in stored) == sorted(r.key for r in result.records)
    assert all(r.answer is None for r in stored)  # capture_content is off by default

    captured = await evaluate(
        standard_cases()[:1],
        config=scripted.config(capture_content=True),
        routes=["right-route"],
        env=ENV,
        store=None,
    )
    assert captured.records[0].answer == "Paris"


async def test_a_text_refusal_counts_as_a_refusal(scripted: Scripted) -> None:
    scripted.right.set_reply("I'm sorry, but I can't help with that request.")
    result = await evaluate(
        standard_cases()[:3], config=scripted.config(), routes=["right-route"], env=ENV, store=None
    )
    summary = result.summaries["right-route"]
    assert (summary.refusals, summary.content_filtered, summary.passed) == (3, 0, 0)
    assert {r.error_kind for r in result.records} == {"refusal"}


async def test_params_and_tools_reach_the_provider_and_tool_calls_are_checked(
    scripted: Scripted,
) -> None:
    parameters = {"type": "object", "properties": {"query": {"type": "string"}}}
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": parameters}}]
    cases = [
        {
            "id": "t1",
            "messages": [{"role": "user", "content": "weather in Oslo"}],
            "params": {"tools": tools, "temperature": 0.2},
            "checks": [
                {"tool_call": {"name": "lookup", "arguments": {"query": "weather in Oslo"}}}
            ],
        },
        {
            "id": "t2",
            "messages": [{"role": "user", "content": "weather in Oslo"}],
            "params": {"tools": tools},
            "checks": [{"tool_call": {"name": "lookup", "arguments": {"query": "Bergen"}}}],
        },
    ]
    result = await evaluate(
        cases, config=scripted.config(), routes=["right-route"], env=ENV, store=None
    )
    assert [r.passed for r in result.records] == [True, False]
    assert scripted.right.requests[0].body["temperature"] == 0.2


async def test_redis_store_feeds_the_report(scripted: Scripted) -> None:
    from llmrouter.config.schema import SwitchCriteriaConfig
    from llmrouter.experiments.comparison import load_comparisons
    from redis_support import running_redis

    with running_redis() as redis:
        config = scripted.config(store=redis.url)
        result = await evaluate(standard_cases(), config=config, routes=ROUTES[:2], env=ENV)
        store = open_store(redis.url)
        try:
            (comparison,) = await load_comparisons(store, SwitchCriteriaConfig(min_samples=5))
        finally:
            await store.aclose()
    assert comparison.run.run_id == result.run.run_id
    assert comparison.summaries["wrong-route"].passed == 8
    assert comparison.verdicts["wrong-route"].state == "not_safe"
