"""What `llmrouter canary status|reset ROUTE` do: a route's canary in the config's shared
`state:` (the Redis its routers and gateway workers share; `llmrouter.qualify.board`).

`status` shows whether the canary is rolled back (why, when) and the samples every router
published since its last reset. `reset` starts a new epoch: the rollback and the samples are
removed, and each router resumes the canary from no samples at its next sync (within
`state.sync_s`). Each function returns `(text, exit code)`: 0 done, 1 the shared state cannot
be reached, 2 the config is broken, has no shared state or the route no canary.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass

from llmrouter.config.loader import LoadedConfig, suggest
from llmrouter.config.qualify import CanaryConfig
from llmrouter.datapolicy.admin import CLI_TIMEOUT_S, Refused, shared_state
from llmrouter.qualify.board import CanaryBoard, Shared, decode_rollback, epoch_of, new_epoch
from llmrouter.qualify.setup import fingerprint
from llmrouter.qualify.window import Side, pooled
from llmrouter.state.redis import RedisStore

__all__ = ["canary_reset_command", "canary_status_command"]

EXIT_OK, EXIT_UNREACHABLE, EXIT_REFUSED = 0, 1, 2
_NO_STATE = (
    "a canary's rollback is then held by each router process until it restarts (or until "
    "`await router.reset_canary(route)` in that process). Add `state: {backend: redis, "
    "url: ...}` to share canaries between routers."
)


@dataclass(frozen=True)
class _Canary:
    loaded: LoadedConfig
    route: str
    config: CanaryConfig
    board: CanaryBoard
    store: RedisStore
    where: str

    @property
    def key(self) -> str:
        return f"{self.route}:{fingerprint(self.config)}"

    @property
    def name(self) -> str:
        return (
            f"canary {self.config.model} on route {self.route} "
            f"(canary-{self.route}-{fingerprint(self.config)})"
        )


def _open(path: str, route: str, env: Mapping[str, str] | None) -> _Canary:
    loaded, url, where = shared_state(path, env, no_state=_NO_STATE)
    routes = loaded.config.routes
    found = routes.get(route)
    if found is None or found.canary is None:
        with_canary = [name for name, r in routes.items() if r.canary is not None]
        hint = suggest(route, with_canary)
        raise Refused(
            f"{path}: route {route!r} has no canary"
            + (f"; did you mean {hint!r}?" if hint else "")
            + f" (routes with one: {', '.join(with_canary) or 'none'})",
            EXIT_REFUSED,
        )
    state = loaded.config.state
    store = RedisStore(url, timeout_s=CLI_TIMEOUT_S, trip_s=min(state.trip_s, state.sync_s))
    token = f"cli:{socket.gethostname()}:{os.getpid()}"
    board = CanaryBoard(store, namespace=state.namespace, token=token)
    return _Canary(loaded, route, found.canary, board, store, where)


def _when(at: float | None) -> str:
    return "an unknown time" if at is None else time.strftime("%Y-%m-%d %H:%MZ", time.gmtime(at))


def _state_line(canary: _Canary, shared: Shared) -> str:
    """`rolled back at ...: reason`, or `active`: a rollback of before the last reset (a
    router that had not synced yet) is ignored by the routers, so here too."""
    epoch = epoch_of(shared.resets.get(canary.key))
    raw = shared.rollbacks.get(canary.key)
    if raw is not None:
        reason, at, made_in = decode_rollback(raw)
        if made_in == epoch:
            return f"rolled back at {_when(at)}: {reason}"
    return "active (no rollback in the shared state)"


def _reset_line(shared: Shared, key: str) -> str:
    raw = shared.resets.get(key)
    if raw is None:
        return "never reset"
    try:
        data = json.loads(raw)
        return f"last reset at {_when(float(data['at']))} by {data['by']}"
    except (ValueError, TypeError, KeyError):
        return "last reset: unreadable"


def _side(name: str, side: Side) -> str:
    return f"{name} {side.n} ({side.errors} errors, {side.refusals} refusals)"


def _samples_line(canary: _Canary, shared: Shared) -> str:
    sides = pooled(shared.samples.get(canary.key, ()), epoch_of(shared.resets.get(canary.key)))
    return (
        f"samples published by the routers: {_side('canary', sides['canary'])}, "
        f"{_side('control', sides['control'])}; guardrails judged from {canary.config.min_samples} "
        "canary samples"
    )


async def canary_status_command(
    path: str, route: str, env: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """The canary of `route` as the shared state of the config at `path` holds it."""
    try:
        canary = _open(path, route, env)
    except Refused as refused:
        return refused.text, refused.code
    try:
        shared = await canary.board.read(canary.key)
    finally:
        await canary.store.aclose()
    if shared is None:
        return f"cannot reach the shared state at {canary.where}", EXIT_UNREACHABLE
    lines = [
        f"{canary.name} in {canary.where}:",
        f"  {_state_line(canary, shared)}",
        f"  {_samples_line(canary, shared)}",
        f"  {_reset_line(shared, canary.key)}",
    ]
    return "\n".join(lines), EXIT_OK


async def canary_reset_command(
    path: str, route: str, env: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """Reset the canary of `route` in the shared state of the config at `path`: every router
    sharing it resumes the canary, from no samples, within `state.sync_s`."""
    try:
        canary = _open(path, route, env)
    except Refused as refused:
        return refused.text, refused.code
    board = canary.board
    try:
        before = await board.read(canary.key)
        done = before is not None and await board.reset(
            canary.key, new_epoch(board.token, time.time())
        )
    finally:
        await canary.store.aclose()
    if before is None or not done:
        return (
            f"cannot write to the shared state at {canary.where}; the reset is not done (or "
            "not wholly): run it again"
        ), EXIT_UNREACHABLE
    sync_s = canary.loaded.config.state.sync_s
    return (
        f"reset {canary.name} (was: {_state_line(canary, before)})\n"
        f"  every router sharing {canary.where} resumes it within {sync_s:g}s, from no samples"
    ), EXIT_OK
