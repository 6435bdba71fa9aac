"""docs/data-policy.md stays true: its example config loads, `llmrouter check` prints the tables
the page shows, its skip detail is the one the rules write, and its jq one-liners answer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from llmrouter.check import run_check
from llmrouter.config import load_text
from llmrouter.datapolicy import AuditTrail, DataPolicy, JsonlAuditFile, facts_from_config

PAGE = (Path(__file__).parents[2] / "docs" / "data-policy.md").read_text()
ENV = {"ANTHROPIC_API_KEY": "x", "ZHIPU_API_KEY": "y", "REDIS_URL": "redis://127.0.0.1:1/0"}


def block(fence: str, starting: str = "") -> str:
    for found in re.findall(rf"```{fence}\n(.*?)```", PAGE, re.S):
        if found.startswith(starting):
            return str(found)
    raise AssertionError(f"no {fence} block starting {starting!r}")


def test_the_example_config_loads_and_check_prints_the_documented_tables(tmp_path: Path) -> None:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(block("yaml"))
    report = run_check(str(path), env=ENV)
    assert report.exit_code == 0, report.text
    for table in ("Data facts", "Data policy"):
        assert block("text", table) in report.text + "\n"


def test_the_documented_skip_detail_is_what_the_rules_write() -> None:
    policy = DataPolicy.from_config(load_text(block("yaml")).config)
    verdict = policy.check("pii-eu", "glm")
    assert verdict is not None
    documented = " ".join(block("text", "region: provider 'zhipu'").split())
    assert verdict.detail == documented


def write_audit_file(tmp_path: Path) -> None:
    """audit.jsonl holding the page's record: claude-eu overloaded, then answering on a retry."""
    config = load_text(block("yaml")).config
    policy = DataPolicy.from_config(config)
    trail = AuditTrail(
        facts_from_config(config),
        route="hr-assistant",
        tenant="acme",
        data_class="pii-eu",
        request_id="req-7f3a",
    )
    glm = policy.check("pii-eu", "glm")
    assert glm is not None
    trail.exclude(glm)
    trail.leg("first", "claude-eu", "overloaded", status_code=529)
    trail.leg("retry", "claude-eu", "ok")
    sink = JsonlAuditFile(tmp_path / "audit.jsonl")
    sink.write(trail.finish(served_model="claude-eu"))
    sink.close()


def run_jq(command: str, cwd: Path) -> str:
    return subprocess.run(
        command, shell=True, cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_jq_one_liner_answers_where_the_data_went(tmp_path: Path) -> None:
    write_audit_file(tmp_path)
    command = block("bash", "jq -c 'select(.request_id").strip()
    answer = block("text", '{"data_class"').strip()
    assert json.loads(run_jq(command, tmp_path)) == json.loads(answer)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_two_more_questions_answer(tmp_path: Path) -> None:
    write_audit_file(tmp_path)
    left_eu, vendors = [
        line for line in block("bash", "# Did any EU").splitlines() if not line.startswith("#")
    ]
    assert run_jq(left_eu, tmp_path) == ""  # both legs stayed in the EU
    assert run_jq(vendors, tmp_path).split() == ["2", "aws/eu"]
