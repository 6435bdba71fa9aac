"""Codex CLI (`codex exec`) through `llmrouter serve` over the Responses API, answered by GLM
over the OpenAI wire, with a tool round that really runs a command."""

from __future__ import annotations

import json
import os
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

from gateway_support import GATEWAY_KEY, Gateway, StandIns

from conftest import ok, run_cli
from llmrouter.testing.content import ToolCall

MARKER = "llmrouter-codex-ran-4b2e"

_ok = partial(ok, name="codex")


def _config(gateway: Gateway, home: dict[str, str], model: str) -> None:
    folder = Path(home["HOME"]) / ".codex"
    folder.mkdir()
    (folder / "config.toml").write_text(
        f'model = "{model}"\n'
        'model_provider = "llmrouter"\n'
        'web_search = "disabled"\n'
        "[model_providers.llmrouter]\n"
        'name = "llmrouter"\n'
        f'base_url = "{gateway.url}/v1"\n'
        'env_key = "LLMROUTER_KEY"\n'
        'wire_api = "responses"\n'
        "[features]\n"
        "plugins = false\n"
        "[otel]\n"
        'metrics_exporter = "none"\n'
        "[analytics]\n"
        "enabled = false\n"
        "[feedback]\n"
        "enabled = false\n",
        encoding="utf-8",
    )


def _codex(
    gateway: Gateway, home: dict[str, str], prompt: str, model: str = "codex-glm"
) -> subprocess.CompletedProcess[str]:
    _config(gateway, home, model)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": home["HOME"],
        "TMPDIR": home["TMPDIR"],
        "LLMROUTER_KEY": GATEWAY_KEY,
    }
    return run_cli("codex", ["exec", "--skip-git-repo-check", prompt], env, home)


def test_answered_by_glm(
    cli_gateway: Gateway, stand_ins: StandIns, fresh_home: dict[str, str]
) -> None:
    out = _ok(_codex(cli_gateway, fresh_home, "say hello"))
    assert "Hello from glm" in out
    body = stand_ins.glm.requests[0].body
    assert body["messages"][0]["role"] == "system"  # Codex's developer items
    names = [t["function"]["name"] for t in body["tools"]]
    assert "exec_command" in names and any("__" in n for n in names)  # namespace tools, flattened
    lines = [json.loads(line) for line in cli_gateway.log().splitlines() if line.startswith("{")]
    assert {"include", "prompt_cache_key"} <= set(lines[-1]["dropped"])


def _exec_call(body: dict[str, Any]) -> ToolCall | None:
    names = [t["function"]["name"] for t in body.get("tools", [])]
    if "exec_command" not in names or any(m["role"] == "tool" for m in body["messages"]):
        return None
    return ToolCall("exec_command", json.dumps({"cmd": f"echo {MARKER}"}))


def test_a_tool_round_runs_the_command(
    cli_gateway: Gateway, stand_ins: StandIns, fresh_home: dict[str, str]
) -> None:
    stand_ins.glm.set_tool_call(_exec_call)
    out = _ok(_codex(cli_gateway, fresh_home, "print the marker"))
    assert "Hello from glm" in out
    outputs = [
        m for r in stand_ins.glm.requests for m in r.body["messages"] if m.get("role") == "tool"
    ]
    assert outputs and MARKER in outputs[-1]["content"]
