"""`llmrouter canary status|reset ROUTE`: a route's canary in the shared state: whether it is
rolled back (and why), and a reset that resumes it in every router."""

from __future__ import annotations

import argparse
import asyncio
import sys

NAME = "canary"
HELP = "show or reset a route's canary (its rollback) in the shared state"
DESCRIPTION = (
    "status: whether the route's canary is rolled back (why, when) and the samples the "
    "routers published. reset: clear its rollback and samples; every router sharing the "
    "config's `state:` Redis resumes the canary, from no samples, within state.sync_s. "
    "Exit codes: 0 done, 1 Redis unreachable, 2 refused."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("status", "reset"), help="what to do")
    parser.add_argument("route", help="the route whose canary it is")
    parser.add_argument("--config", default="llmrouter.yaml", help="path to llmrouter.yaml")


def run(args: argparse.Namespace) -> int:
    from llmrouter.qualify.admin import canary_reset_command, canary_status_command

    command = canary_status_command if args.action == "status" else canary_reset_command
    text, code = asyncio.run(command(args.config, args.route))
    print(text, file=sys.stderr if code else sys.stdout)
    return code
