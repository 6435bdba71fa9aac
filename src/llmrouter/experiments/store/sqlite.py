"""The SQLite results store (the default): one file, stdlib `sqlite3`, WAL journal so a report
can read while an eval writes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from llmrouter.experiments.records import ResultRecord, RunInfo
from llmrouter.experiments.store.base import translating

__all__ = ["SCHEMA_VERSION", "SqliteStore"]

T = TypeVar("T")

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    routes TEXT NOT NULL,          -- JSON list, baseline first
    started_at REAL NOT NULL,
    label TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    source TEXT NOT NULL,          -- eval | shadow | canary
    run_id TEXT NOT NULL,
    route TEXT NOT NULL,
    case_id TEXT NOT NULL,
    repeat INTEGER NOT NULL,
    status TEXT NOT NULL,          -- ok | refused | error
    passed INTEGER NOT NULL,
    error_kind TEXT,
    checks TEXT NOT NULL,          -- JSON list of {name, passed, score, detail}
    latency_s REAL NOT NULL,
    cost_usd REAL NOT NULL,
    judge_cost_usd REAL NOT NULL,
    model TEXT,
    attempts INTEGER NOT NULL,
    case_hash TEXT NOT NULL,
    at REAL NOT NULL,
    answer TEXT,
    PRIMARY KEY (source, run_id, route, case_id, repeat)
);
CREATE INDEX IF NOT EXISTS results_by_run ON results (run_id);
"""
_COLUMNS = (
    "source, run_id, route, case_id, repeat, status, passed, error_kind, checks, latency_s, "
    "cost_usd, judge_cost_usd, model, attempts, case_hash, at, answer"
)
_NAMES = [c.strip() for c in _COLUMNS.split(",")]


def _row(record: ResultRecord) -> tuple[Any, ...]:
    data = record.model_dump(mode="json")
    data["checks"] = json.dumps(data["checks"], ensure_ascii=False)
    data["passed"] = int(record.passed)
    return tuple(data[name] for name in _NAMES)


def _record(row: Sequence[Any]) -> ResultRecord:
    data = dict(zip(_NAMES, row, strict=True))
    data["checks"] = json.loads(data["checks"])
    data["passed"] = bool(data["passed"])
    return ResultRecord.model_validate(data)


class SqliteStore:
    """Results in a SQLite file, created with its tables on first use."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"sqlite:///{self._path}"

    def __repr__(self) -> str:
        return f"SqliteStore({str(self._path)!r})"

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self._path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                conn.close()
                raise sqlite3.DatabaseError(
                    f"written by a newer llmrouter (schema {version}); upgrade llmrouter"
                )
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn = conn
        return self._conn

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def locked() -> T:
            with self._lock, translating(self.name, (sqlite3.Error, OSError)):
                return work(self._connect())

        return await asyncio.to_thread(locked)

    async def add_run(self, run: RunInfo) -> None:
        def work(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)",
                    (run.run_id, run.source, json.dumps(run.routes), run.started_at, run.label),
                )

        await self._run(work)

    async def add(self, records: Sequence[ResultRecord]) -> None:
        if not records:
            return
        rows = [_row(r) for r in records]
        marks = ", ".join("?" * len(_NAMES))

        def work(conn: sqlite3.Connection) -> None:
            with conn:
                conn.executemany(
                    f"INSERT OR REPLACE INTO results ({_COLUMNS}) VALUES ({marks})", rows
                )

        await self._run(work)

    async def runs(self) -> list[RunInfo]:
        def work(conn: sqlite3.Connection) -> list[RunInfo]:
            rows = conn.execute(
                "SELECT run_id, source, routes, started_at, label FROM runs ORDER BY started_at"
            ).fetchall()
            return [
                RunInfo(
                    run_id=r[0],
                    source=r[1],
                    routes=tuple(json.loads(r[2])),
                    started_at=r[3],
                    label=r[4],
                )
                for r in rows
            ]

        return await self._run(work)

    async def records(self, run_id: str) -> list[ResultRecord]:
        def work(conn: sqlite3.Connection) -> list[ResultRecord]:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM results WHERE run_id = ? ORDER BY rowid", (run_id,)
            ).fetchall()
            return [_record(r) for r in rows]

        return await self._run(work)

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.to_thread(conn.close)
