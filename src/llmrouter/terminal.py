"""Terminal output of the CLI (check, demo, and later eval and report), through rich.

One place decides how output looks: tables fit the terminal's width (`COLUMNS` when set, 80
when the output is not a terminal), colour and styles only on a TTY (and never with
`NO_COLOR`), plain ASCII without trailing spaces when piped, so `llmrouter check cfg.yaml >
out.txt` is plain text. rich is imported here only, when a command prints.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

__all__ = ["Style", "Terminal", "render_plain"]

_MIN_WRAP_WIDTH = 12  # a column that wraps keeps at least this much room (or its longest cell)
_PLAIN_BOX = "    \n    \n -- \n    \n    \n    \n    \n    \n"


class Style:
    """Names of the few styles the CLI uses (ignored when the output is not a terminal)."""

    OK = "green"
    BAD = "bold red"
    WARN = "yellow"
    DIM = "dim"
    TITLE = "bold"


class Terminal:
    """Where a command prints: styled on a TTY, plain otherwise; tables fit the width."""

    def __init__(self, file: TextIO | None = None, *, width: int | None = None) -> None:
        from rich.console import Console

        out = file or sys.stdout
        self.is_tty = bool(getattr(out, "isatty", None) and out.isatty())
        columns = width or _env_columns()
        self.console: Console = Console(
            file=out,
            width=columns if columns or self.is_tty else 80,
            force_terminal=self.is_tty,
            no_color=not self.is_tty or "NO_COLOR" in os.environ,
            color_system="auto" if self.is_tty else None,
            highlight=False,
            emoji=False,
            markup=False,
        )

    @property
    def width(self) -> int:
        return self.console.width

    def print(self, renderable: RenderableType, style: str | None = None) -> None:
        """Print text or a table; when piped, trailing spaces are trimmed from every line.
        Text is never cut into lines (a problem stays one greppable line); tables fit."""
        soft = isinstance(renderable, str)
        if self.is_tty:
            self.console.print(renderable, style=style, soft_wrap=soft)
            return
        with self.console.capture() as captured:
            self.console.print(renderable, soft_wrap=soft)
        lines = captured.get().splitlines()
        self.console.file.write("".join(line.rstrip() + "\n" for line in lines))
        self.console.file.flush()

    def write(self, text: str, style: str | None = None) -> None:
        """Text without a line break (a stream's chunks as they arrive)."""
        self.console.print(text, style=style, end="", soft_wrap=True)
        self.console.file.flush()

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        title: str | None = None,
        no_wrap: Sequence[int] = (),
    ) -> None:
        """A borderless table with a rule under the header; columns listed in `no_wrap` keep
        their values on one line (names, numbers), the others fold to fit the width."""
        from rich import box
        from rich.table import Table

        plain = not self.is_tty
        table = Table(
            title=title,
            title_justify="left",
            title_style=None if plain else Style.TITLE,
            box=box.Box(_PLAIN_BOX, ascii=True) if plain else box.SIMPLE_HEAD,
            header_style=None if plain else Style.TITLE,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
        for index, header in enumerate(headers):
            longest = max([len(header), *(len(row[index]) for row in cells)])
            table.add_column(
                header,
                no_wrap=index in no_wrap,
                overflow="fold",
                min_width=None if index in no_wrap else min(longest, _MIN_WRAP_WIDTH),
            )
        for row in cells:
            table.add_row(*row)
        self.print(table)


def _env_columns() -> int | None:
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def render_plain(draw: Callable[[Terminal], None], width: int = 100) -> str:
    """The plain text `draw` prints on a `width`-column terminal that is not a TTY."""
    buffer = io.StringIO()
    draw(Terminal(buffer, width=width))
    return buffer.getvalue().rstrip("\n")
