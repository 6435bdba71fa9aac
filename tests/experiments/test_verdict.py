"""The verdict against switch criteria, on records with known figures."""

from __future__ import annotations

from llmrouter.config.schema import SwitchCriteriaConfig
from llmrouter.experiments.comparison import compare
from llmrouter.experiments.records import ResultRecord, RunInfo

RUN = RunInfo(run_id="r", routes=("base", "cand"))


def _records(
    route: str, n: int, *, fail: int = 0, refuse: int = 0, error: int = 0, latency: float = 0.1
) -> list[ResultRecord]:
    out = []
    for i in range(n):
        status = "error" if i < error else "refused" if i < error + refuse else "ok"
        passed = status == "ok" and i >= error + refuse + fail
        out.append(
            ResultRecord(
                run_id="r",
                route=route,
                case_id=f"c{i}",
                status=status,
                passed=passed,
                error_kind="unavailable" if status == "error" else None,
                latency_s=latency,
            )
        )
    return out


def _verdict(
    candidate: list[ResultRecord], base: list[ResultRecord] | None = None, **criteria: float
):  # type: ignore[no-untyped-def]
    records = (base if base is not None else _records("base", 200)) + candidate
    return compare(RUN, records, SwitchCriteriaConfig(**criteria)).verdicts["cand"]  # type: ignore[arg-type]


def test_safe_when_every_criterion_holds() -> None:
    verdict = _verdict(_records("cand", 200, fail=10, latency=0.12))
    assert verdict.state == "safe" and verdict.text == "safe to switch"
    agreement = next(c for c in verdict.criteria if c.name == "min_agreement")
    assert agreement.value == 0.95


def test_not_enough_samples_outranks_the_figures() -> None:
    verdict = _verdict(_records("cand", 150, error=100))
    assert verdict.text == "not enough samples (150 of 200)"


def test_not_safe_names_each_failing_criterion() -> None:
    verdict = _verdict(_records("cand", 200, error=6, refuse=8, latency=0.2))
    assert verdict.state == "not_safe"
    assert verdict.text == (  # agreement (93%) holds, so it is not named
        "not safe: error rate 3.0% beyond max 2.0%; refusal rate change +4.0 pts beyond "
        "max +2.0 pts; p95 latency ratio 2.00x beyond max 1.50x"
    )


def test_the_boundary_is_inside() -> None:
    base = _records("base", 200, refuse=10)
    verdict = _verdict(_records("cand", 200, error=4, refuse=14), base=base)
    assert verdict.state == "safe"  # error rate 2.0% and refusal change +2.0 pts: at the limits
    assert verdict.text == "safe to switch"


def test_agreement_pairs_by_case_and_a_better_candidate_agrees() -> None:
    base = _records("base", 200, fail=100)
    verdict = _verdict(_records("cand", 200), base=base)
    assert next(c for c in verdict.criteria if c.name == "min_agreement").value == 1.0
    worse = _verdict(_records("cand", 200, fail=40), base=_records("base", 200))
    assert worse.text.startswith("not safe: agreement 80.0% beyond min 90.0%")
