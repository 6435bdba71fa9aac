"""A run's routes compared with its baseline: summaries, verdicts and disagreements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from llmrouter.config.schema import SwitchCriteriaConfig
from llmrouter.errors import EvalInputError
from llmrouter.experiments.records import ResultRecord, RunInfo
from llmrouter.experiments.store.base import ResultStore
from llmrouter.experiments.summary import CaseDiff, RouteSummary, disagreements, summarize
from llmrouter.experiments.verdict import Verdict, agreement, judge_candidate

__all__ = ["Comparison", "compare", "load_comparisons"]


@dataclass(frozen=True)
class Comparison:
    """One run (an eval, a shadow or a canary experiment): each candidate against the baseline."""

    run: RunInfo
    routes: tuple[str, ...]
    """Baseline first."""
    summaries: dict[str, RouteSummary]
    verdicts: dict[str, Verdict]
    diffs: list[CaseDiff]
    records: tuple[ResultRecord, ...]

    @property
    def baseline(self) -> str:
        return self.routes[0]

    def to_json(self) -> dict[str, Any]:
        """The `llmrouter report --json` shape of one run."""
        return {
            "source": self.run.source,
            "run_id": self.run.run_id,
            "label": self.run.label,
            "started_at": self.run.started_at,
            "baseline": self.baseline,
            "routes": {name: s.to_json() for name, s in self.summaries.items()},
            "verdicts": {
                name: {
                    "verdict": v.text,
                    "state": v.state,
                    "criteria": {
                        c.name: {"value": c.value, "limit": c.limit, "ok": c.ok} for c in v.criteria
                    },
                }
                for name, v in self.verdicts.items()
            },
            "disagreements": [{"case_id": d.case_id, "outcomes": d.outcomes} for d in self.diffs],
        }


def compare(
    run: RunInfo,
    records: Sequence[ResultRecord],
    criteria: SwitchCriteriaConfig,
    baseline: str | None = None,
) -> Comparison:
    """Compare every route of `run` with `baseline` (default: the run's first route)."""
    first = baseline or run.baseline
    routes = (first, *(r for r in run.routes if r != first))
    summaries = summarize(records, routes)
    by_route = {route: [r for r in records if r.route == route] for route in routes}
    verdicts = {
        route: judge_candidate(
            summaries[first],
            summaries[route],
            agreement(by_route[first], by_route[route]),
            criteria,
        )
        for route in routes[1:]
    }
    # A canary's requests went to one side each: there is no pair to disagree on.
    diffs = disagreements(records, routes) if run.source != "canary" else []
    return Comparison(run, routes, summaries, verdicts, diffs, tuple(records))


def _select(runs: Sequence[RunInfo], route: str | None, run_id: str | None) -> list[RunInfo]:
    if run_id is not None:
        chosen = [r for r in runs if r.run_id == run_id]
        if not chosen:
            known = ", ".join(r.run_id for r in runs[-5:]) or "none"
            raise EvalInputError([f"--run: no run {run_id!r} in the store (latest: {known})"])
        return chosen
    if route is not None:
        runs = [
            r for r in runs if (route in r.routes if r.source == "eval" else r.baseline == route)
        ]
    evals = [r for r in runs if r.source == "eval"]
    return [*evals[-1:], *(r for r in runs if r.source != "eval")]


async def load_comparisons(
    store: ResultStore,
    criteria: SwitchCriteriaConfig,
    *,
    route: str | None = None,
    run_id: str | None = None,
) -> list[Comparison]:
    """The latest eval run and every shadow and canary experiment in `store` (or the run
    `run_id`); with `route`, only runs of that route, compared against it."""
    selected = _select(await store.runs(), route, run_id)
    out = []
    for run in selected:
        records = await store.records(run.run_id)
        baseline = route if route is not None and route in run.routes else None
        out.append(compare(run, records, criteria, baseline))
    return out
