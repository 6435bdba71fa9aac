"""Progress: plain lines off a terminal, a live bar with rate and ETA on one."""

from __future__ import annotations

import io
import re

from llmrouter.eval import PlainProgress, RichProgress, progress_for
from llmrouter.experiments import ResultRecord


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(passed: bool) -> ResultRecord:
    return ResultRecord(run_id="r", route="a", case_id="c", status="ok", passed=passed)


def test_plain_progress_prints_a_line_every_tenth_with_rate_and_eta() -> None:
    out, clock = io.StringIO(), FakeClock()
    progress = PlainProgress(out, clock=clock)
    progress.start(total=100, done=20)
    for i in range(80):
        clock.now += 0.5
        progress.advance(_record(passed=i % 4 != 0))
    progress.finish()
    lines = out.getvalue().splitlines()
    assert lines[0] == "eval: 100 results to make, 20 already in the results file"
    assert lines[1] == "eval: 30/100 (30%) 2.0/s eta 35s: 7 passed, 3 failed, 0 refused, 0 errors"
    assert lines[-1] == "eval: 100/100 (100%) 2.0/s: 60 passed, 20 failed, 0 refused, 0 errors"
    assert len(lines) == 1 + 7 + 1  # start, 30% to 90%, the end


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_the_live_bar() -> None:
    stream = Terminal()
    progress = progress_for(stream)
    assert isinstance(progress, RichProgress)
    progress.start(total=10, done=0)
    for _ in range(10):
        progress.advance(_record(passed=True))
    progress.finish()
    raw = stream.getvalue()
    assert "\x1b[" in raw  # drawn with terminal control codes
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    assert "10/10" in text and "/s" in text and "eta" in text and "10 passed" in text
    assert isinstance(progress_for(io.StringIO()), PlainProgress)
