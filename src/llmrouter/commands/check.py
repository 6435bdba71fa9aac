"""`llmrouter check CONFIG`: validate a config and show what it will do."""

from __future__ import annotations

import argparse
import sys

NAME = "check"
HELP = "validate a config; print routes, models, prices and missing env vars"
DESCRIPTION = "Exit codes: 0 valid, 1 valid but env vars missing, 2 broken config."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="path to llmrouter.yaml")


def run(args: argparse.Namespace) -> int:
    from llmrouter.check import EXIT_BROKEN, run_check

    report = run_check(args.config)
    stream = sys.stderr if report.exit_code == EXIT_BROKEN else sys.stdout
    print(report.text, file=stream)
    return report.exit_code
