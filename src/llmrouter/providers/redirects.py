"""No redirect is followed by an HTTP request litellm makes on llmrouter's behalf.

A provider endpoint that answers 3xx is broken or hostile: following it sends the prompt, and
often the key, to whatever host the `Location` names. The native adapters never follow one
(aiohttp's `allow_redirects=False`). litellm's clients do: its `AsyncHTTPHandler` (Anthropic
and most other providers) builds `httpx` clients with `follow_redirects=True`, and the OpenAI
and Azure SDK clients it builds get an `httpx` client with `follow_redirects=True` too. httpx
strips only `Authorization` on a cross-origin redirect, so Anthropic's `x-api-key` and Azure's
`api-key` travel on, and a 307 or 308 re-sends the body.

Every one of those requests goes through `httpx.Client.send` / `httpx.AsyncClient.send`, so that
is where redirects are turned off: `install()` wraps the two methods once, and inside
`no_redirects()` (a context variable, so only the calls the litellm adapter makes, and the
tasks they start, are affected; the rest of the process keeps its own httpx behaviour) every
send gets `follow_redirects=False`. The 3xx answer then reaches litellm as an HTTP error and
is classified like any other (see docs/limits.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["install", "no_redirects"]

_ACTIVE: ContextVar[bool] = ContextVar("llmrouter_no_redirects", default=False)
_MARK = "__llmrouter_no_redirects__"


@contextmanager
def no_redirects() -> Iterator[None]:
    """httpx requests made inside this block (and in tasks it starts) follow no redirect."""
    token = _ACTIVE.set(True)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def install() -> None:
    """Wrap `httpx.Client.send` and `httpx.AsyncClient.send` (once; later calls do nothing)."""
    import httpx  # litellm depends on it, so it is already loaded when this runs

    if not getattr(httpx.AsyncClient.send, _MARK, False):
        httpx.AsyncClient.send = _guard_async(httpx.AsyncClient.send)  # type: ignore[method-assign]
    if not getattr(httpx.Client.send, _MARK, False):
        httpx.Client.send = _guard_sync(httpx.Client.send)  # type: ignore[method-assign]


def _guard_async(send: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(send)
    async def guarded(self: Any, request: Any, **kwargs: Any) -> Any:
        if _ACTIVE.get():
            kwargs["follow_redirects"] = False
        return await send(self, request, **kwargs)

    setattr(guarded, _MARK, True)
    return guarded


def _guard_sync(send: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(send)
    def guarded(self: Any, request: Any, **kwargs: Any) -> Any:
        if _ACTIVE.get():
            kwargs["follow_redirects"] = False
        return send(self, request, **kwargs)

    setattr(guarded, _MARK, True)
    return guarded
