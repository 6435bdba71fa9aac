"""The stream a caller iterates: chunks of the model that answered first.

Fallback happens before the first chunk reaches the caller (inside `acompletion`). After that
a failure raises `StreamInterruptedError` carrying the text delivered so far; a content filter
raises `ContentFilteredError` with the same partial text. `stream.route` is filled at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from types import TracebackType

from typing_extensions import Self

from llmrouter.errors import ContentFilteredError, ProviderError, StreamInterruptedError
from llmrouter.faults import error_for_finish_reason
from llmrouter.providers.base import Deployment
from llmrouter.types import Attempt, ChatCompletionChunk, RouteInfo, Usage

__all__ = ["RouterStream"]


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
        first: list[ChatCompletionChunk],
        rest: AsyncIterator[ChatCompletionChunk],
        deployment: Deployment,
        route_name: str,
        strategy: str,
        attempts: list[Attempt],
        deadline: float,
        clock: Callable[[], float],
        pass_usage_chunk: bool,
    ) -> None:
        self._pending = list(first)
        self._rest = rest
        self._deployment = deployment
        self._route_name = route_name
        self._strategy = strategy
        self._attempts = attempts
        self._deadline = deadline
        self._clock = clock
        self._pass_usage_chunk = pass_usage_chunk
        self._parts: list[str] = []
        self._usage: Usage | None = None
        self._finish_reason: str | None = None
        self._closed = False
        self.route: RouteInfo | None = None
        """Filled in when the stream ends normally."""

    @property
    def text(self) -> str:
        """The content delivered so far."""
        return "".join(self._parts)

    @property
    def usage(self) -> Usage | None:
        return self._usage

    @property
    def model(self) -> str:
        """The model entry that is answering."""
        return self._deployment.name

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        while True:
            chunk = await self._next_raw()
            fault = self._absorb(chunk)
            if fault is not None:
                await self.aclose()
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
            return await asyncio.wait_for(self._rest.__anext__(), max(remaining, 0.0))
        except StopAsyncIteration:
            await self._finish()
            raise
        except asyncio.TimeoutError:
            await self.aclose()
            raise self._interrupted("timeout", "the request deadline passed mid-stream") from None
        except ProviderError as err:
            await self.aclose()
            if isinstance(err, ContentFilteredError):
                raise self._filtered(err) from None
            raise self._interrupted(err.kind, err.detail) from None

    def _absorb(self, chunk: ChatCompletionChunk) -> ProviderError | None:
        """Record the chunk; return the fault its finish reason signals, if any."""
        if chunk.usage is not None:
            self._usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                self._parts.append(choice.delta.content)
            if choice.finish_reason is not None:
                self._finish_reason = choice.finish_reason
        fault = error_for_finish_reason(
            self._finish_reason,
            model=self._deployment.name,
            provider=self._deployment.provider_name,
            partial_text=self.text,
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
            model=self._deployment.name,
            provider=self._deployment.provider_name,
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
        usage = self._usage or Usage()
        self.route = RouteInfo(
            route=self._route_name,
            model=self._deployment.name,
            provider=self._deployment.provider_name,
            strategy=self._strategy,
            attempts=self._attempts,
            cost_usd=self._deployment.price.cost_usd(usage),
        )
        await self.aclose()

    async def aclose(self) -> None:
        """Stop reading and release the upstream connection."""
        if self._closed:
            return
        self._closed = True
        closer = getattr(self._rest, "aclose", None)
        if closer is not None:
            await closer()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
