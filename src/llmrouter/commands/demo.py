"""`llmrouter demo`: the offline demo against built-in local providers."""

from __future__ import annotations

import argparse
import asyncio

NAME = "demo"
HELP = "run the offline demo against built-in local providers (no key, no network)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="a config to use instead of the shipped example")


def run(args: argparse.Namespace) -> int:
    from llmrouter.demo import run_demo

    return asyncio.run(run_demo(args.config))
