"""Small SVG building blocks for the report's charts: scales, ticks, axes, escaped text.

Hand-written rather than a plotting library: four chart kinds of simple marks, as inline SVG
that renders offline in any browser (matplotlib would add tens of megabytes for static
images; plotly embeds megabytes of JavaScript in every page).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "PALETTE",
    "Frame",
    "Linear",
    "esc",
    "nice_ticks",
    "route_colors",
    "svg",
    "text",
    "tick_format",
    "x_axis",
    "y_axis",
]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933", "#000000")


def route_colors(routes: Sequence[str]) -> dict[str, str]:
    return {route: PALETTE[i % len(PALETTE)] for i, route in enumerate(routes)}


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values from at or below `lo` to at or above `hi`, 1, 2 or 5 times a power
    of ten apart; the first and last ticks are the axis ends."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    first = math.floor(lo / step + 1e-9) * step
    steps = math.ceil((hi - first) / step - 1e-9)
    return [round(first + i * step, 12) for i in range(steps + 1)]


def tick_format(ticks: Sequence[float], prefix: str = "") -> Callable[[float], str]:
    """Labels with just the decimals the tick spacing needs (`$0.00005`, not `$5e-05`)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    return lambda value: f"{prefix}{value:.{decimals}f}"


@dataclass(frozen=True)
class Linear:
    """Maps [d0, d1] onto [r0, r1]."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        span = self.d1 - self.d0 or 1.0
        return self.r0 + (value - self.d0) / span * (self.r1 - self.r0)


@dataclass(frozen=True)
class Frame:
    """A chart's box: its size and the plotting area inside the margins."""

    width: float = 640
    height: float = 340
    left: float = 70
    right: float = 24
    top: float = 40
    bottom: float = 48

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:
        return self.height - self.bottom

    @property
    def y1(self) -> float:
        return self.top


def text(x: float, y: float, value: object, cls: str = "", anchor: str = "start") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{esc(value)}</text>'


def x_axis(
    frame: Frame, scale: Linear, ticks: Sequence[float], label: str, fmt: Callable[[float], str]
) -> list[str]:
    parts = [
        f'<line class="axis" x1="{frame.x0}" y1="{frame.y0}" x2="{frame.x1}" y2="{frame.y0}"/>'
    ]
    for tick in ticks:
        x = scale(tick)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{frame.y1}" x2="{x:.1f}" y2="{frame.y0}"/>'
        )
        parts.append(text(x, frame.y0 + 16, fmt(tick), "tick", "middle"))
    parts.append(text((frame.x0 + frame.x1) / 2, frame.height - 10, label, "label", "middle"))
    return parts


def y_axis(
    frame: Frame, scale: Linear, ticks: Sequence[float], label: str, fmt: Callable[[float], str]
) -> list[str]:
    parts = [
        f'<line class="axis" x1="{frame.x0}" y1="{frame.y1}" x2="{frame.x0}" y2="{frame.y0}"/>'
    ]
    for tick in ticks:
        y = scale(tick)
        parts.append(
            f'<line class="grid" x1="{frame.x0}" y1="{y:.1f}" x2="{frame.x1}" y2="{y:.1f}"/>'
        )
        parts.append(text(frame.x0 - 8, y + 4, fmt(tick), "tick", "end"))
    mid = (frame.y0 + frame.y1) / 2
    parts.append(
        f'<text class="label" x="16" y="{mid:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {mid:.1f})">{esc(label)}</text>'
    )
    return parts


def svg(frame: Frame, title: str, parts: Sequence[str], chart: str) -> str:
    """A responsive `<svg>` with a title (shown, and read by screen readers)."""
    return (
        f'<svg class="chart" data-chart="{esc(chart)}" '
        f'viewBox="0 0 {frame.width:g} {frame.height:g}" '
        f'role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>'
        + text(frame.left, 22, title, "title")
        + "".join(parts)
        + "</svg>"
    )
