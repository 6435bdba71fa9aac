"""`llmrouter block`, `unblock` and `blocks` over a real redis-server: a block made from the
CLI stops the model in two gates (what two routers hold) sharing the state within sync_s, and
in one started later; without a shared state the CLI refuses and says why."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmrouter.cli import main
from llmrouter.config import load_file
from llmrouter.datapolicy import PolicyGate
from redis_support import RedisServer, free_port, running_redis

SYNC_S = 0.3

CONFIG = """\
providers:
  zhipu: {region: cn}
  anthropic: {region: us}
models:
  glm: {provider: zhipu, model: zai/glm-4.6}
  claude: {provider: anthropic, model: anthropic/claude-sonnet-4-5}
routes:
  chat: {models: [glm, claude]}
"""


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


def write_config(tmp_path: Path, state: str = "") -> Path:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(CONFIG + state)
    return path


def shared_config(tmp_path: Path, url: str) -> Path:
    return write_config(
        tmp_path, f"state: {{backend: redis, url: '{url}', sync_s: {SYNC_S}, timeout_ms: 200}}\n"
    )


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_without_a_shared_state_the_cli_refuses_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(write_config(tmp_path))
    for argv in (
        ("block", "--config", path, "--vendor", "zhipu", "--reason", "export review"),
        ("unblock", "--config", path, "--vendor", "zhipu"),
        ("blocks", "--config", path),
    ):
        code, out, err = cli(capsys, *argv)
        assert code == 2 and not out
        assert "no shared state: blocks made here would reach no router" in err
        assert "state: {backend: redis" in err


def test_broken_config_and_unreachable_redis_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("models: [")
    code, _, err = cli(capsys, "blocks", "--config", str(broken))
    assert code == 2 and "broken.yaml" in err
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    path = str(shared_config(tmp_path, nobody))
    code, _, err = cli(capsys, "block", "--config", path, "--model", "glm", "--reason", "x")
    assert code == 1 and "cannot reach the shared state" in err and "nothing changed" in err


def test_state_url_from_a_missing_env_var_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMROUTER_TEST_REDIS", raising=False)
    path = str(write_config(tmp_path, "state: {backend: redis, url: '${LLMROUTER_TEST_REDIS}'}\n"))
    code, _, err = cli(capsys, "blocks", "--config", path)
    assert code == 2 and "LLMROUTER_TEST_REDIS" in err


async def wait_blocked(gate: PolicyGate, model: str, within_s: float) -> float:
    start = time.monotonic()
    while gate.check(None, model) is None:
        assert time.monotonic() - start < within_s, f"{model} not blocked in time"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


def test_a_cli_block_stops_the_model_in_every_gate_sharing_the_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], redis_server: RedisServer
) -> None:
    path = str(shared_config(tmp_path, redis_server.url))
    loaded = load_file(path)

    async def scenario() -> None:
        a, b = PolicyGate.from_config(loaded), PolicyGate.from_config(loaded)
        await a.start()
        await b.start()
        assert a.check(None, "glm") is None
        code = await asyncio.to_thread(
            main, ["block", "--config", path, "--vendor", "zhipu", "--reason", "export review"]
        )
        assert code == 0
        for gate in (a, b):
            assert await wait_blocked(gate, "glm", SYNC_S + 1.0) <= SYNC_S + 0.5
            skip = gate.check(None, "glm")
            assert skip is not None and skip.reason == "blocked"
            assert skip.detail == "vendor zhipu blocked: export review"
            assert gate.check(None, "claude") is None
        await a.aclose()
        await b.aclose()
        later = PolicyGate.from_config(loaded)  # a router started after the block
        await later.start()
        assert later.check(None, "glm") is not None
        await later.aclose()

    asyncio.run(scenario())
    out, _ = capsys.readouterr()
    assert "vendor zhipu blocked: export review" in out
    assert "models of" in out and ": glm" in out
    assert f"within {SYNC_S:g}s" in out


def test_blocks_lists_each_with_its_reason_and_unblock_lifts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], redis_server: RedisServer
) -> None:
    path = str(shared_config(tmp_path, redis_server.url))
    assert cli(capsys, "block", "--config", path, "--region", "cn", "--reason", "hold")[0] == 0
    code, out, _ = cli(capsys, "block", "--config", path, "--vendor", "zhpu", "--reason", "typo")
    assert code == 0 and "no model of" in out and "did you mean 'zhipu'?" in out
    code, out, _ = cli(capsys, "blocks", "--config", path)
    assert code == 0
    lines = out.splitlines()
    assert any(
        "region" in line and "cn" in line and "hold" in line and "glm" in line for line in lines
    )
    assert any("vendor" in line and "zhpu" in line and "typo" in line for line in lines)
    code, out, _ = cli(capsys, "unblock", "--config", path, "--region", "cn")
    assert code == 0 and "unblocked region cn (was: hold)" in out
    code, out, _ = cli(capsys, "unblock", "--config", path, "--region", "cn")
    assert code == 0 and "was not blocked" in out
    cli(capsys, "unblock", "--config", path, "--vendor", "zhpu")
    code, out, _ = cli(capsys, "blocks", "--config", path)
    assert code == 0 and "no blocks in" in out


def test_the_installed_command_blocks(tmp_path: Path, redis_server: RedisServer) -> None:
    path = str(shared_config(tmp_path, redis_server.url))
    run = [sys.executable, "-m", "llmrouter.cli"]
    made = subprocess.run(
        [*run, "block", "--config", path, "--model", "claude", "--reason", "legal hold"],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    listed = subprocess.run([*run, "blocks", "--config", path], capture_output=True, text=True)
    assert listed.returncode == 0 and "legal hold" in listed.stdout
    missing = subprocess.run(
        [*run, "block", "--config", path, "--model", "claude"], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "--reason" in missing.stderr
