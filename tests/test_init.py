"""`llmrouter init`: a commented starter config that validates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from llmrouter.check import EXIT_MISSING_ENV, EXIT_OK, run_check
from llmrouter.commands.init import starter_config
from llmrouter.config import load_text


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def test_starter_config_validates_and_is_commented() -> None:
    text = starter_config()
    loaded = load_text(text, source="llmrouter.yaml")
    assert loaded.config.routes["chat"].models == ["glm", "claude"]
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) > 20


def test_init_writes_the_file_and_keeps_an_existing_one(tmp_path: Path) -> None:
    result = cli("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "llmrouter.yaml"
    assert path.read_text() == starter_config()
    report = run_check(str(path), env={"ZHIPU_API_KEY": "k", "ANTHROPIC_API_KEY": "k"})
    assert report.exit_code == EXIT_OK
    assert run_check(str(path), env={}).exit_code == EXIT_MISSING_ENV
    path.write_text("mine")
    again = cli("init", cwd=tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    assert path.read_text() == "mine"
    assert cli("init", "--force", cwd=tmp_path).returncode == 0
    assert cli("init", "-", cwd=tmp_path).stdout == starter_config()
