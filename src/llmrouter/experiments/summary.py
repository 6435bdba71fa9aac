"""Figures per route from result records: the rows of the eval table and the report."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from llmrouter.experiments.records import ResultRecord
from llmrouter.experiments.stats import mean, percentile, wilson_interval

__all__ = ["CaseDiff", "CheckFigures", "RouteSummary", "disagreements", "summarize"]


@dataclass(frozen=True)
class CheckFigures:
    """One check kind on one route: how often it passed, and its mean score."""

    name: str
    passed: int
    total: int
    mean_score: float

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def ci95(self) -> tuple[float, float]:
        return wilson_interval(self.passed, self.total)


@dataclass(frozen=True)
class RouteSummary:
    """One route's figures. `cases` counts every run of a case (a case with `repeat: 3`
    counts three times); an errored or refused case has not passed."""

    route: str
    cases: int
    passed: int
    refusals: int
    content_filtered: int
    errors_by_kind: dict[str, int]
    latencies_s: tuple[float, ...] = field(repr=False)
    cost_usd: float
    judge_cost_usd: float
    checks: dict[str, CheckFigures]
    unique_cases: int
    consistency: float | None
    """Share of repeated cases whose runs all passed or all failed; None without repeats."""

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    @property
    def ci95(self) -> tuple[float, float]:
        return wilson_interval(self.passed, self.cases)

    @property
    def errors(self) -> int:
        return sum(self.errors_by_kind.values())

    @property
    def error_rate(self) -> float:
        return self.errors / self.cases if self.cases else 0.0

    @property
    def refusal_rate(self) -> float:
        return self.refusals / self.cases if self.cases else 0.0

    @property
    def latency_p50_s(self) -> float | None:
        return percentile(self.latencies_s, 50)

    @property
    def latency_p95_s(self) -> float | None:
        return percentile(self.latencies_s, 95)

    @property
    def cost_per_case_usd(self) -> float:
        return self.cost_usd / self.cases if self.cases else 0.0

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape of one route (docs: CLI, llmrouter eval)."""
        lo, hi = self.ci95
        return {
            "cases": self.cases,
            "passed": self.passed,
            "pass_rate": self.pass_rate,
            "ci95": [lo, hi],
            "refusals": self.refusals,
            "content_filtered": self.content_filtered,
            "errors": self.errors,
            "errors_by_kind": dict(sorted(self.errors_by_kind.items())),
            "latency_p50_s": self.latency_p50_s,
            "latency_p95_s": self.latency_p95_s,
            "cost_usd": self.cost_usd,
            "cost_per_case_usd": self.cost_per_case_usd,
            "judge_cost_usd": self.judge_cost_usd,
            "checks": {
                name: {
                    "passed": c.passed,
                    "total": c.total,
                    "pass_rate": c.pass_rate,
                    "ci95": list(c.ci95),
                    "mean_score": c.mean_score,
                }
                for name, c in self.checks.items()
            },
            "unique_cases": self.unique_cases,
            "consistency": self.consistency,
        }


def _check_figures(records: Sequence[ResultRecord]) -> dict[str, CheckFigures]:
    scores: dict[str, list[float]] = defaultdict(list)
    passes: Counter[str] = Counter()
    for record in records:
        for check in record.checks:
            scores[check.name].append(check.score)
            passes[check.name] += check.passed
    return {
        name: CheckFigures(name, passes[name], len(values), mean(values) or 0.0)
        for name, values in scores.items()
    }


def _consistency(records: Sequence[ResultRecord]) -> float | None:
    by_case: dict[str, set[bool]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for record in records:
        by_case[record.case_id].add(record.passed)
        counts[record.case_id] += 1
    repeated = [case for case, n in counts.items() if n > 1]
    if not repeated:
        return None
    return sum(len(by_case[case]) == 1 for case in repeated) / len(repeated)


def summarize_route(route: str, records: Sequence[ResultRecord]) -> RouteSummary:
    """The figures of one route's records."""
    return RouteSummary(
        route=route,
        cases=len(records),
        passed=sum(r.passed for r in records),
        refusals=sum(r.refused for r in records),
        content_filtered=sum(r.refused and r.error_kind == "content_filter" for r in records),
        errors_by_kind=dict(Counter(r.error_kind or "error" for r in records if r.errored)),
        # Latency of answers (refusals included): an error's latency is its fault's, not the
        # model's; errors have their own rate.
        latencies_s=tuple(r.latency_s for r in records if not r.errored),
        cost_usd=math.fsum(r.cost_usd for r in records),  # exact: independent of order
        judge_cost_usd=math.fsum(r.judge_cost_usd for r in records),
        checks=_check_figures(records),
        unique_cases=len({r.case_id for r in records}),
        consistency=_consistency(records),
    )


def summarize(
    records: Iterable[ResultRecord], routes: Sequence[str] | None = None
) -> dict[str, RouteSummary]:
    """One summary per route, in the order of `routes` (default: first seen)."""
    by_route: dict[str, list[ResultRecord]] = {route: [] for route in routes or ()}
    for record in records:
        if routes is None or record.route in by_route:
            by_route.setdefault(record.route, []).append(record)
    return {route: summarize_route(route, rows) for route, rows in by_route.items()}


@dataclass(frozen=True)
class CaseDiff:
    """A case on which the routes disagree: each route's outcome (`pass`, `fail`, `refused`,
    `error: <kind>`, or `2/3 pass` over repeats) and the checks that failed."""

    case_id: str
    outcomes: dict[str, str]
    failed_checks: dict[str, tuple[str, ...]]


def _outcome(rows: Sequence[ResultRecord]) -> str:
    if len(rows) > 1:
        return f"{sum(r.passed for r in rows)}/{len(rows)} pass"
    row = rows[0]
    if row.errored:
        return f"error: {row.error_kind}"
    if row.refused:
        return "filtered" if row.error_kind == "content_filter" else "refused"
    return "pass" if row.passed else "fail"


def disagreements(records: Iterable[ResultRecord], routes: Sequence[str]) -> list[CaseDiff]:
    """Cases whose outcome differs between routes, in the order the cases first appear."""
    grouped: dict[str, dict[str, list[ResultRecord]]] = {}
    for record in records:
        if record.route in routes:
            grouped.setdefault(record.case_id, {}).setdefault(record.route, []).append(record)
    out = []
    for case_id, per_route in grouped.items():
        outcomes = {
            route: _outcome(sorted(per_route[route], key=lambda r: r.repeat))
            if route in per_route
            else "missing"
            for route in routes
        }
        if len(set(outcomes.values())) > 1:
            failed = {
                route: tuple(sorted({c.name for r in rows for c in r.checks if not c.passed}))
                for route, rows in per_route.items()
            }
            out.append(CaseDiff(case_id, outcomes, failed))
    return out
