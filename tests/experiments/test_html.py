"""The HTML page's building blocks: escaping, ticks, and runs with little in them."""

from __future__ import annotations

from llmrouter.config.schema import SwitchCriteriaConfig
from llmrouter.experiments.comparison import compare
from llmrouter.experiments.html import render_report
from llmrouter.experiments.html.svg import nice_ticks, tick_format
from llmrouter.experiments.records import ResultRecord, RunInfo

HOSTILE = '<img src=x onerror="alert(1)">'


def _record(route: str, case_id: str, **fields: object) -> ResultRecord:
    base: dict[str, object] = {"status": "ok", "passed": True, "latency_s": 0.1}
    return ResultRecord(run_id="r", route=route, case_id=case_id, **{**base, **fields})  # type: ignore[arg-type]


def test_names_from_the_data_are_escaped() -> None:
    run = RunInfo(run_id="r", routes=("a", HOSTILE), label=HOSTILE)
    records = [_record("a", HOSTILE), _record(HOSTILE, HOSTILE, passed=False)]
    page = render_report([compare(run, records, SwitchCriteriaConfig())], SwitchCriteriaConfig())
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_one_route_and_a_route_without_answers() -> None:
    single = compare(
        RunInfo(run_id="r", routes=("a",)), [_record("a", "c")], SwitchCriteriaConfig()
    )
    assert "nothing to compare it with" in render_report([single], SwitchCriteriaConfig())
    dead = [
        _record("a", "c"),
        _record("b", "c", status="error", passed=False, error_kind="timeout"),
    ]
    both = compare(RunInfo(run_id="r", routes=("a", "b")), dead, SwitchCriteriaConfig())
    page = render_report([both], SwitchCriteriaConfig())
    assert "no answers" in page and page.count('<svg class="chart"') == 4


def test_ticks_cover_the_data_with_round_labels() -> None:
    ticks = nice_ticks(0.0, 0.000178)
    assert ticks == [0.0, 5e-05, 0.0001, 0.00015, 0.0002]
    assert tick_format(ticks, "$")(5e-05) == "$0.00005"
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0.0, 0.0)[-1] >= 1.0
