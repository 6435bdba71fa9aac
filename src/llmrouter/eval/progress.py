"""Progress of a run on standard error: a live bar with rate and ETA on a terminal, a plain
line every tenth of the run (and at the end) otherwise."""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import IO, Any, Protocol

from llmrouter.experiments.records import ResultRecord

__all__ = ["NoProgress", "PlainProgress", "Progress", "RichProgress", "progress_for"]


class Progress(Protocol):
    """What a run reports as results complete."""

    def start(self, total: int, done: int) -> None:
        """`total` results planned, `done` of them already in the results file."""
        ...

    def advance(self, record: ResultRecord) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """Reports nothing (the Python API's default)."""

    def start(self, total: int, done: int) -> None:
        pass

    def advance(self, record: ResultRecord) -> None:
        pass

    def finish(self) -> None:
        pass


def _tally(counts: Counter[str]) -> str:
    return (
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['refused']} refused, "
        f"{counts['error']} errors"
    )


def _short_tally(counts: Counter[str]) -> str:
    """Only what happened: `7 passed, 2 failed, 1 errors`."""
    names = ("passed", "failed", "refused", "error")
    return ", ".join(
        f"{counts[n]} {'errors' if n == 'error' else n}"
        for n in names
        if counts[n] or n == "passed"
    )


def _count(counts: Counter[str], record: ResultRecord) -> None:
    if record.status != "ok":
        counts[record.status] += 1
    else:
        counts["passed" if record.passed else "failed"] += 1


class PlainProgress:
    """`eval: 200/2000 (10%) 85.2/s eta 21s: 180 passed, ...` lines, for logs and CI."""

    def __init__(self, stream: IO[str] | None = None, clock: Any = time.monotonic) -> None:
        self._stream = stream or sys.stderr
        self._clock = clock
        self._total = self._done = self._resumed = 0
        self._next = 0
        self._started = 0.0
        self._counts: Counter[str] = Counter()

    def start(self, total: int, done: int) -> None:
        self._total, self._done, self._resumed = total, done, done
        self._started = self._clock()
        self._step = max(1, total // 10)
        self._next = done + self._step
        resumed = f", {done} already in the results file" if done else ""
        print(f"eval: {total} results to make{resumed}", file=self._stream, flush=True)

    def advance(self, record: ResultRecord) -> None:
        self._done += 1
        _count(self._counts, record)
        if self._done >= self._next and self._done < self._total:
            self._line()
            self._next += self._step

    def _line(self) -> None:
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = (self._done - self._resumed) / elapsed
        left = self._total - self._done
        eta = f" eta {left / rate:.0f}s" if rate > 0 and left else ""
        share = self._done / self._total if self._total else 1.0
        print(
            f"eval: {self._done}/{self._total} ({share:.0%}) {rate:.1f}/s{eta}: "
            + _tally(self._counts),
            file=self._stream,
            flush=True,
        )

    def finish(self) -> None:
        self._line()


class RichProgress:
    """A live bar: done/total, percentage, results per second, time left and the tally."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        from rich.console import Console

        self._console = Console(file=stream or sys.stderr)
        self._progress: Any = None
        self._task: Any = None
        self._counts: Counter[str] = Counter()

    def start(self, total: int, done: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]eval"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[tally]}"),
            console=self._console,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("eval", total=total, rate="", tally="")
        # Resumed results are not part of the rate: the bar starts there, its clock at zero.
        self._progress.reset(self._task, completed=done, rate="", tally="")

    def advance(self, record: ResultRecord) -> None:
        _count(self._counts, record)
        task = self._progress.tasks[0]
        speed = task.speed
        rate = f"{speed:.1f}/s" if speed else ""
        self._progress.update(self._task, advance=1, rate=rate, tally=_short_tally(self._counts))

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def progress_for(stream: IO[str] | None = None) -> Progress:
    """A live bar when `stream` (standard error by default) is a terminal, else plain lines."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return RichProgress(stream) if isatty is not None and isatty() else PlainProgress(stream)
