"""The HTML report: one self-contained page (inline CSS and SVG, no script, no URL), so it
opens offline and can be mailed or attached to a ticket as it is."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from llmrouter.config.schema import SwitchCriteriaConfig
from llmrouter.experiments import formatting as fmt
from llmrouter.experiments.comparison import Comparison
from llmrouter.experiments.html.charts import check_rates, cost_quality, latency, outcomes
from llmrouter.experiments.html.svg import esc, route_colors
from llmrouter.experiments.summary import RouteSummary

__all__ = ["DIFF_ROWS", "render_report", "write_report"]

DIFF_ROWS = 100

_CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --line: #e2e4e8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f7f7f9; }
header, section, footer { max-width: 1280px; margin: 0 auto; padding: 16px 24px; }
h1 { font-size: 24px; margin: 8px 0 0; } h2 { font-size: 19px; margin: 24px 0 8px; }
h3 { font-size: 15px; margin: 20px 0 8px; color: var(--muted); text-transform: uppercase;
     letter-spacing: .04em; }
.meta, footer { color: var(--muted); font-size: 13px; }
.verdicts { display: grid; gap: 12px;
            grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px;
        border-left: 6px solid #999; }
.card.safe { border-left-color: #009E73; } .card.not_safe { border-left-color: #D55E00; }
.card.not_enough_samples { border-left-color: #E69F00; }
.card .verdict { font-weight: 650; margin: 2px 0 6px; }
.card ul { margin: 0; padding-left: 18px; font-size: 13px; }
.card li.fail { color: #b3261e; } .card li.na { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }
.chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--line);
         border-radius: 10px; }
.chart .title { font-weight: 650; font-size: 15px; fill: var(--ink); }
.chart .tick, .chart .note { font-size: 11px; fill: var(--muted); }
.chart .label { font-size: 12px; fill: var(--muted); }
.chart .mark-label { font-size: 12px; fill: var(--ink); }
.chart .axis { stroke: #9aa0a6; } .chart .grid { stroke: #eceef1; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 4px 0 10px; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px;
          vertical-align: -1px; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-size: 13px;
        width: 100%; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right;
         white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.outcome-pass { color: #00785a; } td.outcome-other { color: #b3261e; }
.scroll { overflow-x: auto; }
"""


def _legend(routes: Sequence[str], baseline: str) -> str:
    colors = route_colors(routes)
    items = "".join(
        f'<span><span class="swatch" style="background:{colors[r]}"></span>{esc(r)}'
        + (" (baseline)" if r == baseline else "")
        + "</span>"
        for r in routes
    )
    return f'<div class="legend">{items}</div>'


def _verdict_cards(comparison: Comparison) -> str:
    if not comparison.verdicts:
        return "<p>One route only: nothing to compare it with.</p>"
    cards = []
    for name, verdict in comparison.verdicts.items():
        items = "".join(
            f'<li class="{ {True: "ok", False: "fail", None: "na"}[c.ok] }">'
            f"{ {True: '&#10003;', False: '&#10007;', None: '&ndash;'}[c.ok] } {esc(c.text)}</li>"
            for c in verdict.criteria
        )
        cards.append(
            f'<div class="card {verdict.state}" data-candidate="{esc(name)}">'
            f"<div>{esc(name)} vs {esc(comparison.baseline)}</div>"
            f'<div class="verdict">{esc(verdict.text)}</div><ul>{items}</ul></div>'
        )
    return f'<div class="verdicts">{"".join(cards)}</div>'


def _route_row(s: RouteSummary) -> str:
    cells = [
        s.route, s.cases, s.passed, fmt.pct(s.pass_rate), fmt.ci(s.ci95), s.refusals,
        s.content_filtered, s.errors, fmt.error_kinds(s) or "-", fmt.seconds(s.latency_p50_s),
        fmt.seconds(s.latency_p95_s), fmt.money(s.cost_usd), fmt.money(s.cost_per_case_usd),
        fmt.money(s.judge_cost_usd),
    ]  # fmt: skip
    return "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>"


def _routes_table(comparison: Comparison) -> str:
    headers = (
        "route", "cases", "passed", "pass rate", "95% CI", "refused", "filtered", "errors",
        "error kinds", "p50", "p95", "cost", "per case", "judge cost",
    )  # fmt: skip
    head = "".join(f"<th>{h}</th>" for h in headers)
    rows = "".join(_route_row(s) for s in comparison.summaries.values())
    return f'<div class="scroll"><table><tr>{head}</tr>{rows}</table></div>'


def _diffs_table(comparison: Comparison) -> str:
    diffs = comparison.diffs
    if len(comparison.routes) < 2 or comparison.run.source == "canary":  # nothing is paired
        return ""
    if not diffs:
        return "<p>The routes agree on every case.</p>"
    head = "".join(f"<th>{esc(h)}</th>" for h in ("case", *comparison.routes))
    rows = []
    for diff in diffs[:DIFF_ROWS]:
        cells = []
        for route in comparison.routes:
            outcome = diff.outcomes.get(route, "missing")
            failed = diff.failed_checks.get(route, ())
            shown = f"{outcome} ({', '.join(failed)})" if failed and outcome != "pass" else outcome
            cls = "outcome-pass" if outcome == "pass" else "outcome-other"
            cells.append(f'<td class="{cls}">{esc(shown)}</td>')
        rows.append(f"<tr><td>{esc(diff.case_id)}</td>{''.join(cells)}</tr>")
    more = f"<p>{len(diffs) - DIFF_ROWS} more not shown.</p>" if len(diffs) > DIFF_ROWS else ""
    title = f"<h3>Cases where the routes disagree ({len(diffs)})</h3>"
    return f'{title}<div class="scroll"><table><tr>{head}</tr>{"".join(rows)}</table></div>{more}'


def _section(comparison: Comparison) -> str:
    run = comparison.run
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(run.started_at))
    label = f" &middot; {esc(run.label)}" if run.label else ""
    plots = "".join(chart(comparison) for chart in (cost_quality, latency, check_rates, outcomes))
    return (
        f'<section class="comparison" data-run="{esc(run.run_id)}">'
        f"<h2>{esc(run.source)} {esc(run.run_id)}</h2>"
        f'<p class="meta">started {started}{label} &middot; baseline {esc(comparison.baseline)}'
        f" &middot; {len(comparison.records)} results</p>"
        f"<h3>Verdicts</h3>{_verdict_cards(comparison)}"
        f"<h3>Plots</h3>{_legend(comparison.routes, comparison.baseline)}"
        f'<div class="charts">{plots}</div>'
        f"<h3>Routes</h3>{_routes_table(comparison)}{_diffs_table(comparison)}</section>"
    )


def render_report(comparisons: Sequence[Comparison], criteria: SwitchCriteriaConfig) -> str:
    """The whole page as a string."""
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rules = ", ".join(f"{name} {value:g}" for name, value in criteria.model_dump().items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>llmrouter report</title><style>{_CSS}</style></head><body>"
        f'<header><h1>llmrouter report</h1><p class="meta">generated {generated}</p></header>'
        + "".join(_section(c) for c in comparisons)
        + f"<footer>Switch criteria: {esc(rules)}. Pass rates carry 95% Wilson intervals; "
        "errored and refused cases count as not passed.</footer></body></html>"
    )


def write_report(
    path: str | Path, comparisons: Sequence[Comparison], criteria: SwitchCriteriaConfig
) -> Path:
    """Write the page to `path` (UTF-8); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(comparisons, criteria), encoding="utf-8")
    return target
