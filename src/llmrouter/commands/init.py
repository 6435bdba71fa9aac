"""`llmrouter init [PATH]`: write a commented starter config that validates."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

NAME = "init"
HELP = "write a commented starter config (llmrouter.yaml) to edit"
DESCRIPTION = (
    "Writes a starter config with GLM first and Claude as the fallback, every section "
    "commented. PATH defaults to llmrouter.yaml; '-' prints it. An existing file is kept "
    "unless --force."
)


def starter_config() -> str:
    """The starter config's text (it validates as it is)."""
    return (resources.files("llmrouter") / "data" / "starter.yaml").read_text(encoding="utf-8")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default="llmrouter.yaml", help="where to write it")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> int:
    text = starter_config()
    if args.path == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.path)
    if path.exists() and not args.force:
        print(f"llmrouter init: {path} exists; use --force to overwrite it", file=sys.stderr)
        return 1
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"llmrouter init: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {path}; next: set ZHIPU_API_KEY and ANTHROPIC_API_KEY, then "
          f"llmrouter check {path}")  # fmt: skip
    return 0
