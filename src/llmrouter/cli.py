"""The `llmrouter` command: `check` a config, or run the offline `demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llmrouter", description="Route LLM calls across GLM, Claude, OpenAI and more."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser(
        "check",
        help="validate a config; print routes, models, prices and missing env vars",
        description="Exit codes: 0 valid, 1 valid but env vars missing, 2 broken config.",
    )
    check.add_argument("config", help="path to llmrouter.yaml")
    demo = sub.add_parser(
        "demo", help="run the offline demo against built-in local providers (no key, no network)"
    )
    demo.add_argument("--config", help="a config to use instead of the shipped example")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        from llmrouter.check import EXIT_BROKEN, run_check

        report = run_check(args.config)
        stream = sys.stderr if report.exit_code == EXIT_BROKEN else sys.stdout
        print(report.text, file=stream)
        return report.exit_code
    from llmrouter.demo import run_demo

    return asyncio.run(run_demo(args.config))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
