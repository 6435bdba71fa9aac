"""The report's charts, each an inline SVG string: cost against quality, latency
distributions, pass rate per check with its interval, and outcomes per route."""

from __future__ import annotations

from collections.abc import Sequence

from llmrouter.experiments import formatting as fmt
from llmrouter.experiments.comparison import Comparison
from llmrouter.experiments.html.svg import (
    Frame,
    Linear,
    esc,
    nice_ticks,
    route_colors,
    svg,
    text,
    tick_format,
    x_axis,
    y_axis,
)
from llmrouter.experiments.stats import percentile
from llmrouter.experiments.summary import RouteSummary

__all__ = ["OUTCOME_COLORS", "check_rates", "cost_quality", "latency", "outcomes"]

OUTCOME_COLORS = {
    "passed": "#009E73",
    "failed": "#E69F00",
    "refused": "#CC79A7",
    "errors": "#D55E00",
}
MAX_DOTS = 300
"""Latency dots drawn per route at most (evenly spaced through the sorted values)."""
WHOLE_CASE = "whole case"


def _pct_tick(value: float) -> str:
    return f"{value * 100:.0f}%"


def _place_labels(points: Sequence[tuple[float, float, str]], right_edge: float) -> list[str]:
    """Route names beside their points, moved down or up until no two labels overlap."""
    placed: list[tuple[float, float, float]] = []  # x, y, width
    out = []
    for x, y, name in sorted(points, key=lambda p: (p[1], p[0])):
        width = 7.0 * len(name) + 4
        left = x + 11 if x + 11 + width < right_edge else x - 11 - width
        for shift in (-8.0, 18.0, -22.0, 32.0, -36.0, 46.0, -50.0, 60.0):
            top = y + shift
            if all(
                abs(top - py) >= 14 or left + width <= px or px + pw <= left
                for px, py, pw in placed
            ):
                break
        placed.append((left, top, width))
        out.append(text(left, top, name, "mark-label"))
    return out


def cost_quality(comparison: Comparison) -> str:
    """One point per route: cost per case across, pass rate up, with its 95% interval."""
    frame = Frame()
    colors = route_colors(comparison.routes)
    summaries = list(comparison.summaries.values())
    top = max((s.cost_per_case_usd for s in summaries), default=0.0)
    ticks_x = nice_ticks(0.0, top * 1.15 if top > 0 else 1.0, 5)
    sx = Linear(0.0, ticks_x[-1], frame.x0, frame.x1)
    sy = Linear(0.0, 1.0, frame.y0, frame.y1)
    parts = x_axis(frame, sx, ticks_x, "cost per case (USD)", tick_format(ticks_x, "$"))
    parts += y_axis(frame, sy, nice_ticks(0.0, 1.0, 5), "pass rate", _pct_tick)
    parts.append(text(frame.x0 + 8, frame.y1 + 14, "better: up and to the left", "note"))
    for s in summaries:
        x, y, (lo, hi) = sx(s.cost_per_case_usd), sy(s.pass_rate), s.ci95
        color = colors[s.route]
        tip = (
            f"{s.route}: pass rate {fmt.pct(s.pass_rate)} (95% CI {fmt.ci(s.ci95)}), "
            f"{fmt.money(s.cost_per_case_usd)} per case, {s.cases} cases"
        )
        ring = ' stroke="#222" stroke-width="2"' if s.route == comparison.baseline else ""
        parts.append(
            f'<g class="point" data-route="{esc(s.route)}"><title>{esc(tip)}</title>'
            f'<line x1="{x:.1f}" y1="{sy(lo):.1f}" x2="{x:.1f}" y2="{sy(hi):.1f}" '
            f'stroke="{color}" stroke-width="3" stroke-linecap="round" opacity="0.55"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{color}"{ring}/></g>'
        )
    points = [(sx(s.cost_per_case_usd), sy(s.pass_rate), s.route) for s in summaries]
    parts += _place_labels(points, frame.x1)
    return svg(frame, "Cost against quality", parts, "cost-quality")


