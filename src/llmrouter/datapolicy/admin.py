"""What `llmrouter block`, `unblock` and `blocks` do: blocks in the config's shared `state:`.

Each function returns `(text, exit code)`: 0 done, 1 the shared state cannot be reached,
2 the config is broken or has no shared state (a block made here would reach no router).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from llmrouter.config.loader import LoadedConfig, load_file, suggest
from llmrouter.config.secrets import interpolate
from llmrouter.datapolicy.blocks import Block, BlockSet
from llmrouter.datapolicy.facts import facts_from_config
from llmrouter.errors import ConfigError, RequestValidationError
from llmrouter.state.redis import display_url
from llmrouter.terminal import render_plain

__all__ = [
    "Refused",
    "Selector",
    "block_command",
    "blocks_command",
    "shared_state",
    "unblock_command",
]

EXIT_OK = 0
EXIT_UNREACHABLE = 1
EXIT_REFUSED = 2
CLI_TIMEOUT_S = 2.0
"""A person waits for the answer: more patience than a request's `state.timeout_ms`."""


@dataclass(frozen=True)
class Selector:
    """`--vendor zhipu` is `Selector("vendor", "zhipu")`."""

    kind: str
    value: str

    def kwargs(self) -> dict[str, str]:
        return {self.kind: self.value}


class Refused(Exception):
    """The command cannot act: `text` says why, `code` is its exit code."""

    def __init__(self, text: str, code: int) -> None:
        super().__init__(text)
        self.text = text
        self.code = code


_NO_STATE_FOR_BLOCKS = (
    "blocks made here would reach no router. Add `state: {backend: redis, url: ...}` (the "
    "Redis every router of this config shares), or block in the process itself with "
    "`await router.block(...)`."
)


def shared_state(
    path: str, env: Mapping[str, str] | None, *, no_state: str
) -> tuple[LoadedConfig, str, str]:
    """The config at `path`, its `state:` Redis URL and that URL as it may be printed;
    `Refused` for a broken config or one without a shared state (`no_state` says why that
    matters to the command)."""
    try:
        loaded = load_file(path)
    except ConfigError as exc:
        raise Refused(str(exc), EXIT_REFUSED) from None
    state = loaded.config.state
    if state.backend != "redis" or not state.url:
        raise Refused(f"{path}: no shared state: {no_state}", EXIT_REFUSED)
    url, missing = interpolate(state.url, os.environ if env is None else env)
    if missing:
        raise Refused(f"{path}: state.url needs environment variable {missing[0]}", EXIT_REFUSED)
    return loaded, url, f"{display_url(url)} (namespace {state.namespace})"


async def _open(path: str, env: Mapping[str, str] | None) -> tuple[LoadedConfig, BlockSet, str]:
    """The config, its shared blocks (read once) and the store's printable URL."""
    loaded, url, where = shared_state(path, env, no_state=_NO_STATE_FOR_BLOCKS)
    blocks = BlockSet.from_state(loaded.config.state, url, timeout_s=CLI_TIMEOUT_S)
    if not await blocks.sync():
        await blocks.aclose()
        raise Refused(
            f"cannot reach the shared state at {where}; nothing changed", EXIT_UNREACHABLE
        )
    return loaded, blocks, where


def _stops(loaded: LoadedConfig, kind: str, value: str) -> list[str]:
    """The models of the config that a block of `kind` `value` takes out of routing."""
    return [m for m, f in facts_from_config(loaded.config).items() if getattr(f, kind) == value]


def _no_match_warning(loaded: LoadedConfig, selector: Selector) -> str:
    known = {str(getattr(f, selector.kind)) for f in facts_from_config(loaded.config).values()}
    hint = suggest(selector.value, known)
    return (
        f"warning: no model of {loaded.source} has {selector.kind} {selector.value!r}"
        + (f"; did you mean {hint!r}?" if hint else "")
        + " (done anyway: other configs may share this state)"
    )


async def block_command(
    path: str, selector: Selector, reason: str, env: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """Block `selector` in the shared state of the config at `path`."""
    try:
        loaded, blocks, where = await _open(path, env)
    except Refused as refused:
        return refused.text, refused.code
    try:
        made = await blocks.block(reason=reason, **selector.kwargs())
        if blocks.pending:
            return f"cannot write to the shared state at {where}; nothing changed", EXIT_UNREACHABLE
    except RequestValidationError as exc:
        return str(exc), EXIT_REFUSED
    finally:
        await blocks.aclose()
    lines = [made.describe()]
    stopped = _stops(loaded, selector.kind, selector.value)
    lines.append(
        f"  models of {loaded.source} it stops: {', '.join(stopped)}"
        if stopped
        else "  " + _no_match_warning(loaded, selector)
    )
    sync_s = loaded.config.state.sync_s
    lines.append(f"  every router sharing {where} applies it within {sync_s:g}s")
    return "\n".join(lines), EXIT_OK


async def unblock_command(
    path: str, selector: Selector, env: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """Lift the block on `selector` in the shared state of the config at `path`."""
    try:
        loaded, blocks, where = await _open(path, env)
    except Refused as refused:
        return refused.text, refused.code
    try:
        lifted = await blocks.unblock(**selector.kwargs())
        if blocks.pending:
            return f"cannot write to the shared state at {where}; nothing changed", EXIT_UNREACHABLE
    finally:
        await blocks.aclose()
    what = f"{selector.kind} {selector.value}"
    if lifted is None:
        return f"{what} was not blocked in {where}", EXIT_OK
    sync_s = loaded.config.state.sync_s
    return f"unblocked {what} (was: {lifted.reason}); routers apply it within {sync_s:g}s", EXIT_OK


def _since(block: Block) -> str:
    return time.strftime("%Y-%m-%d %H:%MZ", time.gmtime(block.created_at))


async def blocks_command(path: str, env: Mapping[str, str] | None = None) -> tuple[str, int]:
    """Every block in the shared state of the config at `path`, with its reason."""
    try:
        loaded, blocks, where = await _open(path, env)
    except Refused as refused:
        return refused.text, refused.code
    found = blocks.blocks()
    await blocks.aclose()
    if not found:
        return f"no blocks in {where}", EXIT_OK
    rows = [
        (b.kind, b.value, b.reason, _since(b), ", ".join(_stops(loaded, b.kind, b.value)) or "-")
        for b in found
    ]
    headers = ("kind", "value", "reason", "since (UTC)", f"models of {loaded.source}")
    table = render_plain(lambda term: term.table(headers, rows, title=f"Blocks in {where}"))
    return table, EXIT_OK
