"""`llmrouter eval` and `llmrouter report` as a user runs them: exit codes, output, store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cli import run_cli
from scripted import Scripted, standard_cases, write_jsonl

from llmrouter.testing import LocalProviderServer

ROUTES = "right-route,wrong-route"


@pytest.fixture
async def scripted() -> AsyncIterator[Scripted]:
    async with LocalProviderServer() as server:
        yield Scripted(server)


async def test_eval_prints_the_tables_and_plain_progress(
    scripted: Scripted, tmp_path: Path
) -> None:
    config = scripted.write_config(tmp_path)
    prompts = write_jsonl(tmp_path / "prompts.jsonl", standard_cases())
    done = await run_cli("eval", str(prompts), "--config", str(config), "--routes", ROUTES)
    assert done.code == 0, done.err
    assert "\x1b[" not in done.out + done.err  # no colour, no live bar when not a terminal
    assert "Quality" in done.out and "Latency and cost" in done.out
    row = next(line for line in done.out.splitlines() if line.startswith("wrong-route"))
    assert row.split()[:6] == ["wrong-route", "10", "8", "80.0%", "49.0-94.3%", "0"]
    assert "Cases where the routes disagree (2)" in done.out
    assert "eval: 20/20 (100%)" in done.err and "/s" in done.err
    # A relative sqlite:/// store sits next to the config file, not in the working directory.
    assert (tmp_path / "experiments.sqlite").exists()


@pytest.mark.parametrize(("threshold", "code"), [("0.8", 0), ("0.81", 1)])
async def test_fail_under_sets_the_exit_code(
    scripted: Scripted, tmp_path: Path, threshold: str, code: int
) -> None:
    config = scripted.write_config(tmp_path)
    prompts = write_jsonl(tmp_path / "prompts.jsonl", standard_cases())
    done = await run_cli(
        "eval",
        str(prompts),
        "--config",
        str(config),
        "--routes",
        ROUTES,
        "--fail-under",
        threshold,
        "--no-store",
    )
    assert done.code == code, done.err
    if code:
        assert "pass rate under 0.81: wrong-route" in done.err


async def test_eval_json(scripted: Scripted, tmp_path: Path) -> None:
    config = scripted.write_config(tmp_path)
    prompts = write_jsonl(tmp_path / "prompts.jsonl", standard_cases())
    done = await run_cli(
        "eval", str(prompts), "--config", str(config), "--routes", ROUTES, "--json", "--no-store"
    )
    data = json.loads(done.out)
    assert set(data["routes"]) == {"right-route", "wrong-route"}
    assert data["routes"]["wrong-route"]["passed"] == 8
    assert not (tmp_path / "experiments.sqlite").exists()  # --no-store


async def test_bad_prompt_file_exits_2_naming_file_line_and_field(
    scripted: Scripted, tmp_path: Path
) -> None:
    config = scripted.write_config(tmp_path)
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(
        '{"id": "a", "messages": [{"role": "user", "content": "hi"}]}\n'
        '{"id": "b", "messages": [{"role": "usr", "content": "hi"}], "checks": [{"regex": "("}]}\n'
    )
    done = await run_cli("eval", str(prompts), "--config", str(config), "--routes", ROUTES)
    assert done.code == 2
    assert f"{prompts}:2: messages[0].role: must be one of" in done.err
    assert f"{prompts}:2: checks[0].regex: invalid regular expression" in done.err
    assert scripted.server.total_requests == 0


async def test_report_gives_a_verdict_per_candidate(scripted: Scripted, tmp_path: Path) -> None:
    # Latency between stand-ins on a busy machine is noise: this test is about the rest.
    criteria = {"min_samples": 5, "max_p95_latency_ratio": 1000}
    config = scripted.write_config(tmp_path, switch_criteria=criteria)
    prompts = write_jsonl(tmp_path / "prompts.jsonl", standard_cases())
    routes = "right-route,wrong-route,refusing-route"
    assert (
        await run_cli("eval", str(prompts), "--config", str(config), "--routes", routes)
    ).code == 0
    done = await run_cli("report", "--config", str(config), "--json")
    assert done.code == 0, done.err
    (comparison,) = json.loads(done.out)["comparisons"]
    verdicts = comparison["verdicts"]
    assert comparison["baseline"] == "right-route"
    assert verdicts["wrong-route"]["verdict"] == "not safe: agreement 80.0% beyond min 90.0%"
    assert verdicts["refusing-route"]["verdict"].startswith("not safe: agreement 0.0%")
    assert (
        "refusal rate change +100.0 pts beyond max +2.0 pts"
        in verdicts["refusing-route"]["verdict"]
    )

    text = await run_cli("report", "--config", str(config), "--route", "wrong-route")
    assert "right-route vs wrong-route: safe to switch" in text.out  # wrong-route as baseline

    strict = scripted.write_config(tmp_path, switch_criteria={**criteria, "min_samples": 200})
    few = await run_cli("report", "--config", str(strict))
    assert "wrong-route vs right-route: not enough samples (10 of 200)" in few.out


async def test_report_html_and_empty_store(scripted: Scripted, tmp_path: Path) -> None:
    config = scripted.write_config(tmp_path)
    empty = await run_cli("report", "--config", str(config))
    assert empty.code == 3 and "no results" in empty.err
    prompts = write_jsonl(tmp_path / "prompts.jsonl", standard_cases())
    await run_cli("eval", str(prompts), "--config", str(config), "--routes", ROUTES)
    page = tmp_path / "out" / "report.html"
    done = await run_cli("report", "--config", str(config), "--html", str(page))
    assert done.code == 0, done.err
    html = page.read_text()
    assert html.count('<svg class="chart"') == 4
    assert "http://" not in html and "https://" not in html and "<script" not in html


async def test_probe_set_compares_refusal_and_filter_rates(
    scripted: Scripted, tmp_path: Path
) -> None:
    config = scripted.write_config(tmp_path)
    done = await run_cli(
        "eval",
        "--probes",
        "--config",
        str(config),
        "--routes",
        "right-route,refusing-route",
        "--json",
        "--no-store",
    )
    assert done.code == 0, done.err
    routes = json.loads(done.out)["routes"]
    assert routes["right-route"]["passed"] == routes["right-route"]["cases"] == 25
    assert routes["refusing-route"]["content_filtered"] == 25
    body = scripted.right.requests[0].body
    assert body["max_tokens"] == 400  # the probe set's own params reach the provider
