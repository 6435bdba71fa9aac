"""Stages and how they compose: each concern is a wrapper around the next handler.

```python
class Stage(Protocol):
    async def __call__(self, exchange: Exchange, call_next: Handler) -> Reply: ...
```

`compose([a, b, c], last)` gives a handler that runs `a`, which calls `b`, which calls `c`,
which calls `last`. The order of the request stages and of the attempt stages is written once,
in `llmrouter.pipeline.build`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from llmrouter.pipeline.exchange import Exchange, Leg
from llmrouter.pipeline.reply import Reply

__all__ = ["AttemptStage", "Handler", "LegHandler", "RequestStage", "compose"]

Handler = Callable[[Exchange], Awaitable[Reply]]
LegHandler = Callable[[Leg], Awaitable[Reply]]

Ctx = TypeVar("Ctx", Exchange, Leg)


class _Stage(Protocol[Ctx]):
    async def __call__(
        self, ctx: Ctx, /, call_next: Callable[[Ctx], Awaitable[Reply]]
    ) -> Reply: ...


class RequestStage(_Stage[Exchange], Protocol):
    """A concern around the rest of the request path (cache, telemetry, planning, ...)."""


class AttemptStage(_Stage[Leg], Protocol):
    """A concern around one upstream attempt (admission, span, accounting, ...)."""


def compose(
    stages: Sequence[_Stage[Ctx]], last: Callable[[Ctx], Awaitable[Reply]]
) -> Callable[[Ctx], Awaitable[Reply]]:
    """One handler running `stages` in order around `last`."""
    handler = last
    for stage in reversed(stages):
        handler = _bind(stage, handler)
    return handler


def _bind(
    stage: _Stage[Ctx], call_next: Callable[[Ctx], Awaitable[Reply]]
) -> Callable[[Ctx], Awaitable[Reply]]:
    # A partial, not a closure: calling it gives the stage's own coroutine (one frame, not two).
    return functools.partial(stage.__call__, call_next=call_next)
