"""`llmrouter eval PROMPTS --config C --routes a,b`: a prompt set across routes, with a table."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

NAME = "eval"
HELP = "run a prompt set through routes and compare pass rate, refusals, errors, latency, cost"
DESCRIPTION = (
    "Runs every case of a prompt set (JSONL or YAML) through every route, grades the answers "
    "and prints a table per route. Exit codes: 0 done, 1 a route's pass rate is under "
    "--fail-under, 2 bad input (config, prompt set, results file, store), 130 interrupted "
    "(run again with the same --out to resume)."
)

EXIT_OK, EXIT_BELOW, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _routes(text: str) -> list[str]:
    routes = [r.strip() for r in text.split(",") if r.strip()]
    if not routes:
        raise argparse.ArgumentTypeError("name at least one route, e.g. --routes chat,glm-only")
    return routes


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1, e.g. 0.9")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompts", nargs="?", help="prompt set: .jsonl, .yaml or .json")
    parser.add_argument(
        "--probes",
        action="store_true",
        help="run the bundled safety probe set instead of a prompt file",
    )
    parser.add_argument("--config", required=True, help="path to llmrouter.yaml")
    parser.add_argument(
        "--routes",
        required=True,
        type=_routes,
        help="comma-separated routes (or models); the first is the baseline",
    )
    parser.add_argument(
        "--out",
        help="results file (JSONL), written as results complete; an existing one is resumed",
    )
    parser.add_argument("--judge", help="route that grades `judge` checks")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (8)")
    parser.add_argument(
        "--timeout",
        type=_positive,
        metavar="SECONDS",
        help="deadline of each request (default: the route's timeout_s)",
    )
    parser.add_argument(
        "--fail-under",
        type=_rate,
        metavar="RATE",
        help="exit 1 when a route's pass rate is below RATE (e.g. 0.9)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--no-store", action="store_true", help="do not write results to experiments.store"
    )


def run(args: argparse.Namespace) -> int:
    from llmrouter.errors import ExperimentStoreError, LLMRouterError

    if (args.prompts is None) == (not args.probes):
        print("llmrouter eval: give a prompt file or --probes (not both)", file=sys.stderr)
        return EXIT_INPUT
    try:
        return asyncio.run(_main(args))
    except ExperimentStoreError as exc:
        hint = "set experiments.store in the config, or pass --no-store"
        print(f"llmrouter eval: {exc} ({hint})", file=sys.stderr)
        return EXIT_INPUT
    except LLMRouterError as exc:
        print(f"llmrouter eval: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        where = f"; run the same command again to resume from {args.out}" if args.out else ""
        print(f"llmrouter eval: interrupted{where}", file=sys.stderr)
        return EXIT_INTERRUPTED


async def _main(args: argparse.Namespace) -> int:
    from llmrouter.eval import evaluate, probe_set_path, progress_for
    from llmrouter.experiments.terminal import console_for, print_diffs, print_summaries

    result = await evaluate(
        probe_set_path() if args.probes else args.prompts,
        config=args.config,
        routes=args.routes,
        out=args.out,
        judge=args.judge,
        concurrency=args.concurrency,
        timeout_s=args.timeout,
        progress=progress_for(sys.stderr),
        **({"store": None} if args.no_store else {}),
    )
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        console = console_for(sys.stdout)
        resumed = f", {result.resumed} resumed from {args.out}" if result.resumed else ""
        console.print(f"run {result.run.run_id}: {len(result.records)} results{resumed}")
        print_summaries(console, result.summaries)
        print_diffs(console, result.disagreements(), result.routes)
        if len(result.routes) > 1 and not args.no_store:
            console.print(f"Verdicts: llmrouter report --config {args.config}")
    if args.fail_under is not None:
        below = result.below(args.fail_under)
        if below:
            print(
                f"llmrouter eval: pass rate under {args.fail_under:g}: {', '.join(below)}",
                file=sys.stderr,
            )
            return EXIT_BELOW
    return EXIT_OK
