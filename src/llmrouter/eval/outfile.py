"""The `--out` results file: append-only JSONL, each line fsync'd before its result counts as
done, so a run killed at any moment resumes from it.

The first line is `{"run": {...}}` (the run id and its routes); every other line is one
result record. A line torn by a kill (no final newline) is cut off when the file is opened.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from llmrouter.errors import EvalInputError
from llmrouter.experiments.records import ResultRecord, RunInfo

__all__ = ["ResultsFile", "read_results"]


def _cut_torn_tail(path: Path) -> bytes:
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        with path.open("r+b") as file:
            file.truncate(len(data))
            file.flush()
            os.fsync(file.fileno())
    return data


def read_results(path: str | Path) -> tuple[RunInfo | None, list[ResultRecord]]:
    """The run and the records of a results file (none when it does not exist). A later
    record of the same key replaces an earlier one."""
    file = Path(path)
    if not file.exists():
        return None, []
    try:
        data = _cut_torn_tail(file)
    except OSError as exc:
        raise EvalInputError([f"{file}: cannot read results: {exc.strerror or exc}"]) from None
    run: RunInfo | None = None
    records: dict[tuple[object, ...], ResultRecord] = {}
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if isinstance(item, dict) and "run" in item:
                run = RunInfo.model_validate(item["run"])
                continue
            record = ResultRecord.model_validate(item)
        except (ValueError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "not JSON"
            raise EvalInputError(
                [f"{file}:{number}: not an llmrouter eval result ({reason})"]
            ) from None
        records[record.key] = record
    return run, list(records.values())


class ResultsFile:
    """Appends records; `append` returns once the line is on disk. Lines completed while a
    write is in flight share the next write and fsync (group commit)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] | None = None
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    def open(self, run: RunInfo, *, new: bool) -> None:
        """Open for appending; a new file starts with the run line."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab")
            if new:
                self._write([json.dumps({"run": run.model_dump(mode="json")}).encode() + b"\n"])
        except OSError as exc:
            raise EvalInputError(
                [f"{self.path}: cannot write results: {exc.strerror or exc}"]
            ) from None

    def _write(self, lines: list[bytes]) -> None:
        assert self._file is not None, "ResultsFile.open() first"
        self._file.write(b"".join(lines))
        self._file.flush()
        os.fsync(self._file.fileno())

    async def append(self, record: ResultRecord) -> None:
        """Write one record and wait until it is durable."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((record.model_dump_json().encode() + b"\n", done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        await done

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self._write, [line for line, _ in batch])
            except OSError as exc:
                error = EvalInputError([f"{self.path}: cannot write results: {exc.strerror}"])
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def aclose(self) -> None:
        if self._flusher is not None:
            await self._flusher
        if self._file is not None:
            self._file.close()
            self._file = None