def _spread(index: int, count: int) -> float:
    """A deterministic jitter in [-1, 1] (golden-ratio sequence)."""
    return ((index * 0.6180339887) % 1.0) * 2 - 1 if count > 1 else 0.0


def latency(comparison: Comparison) -> str:
    """Per route: every answer's latency as a dot, with a box from p25 to p75, whiskers from p5
    to p95 and a bar at the median."""
    routes = comparison.routes
    frame = Frame(height=max(160.0, 70.0 + 58.0 * len(routes)), left=110)
    colors = route_colors(routes)
    values = {
        route: sorted(r.latency_s for r in comparison.records if r.route == route and not r.errored)
        for route in routes
    }
    top = max((v[-1] for v in values.values() if v), default=1.0)
    ticks = nice_ticks(0.0, top * 1.05 or 1.0, 6)
    sx = Linear(0.0, ticks[-1], frame.x0, frame.x1)
    parts = x_axis(frame, sx, ticks, "latency (seconds)", tick_format(ticks))
    band = (frame.y0 - frame.y1) / max(len(routes), 1)
    for index, route in enumerate(routes):
        centre = frame.y1 + band * (index + 0.5)
        parts.append(text(frame.x0 - 10, centre + 4, route, "mark-label", "end"))
        parts.extend(_latency_row(values[route], centre, band, sx, colors[route], route))
    return svg(frame, "Latency distribution per route", parts, "latency")


def _latency_row(
    values: Sequence[float], centre: float, band: float, sx: Linear, color: str, route: str
) -> list[str]:
    if not values:
        return [text(sx(0) + 8, centre + 4, "no answers", "note")]
    q = {p: percentile(values, p) or 0.0 for p in (5, 25, 50, 75, 95)}
    step = max(1, len(values) // MAX_DOTS)
    shown = values[::step]
    dots = "".join(
        f'<circle cx="{sx(v):.1f}" cy="{centre + _spread(i, len(shown)) * band * 0.3:.1f}" '
        'r="2.2"/>'
        for i, v in enumerate(shown)
    )
    half = band * 0.18
    tip = (
        f"{route}: p5 {fmt.seconds(q[5])}, p25 {fmt.seconds(q[25])}, median {fmt.seconds(q[50])}, "
        f"p75 {fmt.seconds(q[75])}, p95 {fmt.seconds(q[95])} ({len(values)} answers)"
    )
    return [
        f'<g class="dots" fill="{color}" opacity="0.35">{dots}</g>',
        f'<g class="box" data-route="{esc(route)}"><title>{esc(tip)}</title>'
        f'<line x1="{sx(q[5]):.1f}" y1="{centre:.1f}" x2="{sx(q[95]):.1f}" y2="{centre:.1f}" '
        f'stroke="{color}" stroke-width="2"/>'
        f'<rect x="{sx(q[25]):.1f}" y="{centre - half:.1f}" '
        f'width="{max(sx(q[75]) - sx(q[25]), 1.5):.1f}" height="{half * 2:.1f}" fill="{color}" '
        f'fill-opacity="0.25" stroke="{color}" stroke-width="2"/>'
        f'<line x1="{sx(q[50]):.1f}" y1="{centre - half:.1f}" x2="{sx(q[50]):.1f}" '
        f'y2="{centre + half:.1f}" stroke="#222" stroke-width="3"/></g>',
    ]


def _rate_of(summary: RouteSummary, group: str) -> tuple[int, int, tuple[float, float]] | None:
    if group == WHOLE_CASE:
        return summary.passed, summary.cases, summary.ci95
    figures = summary.checks.get(group)
    return (figures.passed, figures.total, figures.ci95) if figures is not None else None


def _rate_bar(
    route: str,
    group: str,
    figures: tuple[int, int, tuple[float, float]],
    top: float,
    height: float,
    sx: Linear,
    color: str,
) -> str:
    passed, total, (lo, hi) = figures
    rate = passed / total if total else 0.0
    mid, x0 = top + height / 2, sx(0.0)
    tip = f"{route} {group}: {passed}/{total} passed, {fmt.pct(rate)} (95% CI {fmt.ci((lo, hi))})"
    whisker = "".join(
        f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}" stroke="#222"/>'
        for a, b, c, d in (
            (sx(lo), mid, sx(hi), mid),
            (sx(lo), top + 1, sx(lo), top + height - 1),
            (sx(hi), top + 1, sx(hi), top + height - 1),
        )
    )
    return (
        f'<g class="bar" data-route="{esc(route)}" data-check="{esc(group)}">'
        f"<title>{esc(tip)}</title>"
        f'<rect x="{x0:.1f}" y="{top:.1f}" width="{max(sx(rate) - x0, 0.5):.1f}" '
        f'height="{height:.1f}" fill="{color}" opacity="0.85"/>{whisker}</g>'
    )


