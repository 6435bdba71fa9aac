"""An in-process provider driven by Python functions: a test double that ships with the package."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from llmrouter.providers.base import ProviderCall
from llmrouter.providers.embeddings import conform_encoding
from llmrouter.types import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    Embedding,
    EmbeddingResponse,
    Message,
    Usage,
)

__all__ = ["FunctionProvider", "make_chunks", "make_completion", "make_embeddings"]

CompleteHandler = Callable[[ProviderCall], Awaitable[ChatCompletion]]
StreamHandler = Callable[[ProviderCall], AsyncIterator[ChatCompletionChunk]]
EmbedHandler = Callable[[ProviderCall], Awaitable[EmbeddingResponse]]


class FunctionProvider:
    """Answers with `complete(call)` / `stream(call)` / `embed(call)` handlers; records every
    call. Without an `embed` handler, each input gets a deterministic vector
    (`make_embeddings`).

    Handlers raise `llmrouter.errors.ProviderError` subclasses to simulate faults.
    """

    def __init__(
        self,
        complete: CompleteHandler | None = None,
        stream: StreamHandler | None = None,
        embed: EmbedHandler | None = None,
    ) -> None:
        self._complete = complete
        self._stream = stream
        self._embed = embed
        self.calls: list[ProviderCall] = []

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        self.calls.append(call)
        if self._complete is None:
            return make_completion(_default_text(call), model=call.deployment.model)
        answer = await self._complete(call)
        # A handler may return one canned object every time; the router attaches each
        # answer's route to it, so a reused one is copied.
        return answer.model_copy() if answer.route is not None else answer

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        self.calls.append(call)
        if self._stream is None:
            for chunk in make_chunks(_default_text(call), call.deployment.model):
                yield chunk
            return
        async for chunk in self._stream(call):
            yield chunk

    async def embed(self, call: ProviderCall) -> EmbeddingResponse:
        self.calls.append(call)
        if self._embed is None:
            dimensions = call.params.get("dimensions")
            answer = make_embeddings(
                call.input, model=call.deployment.model_id, dimensions=dimensions
            )
            return conform_encoding(answer, call)
        answer = await self._embed(call)
        return answer.model_copy() if answer.route is not None else answer

    async def aclose(self) -> None:
        return None


def _default_text(call: ProviderCall) -> str:
    """`echo from <model>`, as JSON when the request asks for JSON (valid against its
    schema), so a test double answers in the shape of the request."""
    text = f"echo from {call.deployment.name}"
    response_format = call.params.get("response_format")
    if not isinstance(response_format, Mapping) or response_format.get("type") not in (
        "json_object",
        "json_schema",
    ):
        return text
    from llmrouter.testing.schema_fill import instance_for  # a test double's helper, on demand

    spec = response_format.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    value = instance_for(schema, text) if isinstance(schema, Mapping) else {"echo": text}
    return json.dumps(value, ensure_ascii=False)


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


def make_embeddings(
    texts: list[str], *, model: str = "test-embedding", dimensions: int | None = None
) -> EmbeddingResponse:
    """A valid `EmbeddingResponse`: one deterministic unit vector per text (the same text and
    model give the same vector), usage at one token per started four characters."""
    from llmrouter.testing.vectors import vector_for  # a test double's helper, on demand

    data = [
        Embedding(index=i, embedding=vector_for(model, text, dimensions))
        for i, text in enumerate(texts)
    ]
    tokens = sum(-(-len(text) // 4) for text in texts)
    return EmbeddingResponse(
        data=data, model=model, usage=Usage(prompt_tokens=tokens, total_tokens=tokens)
    )
