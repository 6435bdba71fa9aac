"""Blocks: a vendor, provider, model or region taken out of routing at runtime, with a reason.

```python
blocks = BlockSet.from_state(config.state, url)      # shared when `state:` is redis
await blocks.start()                                 # first read, then every `sync_s`
await blocks.block(vendor="zhipu", reason="export review")
blocks.match(facts)                                  # the Block that stops a candidate, or None
```

Without a store the blocks live in this process. With one (the `state:` Redis) they are the
fields of one hash, `<namespace>:blocks`, field `<kind>:<value>`, value a JSON
`{"reason", "created_at"}`: a block made by any process or by `llmrouter block` reaches every
`BlockSet` sharing the store at its next sync, at most `sync_s` later, and a `BlockSet` started
later holds it from its first read. The store is read in the background only: `match` never
does I/O. While the store is unreachable the blocks last read stay in force (fail closed), the
outage is logged once, and changes made meanwhile apply here at once and are written when the
store answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, get_args

from llmrouter.config.schema import StateConfig
from llmrouter.datapolicy.facts import CandidateFacts
from llmrouter.errors import RequestValidationError
from llmrouter.state.base import Store

__all__ = ["Block", "BlockKind", "BlockSet", "selector"]

logger = logging.getLogger("llmrouter")

BlockKind = Literal["model", "provider", "vendor", "region"]
KINDS: tuple[BlockKind, ...] = get_args(BlockKind)


@dataclass(frozen=True, slots=True)
class Block:
    """One block: every candidate whose `kind` is `value` is skipped with `error="blocked"`."""

    kind: BlockKind
    value: str
    reason: str
    created_at: float
    """Unix time the block was made."""

    @property
    def field(self) -> str:
        """The block's field in the shared hash, `<kind>:<value>`."""
        return f"{self.kind}:{self.value}"

    def describe(self) -> str:
        """`vendor zhipu blocked: <reason>`: the skip's `detail`, starting with the rule."""
        return f"{self.kind} {self.value} blocked: {self.reason}"

    def encode(self) -> bytes:
        return json.dumps({"reason": self.reason, "created_at": self.created_at}).encode()

    @classmethod
    def decode(cls, field: str, raw: bytes) -> Block | None:
        """The block of one hash field; None for a field naming no known kind. An unreadable
        value still blocks (fail closed), with a reason saying so."""
        kind, sep, value = field.partition(":")
        if not sep or not value or kind not in KINDS:
            return None
        try:
            data = json.loads(raw)
            reason, created = str(data["reason"]), float(data["created_at"])
        except (ValueError, TypeError, KeyError):
            reason, created = "(unreadable reason in the shared state)", 0.0
        return cls(kind, value, reason, created)


def selector(
    *,
    vendor: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    region: str | None = None,
) -> tuple[BlockKind, str]:
    """The one `(kind, value)` named; `RequestValidationError` unless exactly one is."""
    named = [
        (kind, value)
        for kind, value in (
            ("model", model),
            ("provider", provider),
            ("vendor", vendor),
            ("region", region),
        )
        if value is not None
    ]
    if len(named) != 1:
        raise RequestValidationError(
            "block", "name exactly one of vendor=, provider=, model= or region="
        )
    kind, value = named[0]
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(kind, "must be a non-empty name")
    return kind, value.strip()  # type: ignore[return-value]


