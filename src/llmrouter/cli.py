"""The `llmrouter` command. Each subcommand lives in its own module under
`llmrouter.commands` (its arguments and its `run`); this module only lists them."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["main"]

# One line per subcommand; a module has `NAME`, `HELP`, `add_arguments(parser)` and
# `run(args) -> int`, and imports what it needs inside `run` (the parser must stay fast).
COMMANDS = (
    "llmrouter.commands.check",
    "llmrouter.commands.demo",
    "llmrouter.commands.serve",
    "llmrouter.commands.block",
    "llmrouter.commands.unblock",
    "llmrouter.commands.blocks",
    "llmrouter.commands.canary",
    "llmrouter.commands.eval",
    "llmrouter.commands.report",
    "llmrouter.commands.migrate",
    "llmrouter.commands.init",
)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    from llmrouter import __version__

    parser = argparse.ArgumentParser(
        prog="llmrouter", description="Route LLM calls across GLM, Claude, OpenAI and more."
    )
    parser.add_argument("--version", action="version", version=f"llmrouter {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    modules: dict[str, ModuleType] = {}
    for path in COMMANDS:
        module = importlib.import_module(path)
        command = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", None) or module.HELP,
        )
        module.add_arguments(command)
        modules[module.NAME] = module
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    parser, modules = _parser()
    args = parser.parse_args(argv)
    module = modules[args.command]
    try:
        return int(module.run(args))
    except BrokenPipeError:  # `llmrouter check --json cfg.yaml | head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
