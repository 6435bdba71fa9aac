"""Canary state shared through the `state:` store (the Redis that budgets, breakers and blocks
share), so every router and gateway worker on it rolls a canary back together, a rollback
survives restarts, and `min_samples` counts the samples of all of them.

Two hashes, in the manner of `llmrouter.datapolicy.blocks`:

- `<namespace>:canary:rollbacks`: field `<route>:<fingerprint>` (the fingerprint hashes the
  canary's settings: a changed canary starts afresh), value JSON `{"model", "reason", "at",
  "by"}`; written by the router that rolled back, read by all at each sync;
- `<namespace>:canary:samples:<route>:<fingerprint>`: field = one router's token, value its
  samples so far (JSON per side: counts and latency histogram); each router writes its own
  field at each sync and sums the others'.

The store is read and written in the background only (every `state.sync_s`; a rollback is
written at once, in its own task). Without a store everything stays in this process. While
the store is unreachable, the rollbacks made here are kept and written when it answers again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from llmrouter.state.base import Store

__all__ = ["CanaryBoard", "Shared"]

logger = logging.getLogger("llmrouter")


@dataclass(frozen=True)
class Shared:
    """What one sync read: every rollback recorded, and the other routers' samples."""

    rollbacks: dict[str, bytes]
    samples: dict[str, list[bytes]]


class CanaryBoard:
    """This router's window onto the shared canary state."""

    def __init__(self, store: Store | None, *, namespace: str, token: str | None = None) -> None:
        self.store = store
        self._rollbacks = f"{namespace}:canary:rollbacks"
        self._samples = f"{namespace}:canary:samples:"
        self.token = token or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        """This router's field in the samples hashes."""
        self._pending: dict[str, bytes] = {}
        """Rollbacks made here that the store has not taken yet."""
        self._written: dict[str, bytes] = {}
        self._down = False

    @property
    def shared(self) -> bool:
        return self.store is not None

    def rolled_back(self, key: str, value: bytes) -> None:
        """Record a rollback made here (written at the next `exchange`)."""
        self._pending[key] = value

    async def exchange(self, snapshots: Mapping[str, bytes]) -> Shared | None:
        """Write the pending rollbacks and this router's samples of each canary (`key ->
        JSON`), then read every rollback and the other routers' samples; None when the store
        cannot be reached (or there is none)."""
        store = self.store
        if store is None:
            return None
        for key, value in list(self._pending.items()):
            if not await store.hset(self._rollbacks, key, value):
                self._outage()
                return None
            if self._pending.get(key) is value:
                del self._pending[key]
        samples: dict[str, list[bytes]] = {}
        for key, value in snapshots.items():
            field = self._samples + key
            if self._written.get(key) != value:
                if not await store.hset(field, self.token, value):
                    self._outage()
                    return None
                self._written[key] = value
            read = await store.hgetall(field)
            if read is None:
                self._outage()
                return None
            samples[key] = [v for k, v in read.items() if k != self.token]
        rollbacks = await store.hgetall(self._rollbacks)
        if rollbacks is None:
            self._outage()
            return None
        if self._down:
            self._down = False
            logger.info("llmrouter: canaries: shared state reachable again")
        return Shared(rollbacks, samples)

    def _outage(self) -> None:
        if not self._down:
            self._down = True
            logger.warning(
                "llmrouter: canaries: shared state unreachable; each router judges its own "
                "samples and %d rollbacks made here wait to be written",
                len(self._pending),
            )
        return None
