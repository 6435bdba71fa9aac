"""The fenced code blocks of README.md and docs/*.md, and how each is checked.

Every block is checked by tests/test_docs.py, so none can rot. A block's language decides the
check; an HTML comment on the line before the fence, `<!-- doc-check: MODE (why) -->`, changes
it (the comment does not render):

- `python`: compiled (so no top-level `await`), linted for undefined names (ruff F), then run
  in a subprocess against local stand-in providers (`tests/doc_runner.py`): the example config
  is `llmrouter.yaml` and `examples/llmrouter.yaml` in the working directory, its `*_API_BASE`
  variables point at the stand-ins, and no connection leaves 127.0.0.1. A top-level
  `async def` whose parameters are all stand-in names (`router`, `messages`, `glm`, `claude`)
  is called with them. `compile`: compiled and linted only (say why). `mypy`: also passes
  `mypy --strict`.
- `yaml`: a whole llmrouter config, validated by the config loader. `fragment`: one section,
  validated merged into the example config. `litellm`: a litellm config, which `llmrouter
  migrate` must convert into a valid config. `other`: any other YAML, parsed only.
- `bash`, `shell`, `sh`: must be marked. `run`: each line is run in a shell in that working
  directory with the venv's commands on PATH (exit code 0, or `run exit=N`). `illustrative`:
  not run (installs, exports of real keys, long-running servers).
- `text` and other languages: output samples, not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ROOT", "Block", "blocks", "pages", "replace_blocks"]

ROOT = Path(__file__).resolve().parent.parent
_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)")
_MARK = re.compile(r"<!--\s*doc-check:\s*(?P<mode>[\w-]+)(?P<args>[^>]*?)\s*-->")


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language, its check mode and its code."""

    page: str
    line: int
    lang: str
    mode: str
    args: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """Every fenced block of one page, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        indent, lang = fence.group("indent"), fence.group("lang").lower()
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith("```"):
            body.append(lines[index][len(indent) :] if lines[index].startswith(indent) else "")
            index += 1
        index += 1
        mark = _mark_before(lines, start)
        mode, args = mark if mark else ("default", "")
        page = str(path.relative_to(ROOT))
        out.append(Block(page, start + 1, lang, mode, args.strip(), "\n".join(body) + "\n"))
    return out


def _mark_before(lines: list[str], fence: int) -> tuple[str, str] | None:
    before = fence - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    match = _MARK.search(lines[before]) if before >= 0 else None
    return (match.group("mode"), match.group("args")) if match else None


def replace_blocks(page: str, replacements: list[tuple[Block, str]]) -> None:
    """LLMROUTER_DOCS_UPDATE=1: write the commands' real output into the page (from the last
    block up, so earlier line numbers stay right), indented as each fence is."""
    path = ROOT / page
    lines = path.read_text(encoding="utf-8").splitlines()
    for block, text in sorted(replacements, key=lambda item: -item[0].line):
        fence = lines[block.line - 1]
        indent = fence[: len(fence) - len(fence.lstrip())]
        end = block.line
        while not lines[end].strip().startswith("```"):
            end += 1
        lines[block.line : end] = [indent + line if line else "" for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
