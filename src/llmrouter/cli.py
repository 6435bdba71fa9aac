"""The `llmrouter` command. Each subcommand lives in its own module under
`llmrouter.commands` (its arguments and its `run`); this module only lists them."""

from __future__ import annotations

import argparse
import importlib
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
)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = argparse.ArgumentParser(
        prog="llmrouter", description="Route LLM calls across GLM, Claude, OpenAI and more."
    )
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
    return int(module.run(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
