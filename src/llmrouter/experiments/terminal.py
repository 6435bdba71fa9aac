"""Tables for the terminal (rich). A table wider than the terminal is printed as one line per
row instead (`route: cases 10, passed 9, ...`), so nothing is cut; colour only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING

from llmrouter.experiments import formatting as fmt
from llmrouter.experiments.summary import CaseDiff, RouteSummary

if TYPE_CHECKING:
    from rich.console import Console

    from llmrouter.experiments.comparison import Comparison

__all__ = [
    "DIFF_LIMIT",
    "console_for",
    "print_comparison",
    "print_diffs",
    "print_summaries",
    "print_verdicts",
]

DIFF_LIMIT = 20
_VERDICT_STYLE = {"safe": "bold green", "not_safe": "bold red", "not_enough_samples": "yellow"}


def console_for(stream: IO[str] | None = None) -> Console:
    """A console on `stream` (standard output): colour and live width only on a terminal."""
    from rich.console import Console

    return Console(file=stream or sys.stdout, highlight=False)


def print_table(
    console: Console, title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    """A table with the first column left-aligned and figures right-aligned, or, when it
    would not fit the terminal, one `name: header value, ...` line per row."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    if _natural_width(headers, rows) <= console.width:
        console.print(table)
        return
    console.print(title)
    for row in rows:
        pairs = ", ".join(f"{h} {c}" for h, c in zip(headers[1:], row[1:], strict=True))
        console.print(f"  {row[0]}: {pairs}")


def _natural_width(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """Columns at their widest, two spaces apart (the table's style)."""
    from rich.cells import cell_len

    widths = [max(cell_len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    return sum(widths) + 2 * (len(widths) - 1)


def print_summaries(console: Console, summaries: Mapping[str, RouteSummary]) -> None:
    """Quality, then latency and cost, then checks: one row per route."""
    rows = [
        [
            s.route,
            str(s.cases),
            str(s.passed),
            fmt.pct(s.pass_rate),
            fmt.ci(s.ci95),
            str(s.refusals),
            str(s.content_filtered),
            str(s.errors),
        ]
        for s in summaries.values()
    ]
    headers = ("route", "cases", "passed", "pass rate", "95% CI", "refused", "filtered", "errors")
    print_table(console, "Quality", headers, rows)
    for s in summaries.values():
        if s.errors:
            console.print(f"  {s.route} errors: {fmt.error_kinds(s)}")
    rows = [
        [
            s.route,
            fmt.seconds(s.latency_p50_s),
            fmt.seconds(s.latency_p95_s),
            fmt.money(s.cost_usd),
            fmt.money(s.cost_per_case_usd),
            fmt.money(s.judge_cost_usd),
        ]
        for s in summaries.values()
    ]
    print_table(
        console, "Latency and cost", ("route", "p50", "p95", "cost", "per case", "judge cost"), rows
    )
    kinds = sorted({kind for s in summaries.values() for kind in s.checks})
    if kinds:
        rows = [[s.route, *(_check_cell(s, kind) for kind in kinds)] for s in summaries.values()]
        print_table(console, "Checks (pass rate / mean score)", ("route", *kinds), rows)
    for s in summaries.values():
        if s.consistency is not None:
            console.print(f"{s.route}: {fmt.pct(s.consistency)} of repeated cases had one outcome")


def _check_cell(summary: RouteSummary, kind: str) -> str:
    figures = summary.checks.get(kind)
    if figures is None:
        return "-"
    return f"{fmt.pct(figures.pass_rate)} / {figures.mean_score:.2f}"


def _diff_cell(diff: CaseDiff, route: str) -> str:
    outcome = diff.outcomes.get(route, "missing")
    failed = diff.failed_checks.get(route, ())
    return f"{outcome} ({', '.join(failed)})" if failed and outcome != "pass" else outcome


def print_diffs(
    console: Console, diffs: Sequence[CaseDiff], routes: Sequence[str], limit: int = DIFF_LIMIT
) -> None:
    """Where the routes disagree, case by case (the first `limit`)."""
    if len(routes) < 2:
        return
    if not diffs:
        console.print("The routes agree on every case.")
        return
    rows = [[d.case_id, *(_diff_cell(d, route) for route in routes)] for d in diffs[:limit]]
    title = f"Cases where the routes disagree ({len(diffs)})"
    print_table(console, title, ("case", *routes), rows)
    if len(diffs) > limit:
        console.print(f"... and {len(diffs) - limit} more (--json lists them all)")


def print_verdicts(console: Console, comparison: Comparison) -> None:
    """One line per candidate: its verdict, then each criterion's figure."""
    from rich.text import Text

    for name, verdict in comparison.verdicts.items():
        line = Text(f"{name} vs {comparison.baseline}: ")
        line.append(verdict.text, style=_VERDICT_STYLE[verdict.state])
        console.print(line)
        for criterion in verdict.criteria:
            mark = {True: "ok", False: "FAIL", None: "n/a"}[criterion.ok]
            console.print(f"  {mark:4} {criterion.text}")


def print_comparison(console: Console, comparison: Comparison) -> None:
    """A run as `llmrouter report` shows it."""
    run = comparison.run
    label = f" ({run.label})" if run.label else ""
    console.rule(f"{run.source} {run.run_id}{label}, baseline {comparison.baseline}")
    print_summaries(console, comparison.summaries)
    if comparison.verdicts:
        console.print()
        print_verdicts(console, comparison)
    if run.source != "canary":  # a canary's requests went to one side each: nothing paired
        console.print()
        print_diffs(console, comparison.diffs, comparison.routes)
