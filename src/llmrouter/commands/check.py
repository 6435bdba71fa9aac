"""`llmrouter check CONFIG`: validate a config and show what it will do."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "check"
HELP = "validate a config; print routes, models, prices, endpoints and missing env vars"
DESCRIPTION = (
    "Exit codes: 0 valid, 1 valid but env vars missing or empty, 2 broken config. "
    "--json prints the same report as JSON on standard output."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="path to llmrouter.yaml")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from llmrouter.check import EXIT_BROKEN, run_check
    from llmrouter.terminal import Terminal

    report = run_check(args.config)
    if args.json:
        print(json.dumps(report.data, indent=2))
        return report.exit_code
    stream = sys.stderr if report.exit_code == EXIT_BROKEN else sys.stdout
    report.render(Terminal(stream))
    return report.exit_code
