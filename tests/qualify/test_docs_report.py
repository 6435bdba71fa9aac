"""The shadow and canary output that docs/switching-vendors.md shows is what the commands
print: `examples/qualify_offline.py` (a seeded, simulated-clock run against local stand-ins
over loopback HTTP, through the real shadow and canary stages and results recorder) writes
the store, then the real `llmrouter report` reads it.

A `text` block marked `<!-- doc-check: qualify-report shadow -->` (or `canary`) must be that
section of the report; `qualify-log` the WARNING line the run logs. A line `...` in a block
stands for any number of lines of the output. LLMROUTER_DOCS_UPDATE=1 writes the real output
into the page instead (keeping each block's elision).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from doc_blocks import ROOT, Block, blocks, replace_blocks

PAGE = "docs/switching-vendors.md"
EXAMPLE = ROOT / "examples" / "qualify_offline.py"
BIN = Path(sys.executable).parent
ELIDED = "..."


def _env() -> dict[str, str]:
    keys = {"ZHIPU_API_KEY": "docs-key", "ANTHROPIC_API_KEY": "docs-key"}
    return {"PATH": f"{BIN}:/usr/bin:/bin", "COLUMNS": "100", "NO_COLOR": "1", **keys}


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def sections(report: str) -> dict[str, list[str]]:
    """The report's sections by source (`shadow`, `canary`): each from its rule line on."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in _lines(report):
        words = line.strip("─ ").split()
        if line.startswith("─") and words and words[0] in ("shadow", "canary", "eval"):
            current = out.setdefault(words[0], [])
        if current is not None:
            current.append(line)
    return out


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether the docs' lines are the printed ones, each `...` standing for any number of
    printed lines."""
    if not shown:
        return not printed
    head, rest = shown[0], shown[1:]
    if head == ELIDED:
        return any(matches(rest, printed[skip:]) for skip in range(len(printed) + 1))
    return bool(printed) and printed[0] == head and matches(rest, printed[1:])


def elided_like(shown: list[str], printed: list[str]) -> str:
    """The printed lines cut where the docs' block is cut (its lines before a last `...`)."""
    if shown and shown[-1] == ELIDED:
        return "\n".join([*printed[: len(shown) - 1], ELIDED])
    return "\n".join(printed)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The example's log, and `llmrouter report` on the store it wrote."""
    directory = tmp_path_factory.mktemp("qualify")
    example = subprocess.run(
        [sys.executable, str(EXAMPLE), str(directory)],
        capture_output=True, text=True, timeout=240, env=_env(), cwd=directory,
    )  # fmt: skip
    assert example.returncode == 0, example.stderr[-3000:]
    report = subprocess.run(
        ["llmrouter", "report", "--config", str(directory / "llmrouter.yaml")],
        capture_output=True, text=True, timeout=120, env=_env(), cwd=directory,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr[-3000:]
    return example.stderr, report.stdout


def marked() -> list[Block]:
    return [b for b in blocks(ROOT / PAGE) if b.mode in ("qualify-report", "qualify-log")]


def test_the_page_marks_its_report_and_log_samples() -> None:
    kinds = sorted(f"{b.mode} {b.args}".strip() for b in marked())
    assert kinds == ["qualify-log", "qualify-report canary", "qualify-report shadow"]


def test_the_docs_show_what_the_commands_print(run: tuple[str, str]) -> None:
    log, report = run
    printed = sections(report)
    assert set(printed) == {"shadow", "canary"}, report
    updates: list[tuple[Block, str]] = []
    for block in marked():
        shown = _lines(block.code)
        real = _lines(log) if block.mode == "qualify-log" else printed[block.args]
        if os.environ.get("LLMROUTER_DOCS_UPDATE"):
            updates.append((block, elided_like(shown, real)))
            continue
        assert matches(shown, real), f"{block.where}: the command prints\n" + "\n".join(real)
    if updates:
        replace_blocks(PAGE, updates)


@pytest.mark.parametrize(
    ("shown", "printed", "expected"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["a"], ["a", "b"], False),
        (["a", ELIDED], ["a", "b", "c"], True),
        (["a", ELIDED, "d"], ["a", "b", "c", "d"], True),
        (["a", ELIDED, "d"], ["a", "b", "c"], False),
    ],
)
def test_elision(shown: list[str], printed: list[str], expected: bool) -> None:
    assert matches(shown, printed) is expected
