"""Claude Code (`claude -p`) through `llmrouter serve`: answered by GLM over the OpenAI wire
(the reference case), passed through to the Anthropic wire, by GLM after Claude is overloaded,
a tool round that really runs a tool, and the retry without streaming after a failed stream."""

from __future__ import annotations

import json
import os
import subprocess
from functools import partial
from typing import Any

from gateway_support import GATEWAY_KEY, Gateway, StandIns

from conftest import ok, run_cli
from llmrouter.testing import Fault
from llmrouter.testing.content import ToolCall

MARKER = "llmrouter-tool-ran-7d1c"

_ok = partial(ok, name="claude")


def _claude(
    gateway: Gateway, home: dict[str, str], prompt: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": home["HOME"],
        "TMPDIR": home["TMPDIR"],
        "ANTHROPIC_BASE_URL": gateway.url,
        "ANTHROPIC_API_KEY": GATEWAY_KEY,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "CLAUDE_CODE_MAX_RETRIES": "1",
    }
    return run_cli("claude", ["-p", prompt, *args], env, home)


def test_answered_by_glm_over_the_openai_wire(
    cli_gateway: Gateway, stand_ins: StandIns, fresh_home: dict[str, str]
) -> None:
    out = _ok(_claude(cli_gateway, fresh_home, "say hello", "--model", "glm-only"))
    assert "Hello from glm" in out
    body = stand_ins.glm.requests[0].body
    assert body["stream"] is True and len(body["tools"]) > 10
    assert body["messages"][0]["role"] == "system"
    headers = json.dumps([r.headers for r in stand_ins.glm.requests])
    assert GATEWAY_KEY not in headers
    lines = [json.loads(line) for line in cli_gateway.log().splitlines() if line.startswith("{")]
    dropped = lines[-1]["dropped"]
    assert "anthropic-beta" in dropped and any(d.endswith("cache_control") for d in dropped)


def test_passed_through_to_the_anthropic_wire(
    cli_gateway: Gateway, stand_ins: StandIns, fresh_home: dict[str, str]
) -> None:
    out = _ok(_claude(cli_gateway, fresh_home, "say hello", "--model", "claude-only"))
    assert "Hello from claude" in out
    first = stand_ins.claude.requests[0]
    assert first.headers["x-api-key"] != GATEWAY_KEY
    assert GATEWAY_KEY not in json.dumps(first.headers)
    # Claude Code's own body: cache breakpoints, context management, its system messages
    assert any("cache_control" in block for block in first.body["system"])
    assert "context_management" in first.body and first.body["model"] == "claude-sonnet-4-5"
    betas = first.headers["anthropic-beta"].split(",")
    assert "claude-code-20250219" in betas and "context-management-2025-06-27" in betas
    assert first.fault is None


def test_overloaded_claude_falls_back_to_glm(
    cli_gateway: Gateway, stand_ins: StandIns, fresh_home: dict[str, str]
) -> None:
    stand_ins.claude.fail_always(Fault.overloaded())
    out = _ok(_claude(cli_gateway, fresh_home, "say hello", "--model", "coding"))
    assert "Hello from glm" in out
    assert stand_ins.claude.request_count >= 1


def _bash_call(body: dict[str, Any]) -> ToolCall | None:
    names = [t["function"]["name"] for t in body.get("tools", [])]
    if "Bash" not in names or any(m["role"] == "tool" for m in body["messages"]):
        return None
    return ToolCall(
        "Bash", json.dumps({"command": f"echo {MARKER}", "description": "print a marker"})
    )


def test_a_tool_round_runs_the_tool(
    cli_gateway: Gateway, stand_ins: StandIns, fresh_home: dict[str, str]
) -> None:
    stand_ins.glm.set_tool_call(_bash_call)
    out = _ok(
        _claude(
            cli_gateway,
            fresh_home,
            "print the marker",
            "--model",
            "glm-only",
            "--allowedTools",
            "Bash",
        )
    )
    assert "Hello from glm" in out
    tool_messages = [
        m for r in stand_ins.glm.requests for m in r.body["messages"] if m.get("role") == "tool"
    ]
    assert tool_messages and MARKER in tool_messages[-1]["content"]
    assert not tool_messages[-1]["content"].startswith("[tool error]")


def test_a_failed_stream_is_retried_without_streaming(
    cli_gateway: Gateway, stand_ins: StandIns, fresh_home: dict[str, str]
) -> None:
    stand_ins.glm.fail_next(Fault.stream_error(after_chunks=1))
    out = _ok(_claude(cli_gateway, fresh_home, "say hello", "--model", "glm-only"))
    assert "Hello from glm" in out
    assert [r.stream for r in stand_ins.glm.requests][:2] == [True, False]
