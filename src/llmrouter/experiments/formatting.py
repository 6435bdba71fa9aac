"""How figures are written, the same in the terminal and in the HTML report."""

from __future__ import annotations

import math

from llmrouter.experiments.summary import RouteSummary

__all__ = ["ci", "error_kinds", "money", "pct", "seconds"]


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def ci(bounds: tuple[float, float]) -> str:
    lo, hi = bounds
    return f"{lo * 100:.1f}-{hi * 100:.1f}%"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def money(value: float) -> str:
    """`$1,234.56`, `$0.1234`, or three significant digits below a cent (`$0.0000412`)."""
    if value == 0:
        return "$0"
    if value >= 1:
        return f"${value:,.2f}"
    if value >= 0.01:
        return f"${value:.4f}"
    return f"${value:.{2 - math.floor(math.log10(value))}f}"


def error_kinds(summary: RouteSummary) -> str:
    """`unavailable 3, timeout 1`, most frequent first."""
    ranked = sorted(summary.errors_by_kind.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{kind} {count}" for kind, count in ranked)
