"""The real Claude Code and Codex CLIs against `llmrouter serve` (run by `make gateway-clis`,
which `.ci/run` runs: npm installs the CLIs, and the tests run in a loopback-only network
namespace). Collected only with LLMROUTER_CLI_TESTS=1; there a missing prerequisite fails."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from gateway_support import Gateway, StandIns, gateway_config

if not os.environ.get("LLMROUTER_CLI_TESTS"):
    collect_ignore_glob = ["test_*.py"]


def cli(name: str) -> str:
    """The path of an npm-installed CLI; fails (never skips) when it is missing."""
    folder = os.environ.get("LLMROUTER_CLI_BIN", "")
    path = Path(folder) / name
    if not path.exists():
        pytest.fail(
            f"{name} is not installed in LLMROUTER_CLI_BIN={folder!r}: run make gateway-clis"
        )
    return str(path)


def run_cli(
    name: str, args: list[str], env: dict[str, str], home: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run CLI `name` in the fresh `home`, under `timeout` (Codex hangs forever on an
    unreachable server), with no stdin."""
    return subprocess.run(
        ["timeout", "120", cli(name), *args],
        env=env,
        cwd=home["WORK"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=150,
    )


def ok(result: subprocess.CompletedProcess[str], name: str) -> str:
    """The CLI's standard output, once it exited 0."""
    assert result.returncode == 0, f"{name} exited {result.returncode}: {result.stderr[-2000:]}"
    return result.stdout


@pytest.fixture(scope="session", autouse=True)
def _loopback_only() -> None:
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        pytest.fail(f"the CLI tests run in a loopback-only network namespace, not with {names}")
    if shutil.which("timeout") is None:
        pytest.fail("coreutils `timeout` is missing")


@pytest.fixture(scope="module")
def cli_gateway(stand_ins: StandIns) -> Iterator[Gateway]:
    process = Gateway(gateway_config(stand_ins)).wait_ready()
    yield process
    process.stop()


@pytest.fixture
def fresh_home() -> Iterator[dict[str, str]]:
    """A new HOME and TMPDIR (and a work directory) per CLI run."""
    root = Path(tempfile.mkdtemp(prefix="llmrouter-cli-"))
    for name in ("home", "tmp", "work"):
        (root / name).mkdir()
    yield {"HOME": str(root / "home"), "TMPDIR": str(root / "tmp"), "WORK": str(root / "work")}
    shutil.rmtree(root, ignore_errors=True)
