"""The stream a caller iterates: chunks of the model that answered first.

Fallback happens before the first chunk reaches the caller (inside `acompletion`). After that
a failure raises `StreamInterruptedError` carrying the text delivered so far; a content filter
raises `ContentFilteredError` with the same partial text. `stream.route` is filled at the end.

However the caller leaves it (read to the end, closed, `break` out of the loop, or dropped and
garbage-collected), the stream ends its reply exactly once: the upstream connection is
released, and every stage watching the answer settles it (spans, breakers, the budget charge
for what was consumed, the cache's single-flight slot).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import TracebackType

from typing_extensions import Self

from llmrouter._timeouts import DeadlineWatch
from llmrouter.assembly import CompletionAssembler, completion_to_chunks
from llmrouter.errors import ContentFilteredError, ProviderError, StreamInterruptedError
from llmrouter.passthrough import ReceivedStream
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.types import Attempt, ChatCompletion, ChatCompletionChunk, RouteInfo, Usage

__all__ = ["RouterStream"]

logger = logging.getLogger("llmrouter")
_finalizers: set[asyncio.Task[None]] = set()  # strong references to pending GC settlements


class RouterStream:
    """An async iterator of OpenAI-shaped `ChatCompletionChunk`s.

    ```python
    stream = await router.acompletion(model="chat", messages=..., stream=True)
    async with stream:
        async for chunk in stream:
            print(chunk.choices[0].delta.content or "", end="")
    stream.route  # RouteInfo, once the stream ended
    ```
    """

    def __init__(
        self,
        reply: Reply,
        *,
        attempts: list[Attempt],
        deadline: float,
        clock: Callable[[], float],
        pass_usage_chunk: bool,
    ) -> None:
        self._reply = reply
        self._attempts = attempts
        self._deadline = deadline
        self._clock = clock
        self._pass_usage_chunk = pass_usage_chunk
        self._assembler = CompletionAssembler()
        completion = reply.completion
        if isinstance(completion, ChatCompletion):  # a cache hit or a mocked answer, replayed
            self._pending = completion_to_chunks(completion)
        else:
            self._pending = reply.head
        self._pending.reverse()  # popped from the end
        deployment = reply.deployment
        self._model = deployment.name if deployment is not None else ""
        self._provider = deployment.provider_name if deployment is not None else ""
        self._loop = asyncio.get_running_loop()
        self._deadline_watch = DeadlineWatch(self._loop, deadline - clock())
        self.route: RouteInfo | None = None
        """Filled in when the stream ends normally."""
        if reply.ending is not None and reply.ending.answer is not None:
            self.route = reply.ending.route

    @property
    def text(self) -> str:
        """The content delivered so far."""
        return self._assembler.text()

    @property
    def usage(self) -> Usage | None:
        return self._assembler.usage

    @property
    def model(self) -> str:
        """The model entry that is answering."""
        return self._model

    @property
    def received(self) -> ReceivedStream | None:
        """The events the backend sent, as it sent them, when the request carried a
        `passthrough` and the answering attempt sent it (None otherwise: a translated
        attempt, or a cache hit). `llmrouter serve` relays them to its client."""
        return self._reply.received

    @property
    def provider(self) -> str:
        """The provider entry of the model that is answering ("" for a cache hit)."""
        return self._provider

    @property
    def attempts(self) -> list[Attempt]:
        """The attempts so far, known before the first chunk: skipped candidates, failed
        attempts, and the one that is answering (`route.attempts` once the stream ended)."""
        return list(self._attempts)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        while True:
            chunk = await self._next_raw()
            self._assembler.add(chunk)
            for check in self._reply.checks:
                fault = check(chunk)
                if fault is not None:
                    error = self._presented(fault)
                    await self._end_failed(error)
                    raise error
            if chunk.choices or self._pass_usage_chunk:
                return chunk

    async def _next_raw(self) -> ChatCompletionChunk:
        if self._pending:
            return self._pending.pop()
        rest = self._reply.rest
        if rest is None:
            await self._end_complete()
            raise StopAsyncIteration
        try:
            return await self._deadline_watch.wait(rest.__anext__())
        except StopAsyncIteration:
            await self._end_complete()
            raise
        except asyncio.TimeoutError:
            err: ProviderError = self._interrupted("timeout", "the request deadline passed")
        except ProviderError as exc:
            err = self._presented(exc)
        await self._end_failed(err)
        raise err from None

    def _presented(self, fault: ProviderError) -> ProviderError:
        """A fault after the first chunk, as the caller sees it: filtered, or interrupted."""
        if isinstance(fault, ContentFilteredError):
            out = ContentFilteredError(
                fault.detail,
                partial_text=self.text,
                refusal=fault.refusal,
                model=fault.model,
                provider=fault.provider,
                status_code=fault.status_code,
                code=fault.code,
            )
            out.attempts = self._attempts
            return out
        if isinstance(fault, StreamInterruptedError):
            return fault
        return self._interrupted(fault.kind, fault.detail)

    def _interrupted(self, cause_kind: str, detail: str) -> StreamInterruptedError:
        err = StreamInterruptedError(
            f"stream interrupted after {len(self.text)} characters ({cause_kind}): {detail}",
            partial_text=self.text,
            cause_kind=cause_kind,
            model=self._model,
            provider=self._provider,
        )
        err.attempts = self._attempts
        return err

    async def _end_complete(self) -> None:
        self._deadline_watch.stop()
        reply = self._reply
        if reply.ending is not None:
            return
        await reply.close_upstream()
        usage = self._assembler.usage
        route = reply.route(usage, self._assembler.chars())
        answer = self._assembler.result(route)
        self.route = route
        await reply.end(Ending(route, answer, usage=usage))

    async def _end_failed(self, error: BaseException | None) -> None:
        self._deadline_watch.stop()
        reply = self._reply
        await reply.close_upstream()
        if reply.ending is not None:
            return
        usage = self._assembler.usage
        route = reply.route(usage, self._assembler.chars())
        await reply.end(Ending(route, None, error, usage=usage))

    async def aclose(self) -> None:
        """Stop reading: release the upstream connection and settle what was consumed."""
        await asyncio.shield(self._end_failed(None))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # Dropped without aclose() (the common `break` out of `async for`): settle it on its
        # loop (this may run in another thread, or while the loop shuts down).
        reply = getattr(self, "_reply", None)
        loop = getattr(self, "_loop", None)
        if reply is None or loop is None or reply.ending is not None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(_settle_dropped, self)
        except RuntimeError:  # the loop closed in between
            return

    def __repr__(self) -> str:
        state = "ended" if self._reply.ending is not None else "open"
        return f"RouterStream(model={self._model!r}, {state})"


def _settle_dropped(stream: RouterStream) -> None:
    task = asyncio.get_running_loop().create_task(stream.aclose())
    _finalizers.add(task)
    task.add_done_callback(_finalizers.discard)
