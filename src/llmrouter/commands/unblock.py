"""`llmrouter unblock`: lift a block made with `llmrouter block` or `router.block(...)`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from llmrouter.commands.block import add_selector, selector_of

NAME = "unblock"
HELP = "lift a block in the shared state"
DESCRIPTION = "Exit codes: 0 done (or nothing was blocked), 1 Redis unreachable, 2 refused."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selector(parser)


def run(args: argparse.Namespace) -> int:
    from llmrouter.datapolicy.admin import Selector, unblock_command

    kind, value = selector_of(args)
    text, code = asyncio.run(unblock_command(args.config, Selector(kind, value)))
    print(text, file=sys.stderr if code else sys.stdout)
    return code
