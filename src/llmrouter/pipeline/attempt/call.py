"""The provider call: the innermost attempt stage. It sends one request through the adapter
within the attempt's timeout and, for a stream, reads up to the first chunk that carries
content, so a stream that fails before the caller saw anything can still fall back. An
embedding request calls the adapter's `embed` (`llmrouter.providers.embeddings`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from llmrouter._timeouts import within
from llmrouter.assembly import completion_to_chunks
from llmrouter.errors import InvalidResponseError, MalformedResponseError, ProviderTimeoutError
from llmrouter.passthrough import ReceivedStream
from llmrouter.pipeline.attempt.chunks import MAX_IDLE_CHUNKS, carries_content, is_idle
from llmrouter.pipeline.exchange import Leg
from llmrouter.pipeline.reply import Reply
from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.providers.embeddings import embed_with
from llmrouter.providers.function import make_completion
from llmrouter.types import ChatCompletionChunk, Usage

__all__ = ["ProviderCallStage"]


class ProviderCallStage:
    """Calls the adapter (the terminal handler of the attempt stages)."""

    def __init__(self, provider: Provider) -> None:
        self._provider = provider

    async def __call__(self, leg: Leg) -> Reply:
        request = leg.exchange.request
        deployment = leg.deployment
        mock = request.params.get("mock_response")
        if mock is not None:
            return _mocked(deployment, mock, stream=request.stream)
        passthrough = request.passthrough
        received = ReceivedStream() if passthrough is not None and request.stream else None
        call = ProviderCall(
            deployment=deployment,
            messages=request.messages,
            params=request.params,
            timeout_s=leg.timeout_s,
            passthrough=passthrough,
            received=received,
            input=request.input,
        )
        try:
            if request.operation == "embedding":
                answer = await within(embed_with(self._provider, call), leg.timeout_s)
                return Reply(deployment, completion=answer)
            if not request.stream:
                completion = await within(self._provider.complete(call), leg.timeout_s)
                return Reply(deployment, completion=completion)
            iterator = self._provider.stream(call).__aiter__()
            head = await within(_read_head(iterator, deployment), leg.timeout_s)
        except asyncio.TimeoutError:
            raise ProviderTimeoutError(
                f"no answer within {leg.timeout_s:.2f}s",
                model=deployment.name,
                provider=deployment.provider_name,
            ) from None
        reply = Reply(deployment, head=head, rest=iterator)
        if received is not None and received.active:  # the adapter sent the client's body
            reply.received = received
        return reply


async def _read_head(
    iterator: AsyncIterator[ChatCompletionChunk], deployment: Deployment
) -> list[ChatCompletionChunk]:
    """The chunks up to the first one that carries content (the iterator is closed if this
    fails)."""
    head: list[ChatCompletionChunk] = []
    idle = 0
    try:
        while True:
            try:
                chunk = await iterator.__anext__()
            except StopAsyncIteration:
                raise InvalidResponseError(
                    "the stream ended before any content",
                    model=deployment.name,
                    provider=deployment.provider_name,
                ) from None
            if carries_content(chunk):
                head.append(chunk)
                return head
            idle = idle + 1 if is_idle(chunk) else 0
            if idle > MAX_IDLE_CHUNKS:
                raise MalformedResponseError(
                    f"more than {MAX_IDLE_CHUNKS} empty stream chunks in a row",
                    model=deployment.name,
                    provider=deployment.provider_name,
                )
            if not is_idle(chunk) or not head:
                head.append(chunk)  # keep role and usage chunks; drop repeated empty ones
    except BaseException:
        closer = getattr(iterator, "aclose", None)
        if closer is not None:
            with contextlib.suppress(Exception):  # already failing; closing may fail too
                await closer()
        raise


async def _no_more() -> AsyncIterator[ChatCompletionChunk]:
    return
    yield  # pragma: no cover - makes this an async generator


def _mocked(deployment: Deployment, text: str, *, stream: bool) -> Reply:
    """`mock_response=...`: an answer from this model without an upstream call."""
    completion = make_completion(text, model=deployment.model_id)
    completion.usage = Usage()  # no upstream call: nothing consumed, nothing to charge
    if not stream:
        return Reply(deployment, completion=completion)
    return Reply(deployment, head=completion_to_chunks(completion), rest=_no_more())
