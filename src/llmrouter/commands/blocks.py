"""`llmrouter blocks`: list the blocks in the shared state, each with its reason."""

from __future__ import annotations

import argparse
import asyncio
import sys

NAME = "blocks"
HELP = "list the blocks in the shared state, with their reasons"
DESCRIPTION = "Exit codes: 0 listed, 1 Redis unreachable, 2 refused."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="llmrouter.yaml", help="path to llmrouter.yaml")


def run(args: argparse.Namespace) -> int:
    from llmrouter.datapolicy.admin import blocks_command

    text, code = asyncio.run(blocks_command(args.config))
    print(text, file=sys.stderr if code else sys.stdout)
    return code
