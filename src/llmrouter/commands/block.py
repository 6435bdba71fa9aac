"""`llmrouter block`: take a vendor, provider, model or region out of routing, fleet-wide."""

from __future__ import annotations

import argparse
import asyncio
import sys

NAME = "block"
HELP = "block a vendor, provider, model or region in the shared state, with a reason"
DESCRIPTION = (
    "Every router sharing the config's `state:` Redis skips what is blocked (error "
    '"blocked") within state.sync_s. Exit codes: 0 done, 1 Redis unreachable, 2 refused.'
)


def add_selector(parser: argparse.ArgumentParser) -> None:
    """`--config` and exactly one of `--vendor/--provider/--model/--region` (shared by
    `block` and `unblock`)."""
    parser.add_argument("--config", default="llmrouter.yaml", help="path to llmrouter.yaml")
    which = parser.add_mutually_exclusive_group(required=True)
    for kind in ("vendor", "provider", "model", "region"):
        which.add_argument(f"--{kind}", metavar="NAME", help=f"the {kind} to act on")


def selector_of(args: argparse.Namespace) -> tuple[str, str]:
    for kind in ("vendor", "provider", "model", "region"):
        value = getattr(args, kind)
        if value is not None:
            return kind, value
    raise AssertionError("argparse requires one")  # pragma: no cover


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selector(parser)
    parser.add_argument("--reason", required=True, help="why (shown with every skip)")


def run(args: argparse.Namespace) -> int:
    from llmrouter.datapolicy.admin import Selector, block_command

    kind, value = selector_of(args)
    text, code = asyncio.run(block_command(args.config, Selector(kind, value), args.reason))
    print(text, file=sys.stderr if code else sys.stdout)
    return code
