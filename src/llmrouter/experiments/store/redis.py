"""The Redis results store (`experiments.store: redis://...`, `pip install 'llmrouter[redis]'`).

Keys: `<namespace>:experiments:runs`, a hash of run id -> run (JSON), and
`<namespace>:experiments:results:<run id>`, a hash of record key -> record (JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from llmrouter.experiments.records import ResultRecord, RunInfo
from llmrouter.experiments.store.base import translating
from llmrouter.state.redis import display_url

__all__ = ["RedisResultStore"]

TIMEOUT_S = 5.0


class RedisResultStore:
    """Results in Redis hashes; connects on first use."""

    def __init__(self, url: str, namespace: str = "llmrouter") -> None:
        try:
            import redis.asyncio  # noqa: F401 - fail now, with the install hint
        except ImportError:
            raise ImportError(
                "a redis experiments store needs redis-py: pip install 'llmrouter[redis]'"
            ) from None
        self._url = url
        self._prefix = f"{namespace}:experiments"
        self._client: Any = None

    @property
    def name(self) -> str:
        return display_url(self._url)

    def __repr__(self) -> str:
        return f"RedisResultStore({self.name!r})"

    def _redis(self) -> Any:
        if self._client is None:
            from redis.asyncio import Redis

            self._client = Redis.from_url(
                self._url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
            )
        return self._client

    def _errors(self) -> tuple[type[BaseException], ...]:
        from redis.exceptions import RedisError

        return (RedisError, OSError)

    async def add_run(self, run: RunInfo) -> None:
        with translating(self.name, self._errors()):
            await self._redis().hset(f"{self._prefix}:runs", run.run_id, run.model_dump_json())

    async def add(self, records: Sequence[ResultRecord]) -> None:
        if not records:
            return
        with translating(self.name, self._errors()):
            async with self._redis().pipeline(transaction=False) as pipe:
                for record in records:
                    field = json.dumps([record.source, record.route, record.case_id, record.repeat])
                    pipe.hset(
                        f"{self._prefix}:results:{record.run_id}", field, record.model_dump_json()
                    )
                await pipe.execute()

    async def runs(self) -> list[RunInfo]:
        with translating(self.name, self._errors()):
            raw = await self._redis().hgetall(f"{self._prefix}:runs")
        runs = [RunInfo.model_validate_json(value) for value in raw.values()]
        return sorted(runs, key=lambda run: run.started_at)

    async def records(self, run_id: str) -> list[ResultRecord]:
        with translating(self.name, self._errors()):
            raw = await self._redis().hgetall(f"{self._prefix}:results:{run_id}")
        records = [ResultRecord.model_validate_json(value) for value in raw.values()]
        return sorted(records, key=lambda r: r.at)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
