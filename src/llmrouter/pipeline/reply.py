"""`Reply`: the one answer type after the executor, for a finished answer (a chat completion or
an embeddings response) and a live stream.

The stages after the executor (attempt accounting, breakers, spans, budgets, the cache, request
telemetry, and later audit and shadows) each watch a reply once with `on_end(hook)`; the hook
gets the `Ending` when the answer is whole, failed, or was abandoned. A completion ends when the
executor hands it back; a stream ends when the caller's `RouterStream` reads it to the end,
fails, is closed or is garbage-collected. Hooks run once each, in the order they were added,
which is the order of the stages (innermost first); see docs/architecture.md.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from llmrouter.errors import ProviderError, StreamInterruptedError
from llmrouter.passthrough import ReceivedStream
from llmrouter.providers.base import Deployment
from llmrouter.types import Answer, ChatCompletion, ChatCompletionChunk, RouteInfo, Usage

__all__ = ["ChunkCheck", "Describe", "EndHook", "Ending", "Reply"]

logger = logging.getLogger("llmrouter")


@dataclass(frozen=True, slots=True)
class Ending:
    """How one answer ended."""

    route: RouteInfo
    """Who answered, after which attempts, at what cost (estimated when usage is unknown)."""
    answer: Answer | None
    """The whole answer (a stream's, assembled; an embeddings response) when it completed."""
    error: BaseException | None = None
    """Why it did not complete; None without an answer: the reader stopped early."""
    usage: Usage | None = None
    """The usage the provider reported, if any."""

    @property
    def completed(self) -> bool:
        return self.answer is not None

    @property
    def fault_kind(self) -> str | None:
        """The model's fault, for breakers and error rates (None: it answered, or the reader
        left); an interrupted stream counts as the fault that broke it."""
        error = self.error
        if isinstance(error, StreamInterruptedError):
            return error.cause_kind
        if isinstance(error, ProviderError):
            return error.kind
        return None


EndHook = Callable[[Ending], Awaitable[None]]
ChunkCheck = Callable[[ChatCompletionChunk], ProviderError | None]
"""Inspects one streamed chunk; returns the fault it signals (a filtered finish, ...)."""
Describe = Callable[[Usage | None, int], RouteInfo]
"""`(usage, characters of answer text) -> RouteInfo`: set by the executor on each answer; prices
the usage, or, when the provider reported none (None), estimates it from the prompt and the
text, and says so (`RouteInfo.cost_estimated`)."""


class Reply:
    """A finished answer (`completion`) or a live stream (`head` + `rest`)."""

    __slots__ = (
        "_ending",
        "_hooks",
        "_stream",
        "checks",
        "completion",
        "deployment",
        "describe",
        "head",
        "received",
        "rest",
    )

    def __init__(
        self,
        deployment: Deployment | None,
        *,
        completion: Answer | None = None,
        head: Sequence[ChatCompletionChunk] = (),
        rest: AsyncIterator[ChatCompletionChunk] | None = None,
    ) -> None:
        self.deployment = deployment
        """The model entry that answered (None for a cache hit)."""
        self.completion = completion
        """The whole answer: a chat completion, or an embeddings response."""
        self.head = list(head)
        """A stream's chunks read so far, up to its first content."""
        self.rest = rest
        """The rest of a live stream (None once closed)."""
        self.received: ReceivedStream | None = None
        """A pass-through stream's events as the backend sent them (`llmrouter.passthrough`)."""
        self.checks: list[ChunkCheck] = []
        self.describe: Describe | None = None
        self._stream = rest is not None
        self._hooks: list[EndHook] = []
        self._ending: Ending | None = None

    def __repr__(self) -> str:
        kind = "stream" if self._stream else "completion"
        state = "ended" if self._ending is not None else "open"
        name = self.deployment.name if self.deployment is not None else "cache"
        return f"Reply({name!r}, {kind}, {state})"

    @property
    def is_stream(self) -> bool:
        return self._stream

    @property
    def ending(self) -> Ending | None:
        return self._ending

    def route(self, usage: Usage | None, text_chars: int) -> RouteInfo:
        """The RouteInfo of this answer (see `Describe`)."""
        if self.describe is None:
            raise RuntimeError("the executor has not described this reply")
        return self.describe(usage, text_chars)

    async def on_end(self, hook: EndHook) -> None:
        """Run `hook` when the answer ends (now, if it already has)."""
        if self._ending is not None:
            await _run(hook, self._ending)
        else:
            self._hooks.append(hook)

    async def end(self, ending: Ending) -> None:
        """Record how the answer ended and run the hooks (once; later calls do nothing)."""
        if self._ending is not None:
            return
        self._ending = ending
        hooks, self._hooks = self._hooks, []
        for hook in hooks:
            await _run(hook, ending)

    async def complete(self) -> Answer:
        """End a finished answer: attach its route and run the hooks."""
        completion = self.completion
        if completion is None:
            raise RuntimeError("complete() is for a finished completion")
        if self._ending is None:
            reported = "usage" in completion.model_fields_set
            usage = completion.usage if reported else None
            completion.route = self.route(usage, _text_chars(completion))
            assert completion.route is not None
            await self.end(Ending(completion.route, completion, usage=completion.usage))
        return completion

    async def abandon(self, reason: BaseException | None = None) -> None:
        """Close a stream nobody will read (a hedge's loser) and end it without an answer."""
        await self.close_upstream()
        if self._ending is None and self.describe is not None:
            await self.end(Ending(self.route(None, 0), None, reason))

    async def close_upstream(self) -> None:
        """Release a stream's upstream connection (idempotent)."""
        rest, self.rest = self.rest, None
        closer = getattr(rest, "aclose", None)
        if closer is not None:
            try:
                await closer()
            except Exception:  # closing a broken stream may fail again; it is already abandoned
                return


async def _run(hook: EndHook, ending: Ending) -> None:
    try:
        await hook(ending)
    except Exception:  # one stage's bookkeeping must not skip the others' or fail the caller
        logger.exception("llmrouter: an end-of-answer hook raised; ignored")


def _text_chars(completion: Answer) -> int:
    if not isinstance(completion, ChatCompletion):
        return 0  # an embeddings response has no completion text
    total = 0
    for choice in completion.choices:
        message = choice.message
        total += len(message.content or "") + len(message.reasoning_content or "")
        for call in message.tool_calls or ():
            total += len(call.function.arguments)
    return total
