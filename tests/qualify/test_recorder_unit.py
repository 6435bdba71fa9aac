"""The result writer: batches in the background, keeps results while the store fails (and
logs it once), bounds what it keeps, and writes the rest on close."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import pytest

from llmrouter.errors import ExperimentStoreError
from llmrouter.experiments.records import ResultRecord, RunInfo
from llmrouter.qualify import recorder
from llmrouter.qualify.recorder import ResultWriter

RUN = RunInfo(run_id="shadow-chat-1", source="shadow", routes=("chat", "glm"))


def result(n: int) -> ResultRecord:
    return ResultRecord(
        source="shadow", run_id=RUN.run_id, route="glm", case_id=str(n), status="ok", passed=True
    )


class Store:
    name = "memory://"

    def __init__(self) -> None:
        self.down = False
        self.added_runs: list[RunInfo] = []
        self.rows: list[ResultRecord] = []
        self.closed = False

    async def add_run(self, run: RunInfo) -> None:
        self._check()
        self.added_runs.append(run)

    async def add(self, records: Sequence[ResultRecord]) -> None:
        self._check()
        self.rows.extend(records)

    async def runs(self) -> list[RunInfo]:  # pragma: no cover - not read here
        return self.added_runs

    async def records(self, run_id: str) -> list[ResultRecord]:  # pragma: no cover
        return self.rows

    async def aclose(self) -> None:
        self.closed = True

    def _check(self) -> None:
        if self.down:
            raise ExperimentStoreError("ConnectionError: refused", store=self.name)


async def test_results_are_written_in_batches_and_kept_while_the_store_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = Store()
    writer = ResultWriter(store, flush_s=0.01)
    store.down = True
    with caplog.at_level(logging.WARNING, logger="llmrouter"):
        writer.add(RUN, [result(1), result(2)])
        await asyncio.sleep(0.05)
        writer.add(RUN, [result(3)])
        await asyncio.sleep(0.05)
    assert store.rows == [] and len([r for r in caplog.records if "cannot write" in r.message]) == 1
    store.down = False
    await asyncio.sleep(0.05)
    assert [r.case_id for r in store.rows] == ["1", "2", "3"] and store.added_runs == [RUN]
    writer.add(RUN, [result(4)])
    await writer.aclose()
    assert [r.case_id for r in store.rows][-1] == "4" and store.closed and writer.lost == 0


async def test_what_the_store_cannot_take_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder, "MAX_PENDING", 5)
    store = Store()
    store.down = True
    writer = ResultWriter(store, flush_s=10)
    writer.add(RUN, [result(n) for n in range(8)])
    assert writer.lost == 3
    await writer.aclose()  # still down: the rest is lost, and counted
    assert writer.lost == 8 and store.rows == []
