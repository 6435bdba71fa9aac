"""Canary state shared through the `state:` store (the Redis that budgets, breakers and blocks
share), so every router and gateway worker on it rolls a canary back together, a rollback
survives restarts, and `min_samples` counts the samples of all of them.

Two hashes, in the manner of `llmrouter.datapolicy.blocks`:

- `<namespace>:canary:rollbacks`: field `<route>:<fingerprint>` (the fingerprint hashes the
  canary's settings: a changed canary starts afresh), value JSON `{"model", "reason", "at",
  "by"}`; written by the router that rolled back, read by all at each sync;
- `<namespace>:canary:samples:<route>:<fingerprint>`: field = one router's token, value its
  samples so far (JSON per side: counts and latency histogram); each router writes its own
  field at each sync and sums the others';
- `<namespace>:canary:resets`: field `<route>:<fingerprint>`, value the canary's current epoch
  (JSON `{"at", "by"}`), written by `llmrouter canary reset` or `router.reset_canary`. A
  router that reads a new epoch resumes the canary with no samples; samples and rollbacks are
  tagged with the epoch they were made in, and those of another epoch are ignored, so a router
  that has not synced yet cannot roll the reset canary back with its old figures.

The store is read and written in the background only (every `state.sync_s`; a rollback is
written at once, in its own task). Without a store everything stays in this process. While
the store is unreachable, the rollbacks made here are kept and written when it answers again.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

from llmrouter.state.base import Store

__all__ = ["CanaryBoard", "Shared", "decode_rollback", "epoch_of", "new_epoch"]

logger = logging.getLogger("llmrouter")


@dataclass(frozen=True)
class Shared:
    """What one sync read: every rollback recorded, and the other routers' samples."""

    rollbacks: dict[str, bytes]
    samples: dict[str, list[bytes]]
    resets: dict[str, bytes] = field(default_factory=dict)
    """Each reset canary's epoch (raw, as `epoch_of` reads it)."""


def new_epoch(by: str, at: float) -> str:
    """A fresh epoch: who reset the canary, and when (Unix time)."""
    return json.dumps({"at": at, "by": by, "n": secrets.token_hex(4)}, sort_keys=True)


def epoch_of(raw: bytes | None) -> str:
    """The epoch of a `resets` value (`""`: never reset)."""
    return raw.decode("utf-8", "replace") if raw else ""


def decode_rollback(raw: bytes) -> tuple[str, float | None, str]:
    """A shared rollback: its reason, Unix time and epoch (`""` for one made before any
    reset, or by a router that knows none)."""
    try:
        data = json.loads(raw)
        return str(data["reason"]), float(data["at"]), str(data.get("epoch", ""))
    except (ValueError, TypeError, KeyError, AttributeError):
        return "(unreadable reason in the shared state)", None, ""


class CanaryBoard:
    """This router's window onto the shared canary state."""

    def __init__(self, store: Store | None, *, namespace: str, token: str | None = None) -> None:
        self.store = store
        self._rollbacks = f"{namespace}:canary:rollbacks"
        self._samples = f"{namespace}:canary:samples:"
        self._resets = f"{namespace}:canary:resets"
        self.token = token or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        """This router's field in the samples hashes."""
        self._pending: dict[str, bytes] = {}
        """Rollbacks made here that the store has not taken yet."""
        self._pending_resets: dict[str, str] = {}
        self._written: dict[str, bytes] = {}
        self._down = False

    @property
    def shared(self) -> bool:
        return self.store is not None

    def rolled_back(self, key: str, value: bytes) -> None:
        """Record a rollback made here (written at the next `exchange`)."""
        self._pending[key] = value

    def reset_here(self, key: str, epoch: str) -> None:
        """Record a reset made here (written at the next `exchange`, or by `reset`)."""
        self._pending_resets[key] = epoch
        self._pending.pop(key, None)  # a rollback of the old epoch is moot

    async def reset(self, key: str, epoch: str, *, clear_samples: bool = True) -> bool:
        """Start canary `key` afresh in the store: `epoch` written, its rollback (and every
        router's samples: ignored anyway, being of another epoch) removed; False (nothing or
        part done) when it cannot be reached."""
        store = self.store
        if store is None or not await store.hset(self._resets, key, epoch.encode()):
            return False
        if self._pending_resets.get(key) == epoch:
            del self._pending_resets[key]
        if not await store.hdel(self._rollbacks, key):
            return False
        if not clear_samples:
            return True
        samples = await store.hgetall(self._samples + key)
        if samples is None:
            return False
        for token in samples:
            if not await store.hdel(self._samples + key, token):
                return False
        self._written.pop(key, None)
        return True

    async def read(self, key: str) -> Shared | None:
        """What the store holds of canary `key` (every router's samples), for the CLI; None
        when it cannot be reached."""
        store = self.store
        if store is None:
            return None
        rollbacks = await store.hgetall(self._rollbacks)
        resets = await store.hgetall(self._resets)
        samples = await store.hgetall(self._samples + key)
        if rollbacks is None or resets is None or samples is None:
            return None
        return Shared(rollbacks, {key: list(samples.values())}, resets)

    async def exchange(self, snapshots: Mapping[str, bytes]) -> Shared | None:
        """Write the pending rollbacks and this router's samples of each canary (`key ->
        JSON`), then read every rollback and the other routers' samples; None when the store
        cannot be reached (or there is none)."""
        store = self.store
        if store is None:
            return None
        for key, epoch in list(self._pending_resets.items()):
            if not await self.reset(key, epoch, clear_samples=False):
                self._outage()
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
        resets = await store.hgetall(self._resets)
        if rollbacks is None or resets is None:
            self._outage()
            return None
        if self._down:
            self._down = False
            logger.info("llmrouter: canaries: shared state reachable again")
        return Shared(rollbacks, samples, resets)

    def _outage(self) -> None:
        if not self._down:
            self._down = True
            logger.warning(
                "llmrouter: canaries: shared state unreachable; each router judges its own "
                "samples and %d rollbacks made here wait to be written",
                len(self._pending),
            )
        return None
