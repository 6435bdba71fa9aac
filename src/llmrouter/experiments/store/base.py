"""The results store interface, shared by the SQLite and Redis stores."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from llmrouter.errors import ExperimentStoreError
from llmrouter.experiments.records import ResultRecord, RunInfo

__all__ = ["ResultStore", "translating"]


class ResultStore(Protocol):
    """Where result records are kept. Writing a record whose key (source, run, route, case,
    repeat) is already stored replaces it, so writing the same results twice is harmless.
    Stores connect on first use; every failure is an `ExperimentStoreError`."""

    @property
    def name(self) -> str:
        """The store's URL without credentials."""
        ...

    async def add_run(self, run: RunInfo) -> None: ...

    async def add(self, records: Sequence[ResultRecord]) -> None: ...

    async def runs(self) -> list[RunInfo]:
        """Every run, oldest first."""
        ...

    async def records(self, run_id: str) -> list[ResultRecord]: ...

    async def aclose(self) -> None: ...


@contextmanager
def translating(store: str, errors: tuple[type[BaseException], ...]) -> Iterator[None]:
    """Re-raise the store library's `errors` as `ExperimentStoreError` naming the store."""
    try:
        yield
    except errors as exc:
        raise ExperimentStoreError(f"{type(exc).__name__}: {exc}", store=store) from exc
