"""The verdict on a candidate against `experiments.switch_criteria`: "safe to switch",
"not safe" (naming each criterion that failed) or "not enough samples"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from llmrouter.config.schema import SwitchCriteriaConfig
from llmrouter.experiments.records import ResultRecord
from llmrouter.experiments.summary import RouteSummary

__all__ = ["Criterion", "Verdict", "VerdictState", "agreement", "judge_candidate"]

VerdictState = Literal["safe", "not_safe", "not_enough_samples"]


@dataclass(frozen=True)
class Criterion:
    """One switch criterion measured: `ok` is None when it cannot be measured (no latency)."""

    name: str
    value: float | None
    limit: float
    ok: bool | None

    @property
    def text(self) -> str:
        shown = _formats[self.name]
        value = "n/a" if self.value is None else shown(self.value)
        relation = {True: "within", False: "beyond", None: "unmeasured against"}[self.ok]
        return f"{_labels[self.name]} {value} {relation} {_bounds[self.name]} {shown(self.limit)}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _signed_pct(value: float) -> str:
    return f"{value * 100:+.1f} pts"


def _ratio(value: float) -> str:
    return f"{value:.2f}x"


_labels = {
    "min_samples": "samples",
    "min_agreement": "agreement",
    "max_error_rate": "error rate",
    "max_refusal_rate_delta": "refusal rate change",
    "max_p95_latency_ratio": "p95 latency ratio",
}
_bounds = {
    "min_samples": "min",
    "min_agreement": "min",
    "max_error_rate": "max",
    "max_refusal_rate_delta": "max",
    "max_p95_latency_ratio": "max",
}
_formats = {
    "min_samples": lambda v: f"{v:g}",
    "min_agreement": _pct,
    "max_error_rate": _pct,
    "max_refusal_rate_delta": _signed_pct,
    "max_p95_latency_ratio": _ratio,
}


@dataclass(frozen=True)
class Verdict:
    """A candidate judged against the baseline."""

    candidate: str
    baseline: str
    state: VerdictState
    samples: int
    criteria: tuple[Criterion, ...]

    @property
    def failed(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.ok is False and c.name != "min_samples")

    @property
    def text(self) -> str:
        """`safe to switch`, `not safe: error rate 5.0% beyond max 2.0%; ...` or
        `not enough samples (120 of 200)`."""
        if self.state == "not_enough_samples":
            needed = next(c.limit for c in self.criteria if c.name == "min_samples")
            return f"not enough samples ({self.samples} of {needed:g})"
        if self.state == "not_safe":
            return "not safe: " + "; ".join(c.text for c in self.failed)
        return "safe to switch"


def agreement(baseline: Sequence[ResultRecord], candidate: Sequence[ResultRecord]) -> float | None:
    """Share of the candidate's samples on which it does at least as well as the baseline.

    Eval samples are paired by (case, repeat): the candidate agrees when it passed or the
    baseline did not. Shadow and canary samples were compared with the baseline's answer when
    recorded: their `passed` is the agreement. None when nothing pairs up.
    """
    if not candidate:
        return None
    if all(r.source != "eval" for r in candidate):
        return sum(r.passed for r in candidate) / len(candidate)
    base = {(r.case_id, r.repeat): r.passed for r in baseline}
    paired = [
        (base[(r.case_id, r.repeat)], r.passed) for r in candidate if (r.case_id, r.repeat) in base
    ]
    if not paired:
        return None
    return sum(cand or not base_passed for base_passed, cand in paired) / len(paired)


def judge_candidate(
    baseline: RouteSummary,
    candidate: RouteSummary,
    agreed: float | None,
    criteria: SwitchCriteriaConfig,
) -> Verdict:
    """Measure every criterion; too few samples outranks everything else."""
    p95_base, p95_cand = baseline.latency_p95_s, candidate.latency_p95_s
    ratio = p95_cand / p95_base if p95_base and p95_cand is not None else None
    delta = candidate.refusal_rate - baseline.refusal_rate
    measured = (
        Criterion(
            "min_samples",
            candidate.cases,
            criteria.min_samples,
            candidate.cases >= criteria.min_samples,
        ),
        Criterion(
            "min_agreement",
            agreed,
            criteria.min_agreement,
            None if agreed is None else agreed >= criteria.min_agreement,
        ),
        Criterion(
            "max_error_rate",
            candidate.error_rate,
            criteria.max_error_rate,
            candidate.error_rate <= criteria.max_error_rate,
        ),
        Criterion(
            "max_refusal_rate_delta",
            delta,
            criteria.max_refusal_rate_delta,
            delta <= criteria.max_refusal_rate_delta + 1e-12,
        ),
        Criterion(
            "max_p95_latency_ratio",
            ratio,
            criteria.max_p95_latency_ratio,
            None if ratio is None else ratio <= criteria.max_p95_latency_ratio,
        ),
    )
    if candidate.cases < criteria.min_samples:
        state: VerdictState = "not_enough_samples"
    elif any(c.ok is False for c in measured):
        state = "not_safe"
    else:
        state = "safe"
    return Verdict(candidate.route, baseline.route, state, candidate.cases, measured)
