"""Plain-text tables for the terminal (the CLI's only output format)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["render_table"]


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], indent: int = 2) -> str:
    """Left-aligned columns separated by two spaces, with a rule under the header."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    pad = " " * indent

    def line(row: Sequence[str]) -> str:
        return pad + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    rule = pad + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])
