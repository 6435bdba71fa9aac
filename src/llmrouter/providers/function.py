"""An in-process provider driven by Python functions: a test double that ships with the package."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable

from llmrouter.providers.base import ProviderCall
from llmrouter.types import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    Message,
    Usage,
)

__all__ = ["FunctionProvider", "make_chunks", "make_completion"]

CompleteHandler = Callable[[ProviderCall], Awaitable[ChatCompletion]]
StreamHandler = Callable[[ProviderCall], AsyncIterator[ChatCompletionChunk]]


class FunctionProvider:
    """Answers with `complete(call)` / `stream(call)` handlers; records every call.

    Handlers raise `llmrouter.errors.ProviderError` subclasses to simulate faults.
    """

    def __init__(
        self, complete: CompleteHandler | None = None, stream: StreamHandler | None = None
    ) -> None:
        self._complete = complete
        self._stream = stream
        self.calls: list[ProviderCall] = []

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        self.calls.append(call)
        if self._complete is None:
            return make_completion(f"echo from {call.deployment.name}", model=call.deployment.model)
        return await self._complete(call)

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        self.calls.append(call)
        if self._stream is None:
            for chunk in make_chunks(f"echo from {call.deployment.name}", call.deployment.model):
                yield chunk
            return
        async for chunk in self._stream(call):
            yield chunk

    async def aclose(self) -> None:
        return None


def make_completion(
    text: str, *, model: str = "test-model", prompt_tokens: int = 10, finish_reason: str = "stop"
) -> ChatCompletion:
    """A minimal valid `ChatCompletion` with `text` as its content."""
    completion_tokens = max(1, len(text) // 4)
    return ChatCompletion(
        id="chatcmpl-function",
        created=int(time.time()),
        model=model,
        choices=[Choice(message=Message(content=text), finish_reason=finish_reason)],
        usage=Usage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        ),
    )


def make_chunks(
    text: str, model: str = "test-model", finish_reason: str = "stop"
) -> list[ChatCompletionChunk]:
    """`text` split into word chunks, then a finish chunk and a usage chunk."""
    words = text.split(" ")
    pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
    chunks = [
        ChatCompletionChunk(id="chunk", model=model, choices=[ChunkChoice(delta=Delta(content=p))])
        for p in pieces
    ]
    chunks.append(
        ChatCompletionChunk(
            id="chunk", model=model, choices=[ChunkChoice(finish_reason=finish_reason)]
        )
    )
    tokens = max(1, len(text) // 4)
    chunks.append(
        ChatCompletionChunk(
            id="chunk",
            model=model,
            usage=Usage(prompt_tokens=10, completion_tokens=tokens, total_tokens=10 + tokens),
        )
    )
    return chunks
