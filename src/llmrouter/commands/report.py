"""`llmrouter report --config C`: the comparison of stored results, with a verdict per
candidate against `experiments.switch_criteria`, in the terminal, as JSON or as HTML."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

NAME = "report"
HELP = "compare stored eval (and shadow, canary) results; verdict per candidate; --html page"
DESCRIPTION = (
    "Reads experiments.store and compares each candidate with the baseline (the run's first "
    "route, or --route): safe to switch, not safe (naming the criterion) or not enough samples. "
    "Exit codes: 0 done, 2 bad config or store, 3 the store holds no results."
)

EXIT_OK, EXIT_INPUT, EXIT_EMPTY = 0, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="path to llmrouter.yaml")
    parser.add_argument("--route", help="only runs of this route, compared against it")
    parser.add_argument("--run", help="this run id instead of the latest eval run")
    parser.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")


def run(args: argparse.Namespace) -> int:
    from llmrouter.errors import LLMRouterError

    try:
        return asyncio.run(_main(args))
    except LLMRouterError as exc:
        print(f"llmrouter report: {exc}", file=sys.stderr)
        return EXIT_INPUT


async def _main(args: argparse.Namespace) -> int:
    from llmrouter.config.loader import load_file
    from llmrouter.experiments.comparison import load_comparisons
    from llmrouter.experiments.store import store_for
    from llmrouter.experiments.terminal import console_for, print_comparison

    loaded = load_file(args.config)
    store = store_for(loaded)
    try:
        comparisons = await load_comparisons(
            store, loaded.config.experiments.switch_criteria, route=args.route, run_id=args.run
        )
    finally:
        await store.aclose()
    if not comparisons:
        which = f" for route {args.route}" if args.route else ""
        print(
            f"llmrouter report: no results{which} in {store.name}; run llmrouter eval first",
            file=sys.stderr,
        )
        return EXIT_EMPTY
    if args.html:
        from llmrouter.experiments.html import write_report

        write_report(args.html, comparisons, loaded.config.experiments.switch_criteria)
    if args.json:
        print(json.dumps({"comparisons": [c.to_json() for c in comparisons]}, indent=2))
        return EXIT_OK
    console = console_for(sys.stdout)
    for comparison in comparisons:
        print_comparison(console, comparison)
    if args.html:
        console.print(f"HTML report: {args.html}")
    return EXIT_OK