def check_rates(comparison: Comparison) -> str:
    """Per check kind (and the whole case), each route's pass rate as a bar with its 95%
    interval as a whisker."""
    routes, summaries = comparison.routes, comparison.summaries
    groups = [WHOLE_CASE, *sorted({k for s in summaries.values() for k in s.checks})]
    row_h = 16.0
    group_h = row_h * len(routes) + 18
    frame = Frame(height=70 + group_h * len(groups), left=110)
    colors = route_colors(routes)
    sx = Linear(0.0, 1.0, frame.x0, frame.x1)
    parts = x_axis(frame, sx, nice_ticks(0.0, 1.0, 5), "pass rate (bar), 95% interval", _pct_tick)
    for g, group in enumerate(groups):
        y = frame.y1 + g * group_h
        parts.append(text(frame.x0 - 10, y + group_h / 2, group, "mark-label", "end"))
        for r, route in enumerate(routes):
            figures = _rate_of(summaries[route], group)
            if figures is not None:
                top = y + 8 + r * row_h
                parts.append(_rate_bar(route, group, figures, top, row_h - 4, sx, colors[route]))
    return svg(frame, "Pass rate per check, with its 95% interval", parts, "check-rates")


def outcomes(comparison: Comparison) -> str:
    """Per route, the share of cases that passed, failed, were refused or errored."""
    routes = comparison.routes
    frame = Frame(height=max(150.0, 90.0 + 34.0 * len(routes)), left=110)
    sx = Linear(0.0, 1.0, frame.x0, frame.x1)
    parts = x_axis(frame, sx, nice_ticks(0.0, 1.0, 5), "share of cases", _pct_tick)
    band = (frame.y0 - frame.y1 - 20) / max(len(routes), 1)
    for index, route in enumerate(routes):
        s = comparison.summaries[route]
        counts = {
            "passed": s.passed,
            "failed": s.cases - s.passed - s.refusals - s.errors,
            "refused": s.refusals,
            "errors": s.errors,
        }
        y = frame.y1 + 20 + band * index
        parts.append(text(frame.x0 - 10, y + band / 2 + 4, route, "mark-label", "end"))
        start = 0.0
        for kind, count in counts.items():
            share = count / s.cases if s.cases else 0.0
            if share <= 0:
                continue
            tip = f"{route}: {count} {kind} of {s.cases} ({fmt.pct(share)})"
            parts.append(
                f'<rect class="outcome" data-route="{esc(route)}" data-outcome="{kind}" '
                f'x="{sx(start):.1f}" y="{y + 4:.1f}" width="{sx(start + share) - sx(start):.1f}" '
                f'height="{band - 8:.1f}" fill="{OUTCOME_COLORS[kind]}">'
                f"<title>{esc(tip)}</title></rect>"
            )
            start += share
    legend_x = frame.x0
    for kind, color in OUTCOME_COLORS.items():
        parts.append(
            f'<rect x="{legend_x}" y="{frame.y1 + 2}" width="10" height="10" fill="{color}"/>'
        )
        parts.append(text(legend_x + 14, frame.y1 + 11, kind, "note"))
        legend_x += 80
    return svg(frame, "Outcomes per route", parts, "outcomes")
