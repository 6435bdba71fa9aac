"""Every code block of README.md and docs/*.md is checked (see tests/doc_blocks.py for how)."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from doc_blocks import ROOT, Block, blocks, pages, replace_blocks
from llmrouter.config import load_dict, load_text
from llmrouter.demo import example_config_path
from llmrouter.migrate import migrate_text

PAGES = pages()
ALL = [b for page in PAGES for b in blocks(page)]
SHELL = {"bash", "shell", "sh", "console"}
BIN = Path(sys.executable).parent


def ids(items: list[Block]) -> list[str]:
    return [b.where for b in items]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working directory with the example config where the docs expect it."""
    shutil.copy(example_config_path(), tmp_path / "llmrouter.yaml")
    (tmp_path / "examples").mkdir()
    shutil.copy(example_config_path(), tmp_path / "examples" / "llmrouter.yaml")
    return tmp_path


PYTHON = [b for b in ALL if b.lang == "python"]
YAML = [b for b in ALL if b.lang == "yaml"]
SHELLS = [b for b in ALL if b.lang in SHELL]


def test_the_pages_have_blocks() -> None:
    assert len(PYTHON) > 10 and len(YAML) > 10 and SHELLS


@pytest.mark.parametrize("block", PYTHON, ids=ids(PYTHON))
def test_python_block_compiles(block: Block) -> None:
    compile(block.code, block.where, "exec")  # top-level await is a SyntaxError here


def test_python_blocks_have_no_undefined_names(tmp_path: Path) -> None:
    for index, block in enumerate(PYTHON):
        (tmp_path / f"b{index:03d}.py").write_text(block.code)
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--isolated", "--select", "F821,F704,F811",
         "--output-format", "concise", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    problems = [
        line.replace(f"b{i:03d}.py", PYTHON[i].where)
        for line in result.stdout.splitlines()
        for i in range(len(PYTHON))
        if f"b{i:03d}.py:" in line
    ]
    assert result.returncode == 0, "\n".join(problems) or result.stdout + result.stderr


RUN_PAGES = sorted({b.page for b in PYTHON if b.mode != "compile"})


@pytest.mark.parametrize("page", RUN_PAGES)
def test_python_blocks_run_against_local_providers(page: str, workdir: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "doc_runner.py"), page],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=workdir,
    )
    failures = [
        json.loads(line.removeprefix("DOCFAIL "))
        for line in result.stdout.splitlines()
        if line.startswith("DOCFAIL ")
    ]
    report = "\n".join(f"{f['where']}:\n{f['error']}" for f in failures)
    assert result.returncode == 0, report or result.stderr[-3000:]


MYPY = [b for b in PYTHON if b.mode == "mypy"]


def test_marked_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    assert MYPY, "the quick starts are marked doc-check: mypy"
    for index, block in enumerate(MYPY):
        (tmp_path / f"quick{index}.py").write_text(block.code)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _merge(base: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("block", YAML, ids=ids(YAML))
def test_yaml_block_is_valid(block: Block) -> None:
    if block.mode == "default":
        load_text(block.code, source=block.where)
    elif block.mode == "fragment":
        base = yaml.safe_load(example_config_path().read_text())
        load_dict(_merge(base, yaml.safe_load(block.code)), source=block.where)
    elif block.mode == "litellm":
        migration = migrate_text(block.code, source=block.where)
        assert migration.problems == [], migration.problems
    elif block.mode == "other":
        yaml.safe_load(block.code)
    else:
        pytest.fail(f"{block.where}: unknown doc-check mode {block.mode!r} for yaml")


def _save_files(page: str, workdir: Path) -> None:
    """Write the page's blocks marked `save=FILE` into the working directory."""
    for block in blocks(ROOT / page):
        if "save=" in block.args:
            (workdir / block.args.split("save=")[1].split()[0]).write_text(block.code)


@pytest.mark.parametrize("block", SHELLS, ids=ids(SHELLS))
def test_shell_block(block: Block, workdir: Path) -> None:
    if block.mode == "illustrative":
        return
    assert block.mode == "run", (
        f"{block.where}: mark shell blocks <!-- doc-check: run --> or "
        "<!-- doc-check: illustrative -->"
    )
    expected = int(block.args.split("exit=")[1].split()[0]) if "exit=" in block.args else 0
    _save_files(block.page, workdir)
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "COLUMNS": "100",
        **{
            k: "docs-key"
            for k in ("ZHIPU_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_EU_API_KEY")
        },
    }
    for line in block.code.splitlines():
        command, _, comment = line.partition("#")
        command = command.strip()
        if not command:
            continue
        said = re.search(r"exit code (\d+)", comment)  # a line may say its own exit code
        wanted = int(said.group(1)) if said else expected
        result = subprocess.run(
            command, shell=True, capture_output=True, text=True, timeout=120, cwd=workdir,
            env=env,
        )  # fmt: skip
        assert result.returncode == wanted, f"{block.where}: {command}\n{result.stderr}"


OUTPUT_PAGES = sorted({b.page for b in ALL if b.mode == "output"})
OUTPUT_ENV = {
    "PATH": f"{BIN}:/usr/bin:/bin",
    "COLUMNS": "120",
    **{
        k: "docs-key"
        for k in (
            "ZHIPU_API_KEY",
            "ANTHROPIC_API_KEY",
            "GEMINI_API_KEY",
            "OPENAI_API_KEY",
            "OPENAI_EU_API_KEY",
        )
    },
}


@pytest.mark.parametrize("page", OUTPUT_PAGES)
def test_sample_outputs_are_what_the_command_prints(page: str, workdir: Path) -> None:
    """A `text` block marked `output CMD` is CMD's output, run after the page's blocks marked
    `save=FILE` are written to FILE."""
    updates: list[tuple[Block, str]] = []
    for block in blocks(ROOT / page):
        if "save=" in block.args:
            (workdir / block.args.split("save=")[1].split()[0]).write_text(block.code)
        if block.mode != "output":
            continue
        result = subprocess.run(
            block.args, shell=True, capture_output=True, text=True, timeout=120, cwd=workdir,
            env=OUTPUT_ENV,
        )  # fmt: skip
        printed = "\n".join(line.rstrip() for line in (result.stdout + result.stderr).splitlines())
        if os.environ.get("LLMROUTER_DOCS_UPDATE"):
            updates.append((block, printed))
            continue
        assert printed.strip() == block.code.strip(), f"{block.where}: {block.args}\n{printed}"
    if updates:
        replace_blocks(page, updates)
