"""The stream a caller iterates: chunks of the model that answered first.

Fallback happens before the first chunk reaches the caller (inside `acompletion`). After that
a failure raises `StreamInterruptedError` carrying the text delivered so far; a content filter
raises `ContentFilteredError` with the same partial text. `stream.route` is filled at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import TracebackType

from typing_extensions import Self

from llmrouter._timeouts import within
from llmrouter.assembly import CompletionAssembler, completion_to_chunks
from llmrouter.errors import ContentFilteredError, ProviderError, StreamInterruptedError
from llmrouter.faults import error_for_finish_reason
from llmrouter.types import Attempt, ChatCompletion, ChatCompletionChunk, RouteInfo, Usage

__all__ = ["RouterStream"]

RouteFactory = Callable[[Usage], RouteInfo]
OnComplete = Callable[[ChatCompletion], Awaitable[None]]
OnAbort = Callable[[BaseException | None], Awaitable[None]]


async def _nothing() -> AsyncIterator[ChatCompletionChunk]:
    return
    yield  # pragma: no cover - makes this an async generator


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
        *,
        first: Sequence[ChatCompletionChunk],
        rest: AsyncIterator[ChatCompletionChunk],
        model: str,
        provider: str,
        attempts: list[Attempt],
        deadline: float,
        clock: Callable[[], float],
        pass_usage_chunk: bool,
        route_info: RouteFactory,
    ) -> None:
        self._pending = list(first)
        self._rest = rest
        self._model = model
        self._provider = provider
        self._attempts = attempts
        self._deadline = deadline
        self._clock = clock
        self._pass_usage_chunk = pass_usage_chunk
        self._route_info = route_info
        self._assembler = CompletionAssembler()
        self._finish_reason: str | None = None
        self._closed = False
        self._watchers: list[tuple[OnComplete, OnAbort]] = []
        self.route: RouteInfo | None = None
        """Filled in when the stream ends normally."""

    @classmethod
    def replay(
        cls,
        completion: ChatCompletion,
        route: RouteInfo,
        *,
        clock: Callable[[], float],
        pass_usage_chunk: bool,
    ) -> RouterStream:
        """A stream that replays a whole answer (a cache hit asked for with `stream=True`)."""
        return cls(
            first=completion_to_chunks(completion),
            rest=_nothing(),
            model=route.model,
            provider=route.provider,
            attempts=list(route.attempts),
            deadline=clock() + 3600.0,
            clock=clock,
            pass_usage_chunk=pass_usage_chunk,
            route_info=lambda _usage: route,
        )

    def watch(self, on_complete: OnComplete, on_abort: OnAbort) -> None:
        """Be told of the assembled answer when the stream ends, or of why it did not
        (`None`: the reader stopped early). Watchers run once, in the order they were added."""
        self._watchers.append((on_complete, on_abort))

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

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        while True:
            chunk = await self._next_raw()
            fault = self._absorb(chunk)
            if fault is not None:
                await self._abort(fault)
                raise fault
            if chunk.choices or self._pass_usage_chunk:
                return chunk

    async def _next_raw(self) -> ChatCompletionChunk:
        if self._pending:
            return self._pending.pop(0)
        if self._closed:
            raise StopAsyncIteration
        remaining = self._deadline - self._clock()
        try:
            return await within(self._rest.__anext__(), max(remaining, 0.0))
        except StopAsyncIteration:
            await self._finish()
            raise
        except asyncio.TimeoutError:
            err: ProviderError = self._interrupted("timeout", "the request deadline passed")
        except ContentFilteredError as exc:
            err = self._filtered(exc)
        except ProviderError as exc:
            err = self._interrupted(exc.kind, exc.detail)
        await self._abort(err)
        raise err from None

    def _absorb(self, chunk: ChatCompletionChunk) -> ProviderError | None:
        """Record the chunk; return the fault its finish reason signals, if any."""
        self._assembler.add(chunk)
        for choice in chunk.choices:
            if choice.finish_reason is not None:
                self._finish_reason = choice.finish_reason
        fault = error_for_finish_reason(
            self._finish_reason, model=self._model, provider=self._provider
        )
        if fault is None:
            return None
        if isinstance(fault, ContentFilteredError):
            return self._filtered(fault)
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

    def _filtered(self, err: ContentFilteredError) -> ContentFilteredError:
        out = ContentFilteredError(
            err.detail,
            partial_text=self.text,
            model=err.model,
            provider=err.provider,
            status_code=err.status_code,
            code=err.code,
        )
        out.attempts = self._attempts
        return out

    async def _finish(self) -> None:
        self.route = self._route_info(self._assembler.usage or Usage())
        await self._close_upstream()
        watchers, self._watchers = self._watchers, []
        if watchers:
            answer = self._assembler.result().model_copy(update={"route": self.route})
            for on_complete, _ in watchers:
                await on_complete(answer)

    async def _abort(self, reason: BaseException | None) -> None:
        await self._close_upstream()
        watchers, self._watchers = self._watchers, []
        for _, on_abort in watchers:
            await on_abort(reason)

    async def _close_upstream(self) -> None:
        if self._closed:
            return
        self._closed = True
        closer = getattr(self._rest, "aclose", None)
        if closer is not None:
            await closer()

    async def aclose(self) -> None:
        """Stop reading and release the upstream connection."""
        await self._abort(None)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
