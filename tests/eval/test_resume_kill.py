"""A run killed midway (a real SIGKILL) resumes from --out to the same table, and no result
that reached the file is asked for again."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cli import run_cli, start_cli
from scripted import Scripted, case, write_jsonl

from llmrouter.eval import read_results
from llmrouter.testing import LocalProviderServer

ROUTES = "right-route,wrong-route"
CASES = 40


@pytest.fixture
async def scripted() -> AsyncIterator[Scripted]:
    async with LocalProviderServer() as server:
        yield Scripted(server)


def _complete_results(path: Path) -> int:
    if not path.exists():
        return 0
    data = path.read_bytes()
    return max(data.count(b"\n") - 1, 0)  # complete lines, less the run line


def _table(output: str) -> dict[str, Any]:
    """The --json summary without latency, which differs from run to run."""
    routes = json.loads(output)["routes"]
    return {
        name: {k: v for k, v in figures.items() if not k.startswith("latency")}
        for name, figures in routes.items()
    }


async def test_killed_run_resumes_to_the_same_table(scripted: Scripted, tmp_path: Path) -> None:
    scripted.right.set_latency(0.05)
    scripted.wrong.set_latency(0.05)
    cases = [case(f"fr-{i}", "France") for i in range(30)]
    cases += [case(f"it-{i}", "Italy") for i in range(CASES - 30)]
    config = scripted.write_config(tmp_path)
    prompts = write_jsonl(tmp_path / "prompts.jsonl", cases)
    out = tmp_path / "results.jsonl"
    args = [
        "eval",
        str(prompts),
        "--config",
        str(config),
        "--routes",
        ROUTES,
        "--json",
        "--concurrency",
        "4",
        "--no-store",
    ]

    process = await start_cli(*args, "--out", str(out))
    deadline = asyncio.get_running_loop().time() + 60
    while _complete_results(out) < CASES:  # half of the 2 x 40 results
        assert asyncio.get_running_loop().time() < deadline, "the run made no progress"
        await asyncio.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert process.returncode == -signal.SIGKILL
    on_disk = _complete_results(out)
    assert CASES <= on_disk < 2 * CASES

    sent = scripted.server.total_requests
    resumed = await run_cli(*args, "--out", str(out))
    assert resumed.code == 0, resumed.err
    assert scripted.server.total_requests - sent == 2 * CASES - on_disk
    lines = [json.loads(line) for line in out.read_text().splitlines()[1:]]
    keys = [(line["route"], line["case_id"], line["repeat"]) for line in lines]
    assert len(keys) == len(set(keys)) == 2 * CASES  # every result once, none twice
    _, records = read_results(out)
    assert len(records) == 2 * CASES

    clean = await run_cli(*args, "--out", str(tmp_path / "clean.jsonl"))
    assert _table(resumed.out) == _table(clean.out)
    assert _table(resumed.out)["wrong-route"]["passed"] == 30