class BlockSet:
    """The blocks in force, kept in memory and, with a store, synced through it."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        namespace: str = "llmrouter",
        sync_s: float = 5.0,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        owns_store: bool = True,
    ) -> None:
        """`store=None` keeps blocks in this process; a shared `Store` shares them (closed by
        `aclose` unless `owns_store` is False: a Router's stores are closed by the Router)."""
        self._store = store
        self._owns_store = owns_store
        self._key = f"{namespace}:blocks"
        self._sync_s = sync_s
        self._now = wall_clock
        self._sleep = sleep
        self._blocks: dict[str, Block] = {}
        self._pending: dict[str, Block | None] = {}
        """Changes not yet written to the store (None: an unblock)."""
        self._down = False
        self._read_once = False
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_state(
        cls, state: StateConfig, url: str | None, *, timeout_s: float | None = None
    ) -> BlockSet:
        """Blocks over the `state:` backend: shared through Redis, else in this process.
        `timeout_s` overrides `state.timeout_ms` (the CLI waits longer than a request)."""
        if state.backend != "redis" or not url:
            return cls(namespace=state.namespace, sync_s=state.sync_s)
        from llmrouter.state.redis import RedisStore

        store = RedisStore(
            url,
            timeout_s=state.timeout_ms / 1000 if timeout_s is None else timeout_s,
            trip_s=min(state.trip_s, state.sync_s),
        )
        return cls(store, namespace=state.namespace, sync_s=state.sync_s)

    @property
    def shared(self) -> bool:
        """Whether blocks are shared through a store."""
        return self._store is not None

    @property
    def pending(self) -> int:
        """Changes made here that the store has not confirmed yet."""
        return len(self._pending)

    def __bool__(self) -> bool:
        return bool(self._blocks)

    def __len__(self) -> int:
        return len(self._blocks)

    def match(self, facts: CandidateFacts) -> Block | None:
        """The block that stops the candidate of `facts` (by model, provider, vendor, then
        region), or None. No I/O."""
        blocks = self._blocks
        if not blocks:
            return None
        return (
            blocks.get(f"model:{facts.model}")
            or blocks.get(f"provider:{facts.provider}")
            or blocks.get(f"vendor:{facts.vendor}")
            or (blocks.get(f"region:{facts.region}") if facts.region is not None else None)
        )

    def blocks(self) -> list[Block]:
        """Every block in force, oldest first."""
        return sorted(self._blocks.values(), key=lambda b: (b.created_at, b.field))

    async def block(
        self,
        *,
        reason: str,
        vendor: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        region: str | None = None,
    ) -> Block:
        """Block one vendor, provider, model or region; in force here at once, and written to
        the store (kept pending when it cannot be reached: see `pending`)."""
        kind, value = selector(vendor=vendor, provider=provider, model=model, region=region)
        if not isinstance(reason, str) or not reason.strip():
            raise RequestValidationError("reason", "say why (it is shown with every skip)")
        made = Block(kind, value, reason.strip(), self._now())
        self._blocks[made.field] = made
        self._pending[made.field] = made
        await self._flush()
        return made

    async def unblock(
        self,
        *,
        vendor: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        region: str | None = None,
    ) -> Block | None:
        """Lift a block; the block lifted, or None when there was none (as last read)."""
        kind, value = selector(vendor=vendor, provider=provider, model=model, region=region)
        field = f"{kind}:{value}"
        lifted = self._blocks.pop(field, None)
        self._pending[field] = None
        await self._flush()
        return lifted

    async def _flush(self) -> bool:
        """Write pending changes; False when the store could not take them all."""
        if self._store is None:
            self._pending.clear()
            return True
        for field, change in list(self._pending.items()):
            if change is None:
                written = await self._store.hdel(self._key, field)
            else:
                written = await self._store.hset(self._key, field, change.encode())
            if not written:
                self._outage()
                return False
            if self._pending.get(field) is change:
                del self._pending[field]
        return True

    async def sync(self) -> bool:
        """Write pending changes, then read every block from the store; False (and the blocks
        last read kept) when it cannot be reached."""
        if self._store is None:
            return True
        if not await self._flush():
            return False
        raw = await self._store.hgetall(self._key)
        if raw is None:
            self._outage()
            return False
        read = {}
        for field, value in raw.items():
            found = Block.decode(field, value)
            if found is not None:
                read[found.field] = found
        for field, change in self._pending.items():  # made while this read was in flight
            if change is None:
                read.pop(field, None)
            else:
                read[field] = change
        self._blocks = read
        self._read_once = True
        if self._down:
            self._down = False
            logger.info("llmrouter: blocks: shared state reachable again; %d in force", len(read))
        return True

    def _outage(self) -> None:
        if self._down:
            return
        self._down = True
        if self._read_once:
            logger.warning(
                "llmrouter: blocks: shared state unreachable; the %d blocks last read stay in "
                "force until it answers again",
                len(self._blocks),
            )
        else:
            logger.error(
                "llmrouter: blocks: shared state unreachable before any block was read; no "
                "shared block is known (%d made here) until it answers",
                len(self._blocks),
            )

    async def start(self) -> None:
        """Read the blocks once (awaited: they hold from the first request), then keep them
        in sync in the background, every `sync_s`. Idempotent."""
        if self._store is None or self._task is not None:
            return
        await self.sync()
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await self._sleep(self._sync_s)
            try:
                await self.sync()
            except Exception:  # the loop must outlive any surprise; blocks stay as they were
                logger.exception("llmrouter: blocks: sync failed; the blocks last read stay")

    async def aclose(self) -> None:
        """Stop syncing and close the store's connections."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._store is not None and self._owns_store:
            await self._store.aclose()
