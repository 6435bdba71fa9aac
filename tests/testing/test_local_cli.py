"""`python -m llmrouter.testing serve` and the pytest plugin, each in a child process."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

import llmrouter.testing
from llmrouter.testing.__main__ import main, parse_provider

SRC = str(Path(llmrouter.testing.__file__).resolve().parents[2])


def child_env(*extra_paths: str) -> dict[str, str]:
    env = dict(os.environ)
    paths = [*extra_paths, SRC, env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def test_parse_provider() -> None:
    assert parse_provider("glm=openai:zhipu") == ("glm", "openai", "zhipu")
    assert parse_provider("claude=anthropic") == ("claude", "anthropic", None)
    for bad in ("glm", "glm=grpc", "=openai", "glm=openai:nope"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_provider(bad)


def test_cli_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--provider", "glm=grpc"])
    assert info.value.code == 2
    assert "bad provider" in capsys.readouterr().err


async def test_serve_runs_until_sigterm() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "llmrouter.testing",
        "serve",
        "--port",
        "0",
        "--provider",
        "glm=openai:zhipu",
        "--provider",
        "claude=anthropic",
        "--latency",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=child_env(),
    )
    try:
        assert proc.stdout is not None
        lines = []
        for _ in range(3):
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
            lines.append(line.decode().strip())
        assert lines[0].startswith("llmrouter.testing listening on http://127.0.0.1:")
        url = lines[0].rsplit(" ", 1)[1]
        assert lines[1] == f"provider glm openai:zhipu {url}/glm"
        assert lines[2] == f"provider claude anthropic:anthropic {url}/claude"
        async with httpx.AsyncClient() as client:
            resp = await client.post(
                f"{url}/glm/chat/completions",
                json={"model": "glm-4.6", "messages": [{"role": "user", "content": "hi"}]},
            )
        assert resp.json()["choices"][0]["message"]["content"] == "Hello from glm. You said: hi"
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), timeout=10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


PLUGIN_TEST = """
import httpx
import pytest


@pytest.mark.asyncio
async def test_fixture(local_providers):
    glm = local_providers.add_provider("glm", wire="openai", flavor="zhipu")
    async with httpx.AsyncClient() as client:
        resp = await client.post(glm.api_base + "/chat/completions", json={"messages": []})
    assert resp.status_code == 200
    assert glm.request_count == 1
"""


def plugin_args() -> list[str]:
    """Load the plugin by module name unless its `pytest11` entry point is installed."""
    installed = any(
        ep.value == "llmrouter.testing.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )
    return [] if installed else ["-p", "llmrouter.testing.pytest_plugin"]


def run_pytest(tmp_path: Path, *args: str, extra_path: str | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(tmp_path)],
        cwd=tmp_path,
        env=child_env(*([extra_path] if extra_path else [])),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_pytest_plugin_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_uses_fixture.py").write_text(PLUGIN_TEST)
    assert "1 passed" in run_pytest(tmp_path, *plugin_args())


def test_pytest_plugin_without_pytest_asyncio(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pytest_asyncio.py").write_text('raise ImportError("not installed")\n')
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_plain.py").write_text(
        textwrap.dedent(
            """
            def test_plain(request):
                assert "local_providers" not in request.fixturenames
            """
        )
    )
    out = run_pytest(tests, "-p", "no:asyncio", *plugin_args(), extra_path=str(shadow))
    assert "1 passed" in out


def test_fail_rate_option_parses_and_checks_names() -> None:
    import argparse

    from llmrouter.testing.__main__ import main, parse_fail_rate

    assert parse_fail_rate("glm=0.3") == ("glm", 0.3)
    for bad in ("glm", "glm=2", "=0.1", "glm=x"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_fail_rate(bad)
    assert main(["serve", "--provider", "glm=openai", "--fail-rate", "nope=0.5"]) == 2
