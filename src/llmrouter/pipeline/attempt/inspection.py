"""Inspection: faults inside a 2xx answer, found in one place for completions and streams.

- a finish reason that is a fault (`sensitive`, `content_filter`, `network_error`;
  `llmrouter.faults.error_for_finish_reason`);
- an empty answer (no choices, or no content, tool call, refusal or reasoning, unless it
  stopped for length) and an answer that fails the route's checks (`routing.checks`: the JSON
  schema the request asked for, a route's own `answer_check`): `InvalidResponseError`, a fault
  of that model, so the route falls back;
- a refusal (`message.refusal`, `delta.refusal`, Anthropic's `stop_reason: refusal`) is an
  answer, delivered to the caller, unless the route's policy falls back on `content_filter`:
  then it is that fault, and the next model is tried;
- a stream flooding empty chunks (`MAX_IDLE_CHUNKS`): `MalformedResponseError`;
- an embeddings answer without one vector per input (a missing, repeated or out-of-range
  `index`, an empty vector): `InvalidResponseError`, so the route falls back.
A stream's head is inspected before the caller sees anything; later chunks as they pass. A
fault raised about an answer the provider billed carries its usage (`ProviderError.usage`).
"""

from __future__ import annotations

from llmrouter.errors import (
    ContentFilteredError,
    InvalidResponseError,
    MalformedResponseError,
    ProviderError,
)
from llmrouter.faults import error_for_finish_reason
from llmrouter.pipeline.attempt.chunks import MAX_IDLE_CHUNKS, is_idle
from llmrouter.pipeline.chain import LegHandler
from llmrouter.pipeline.exchange import Leg
from llmrouter.pipeline.reply import Reply
from llmrouter.providers.base import Deployment
from llmrouter.routing.checks import json_problem
from llmrouter.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse, Message

__all__ = ["Inspection", "StreamCheck", "completion_fault", "embeddings_fault", "is_refusal"]


class Inspection:
    """Raises the fault a 2xx answer carries; watches a stream's chunks for one."""

    async def __call__(self, leg: Leg, call_next: LegHandler) -> Reply:
        reply = await call_next(leg)
        completion = reply.completion
        if completion is not None:
            fault = (
                _whole_answer_fault(leg, completion)
                if isinstance(completion, ChatCompletion)
                else embeddings_fault(completion, len(leg.exchange.request.input), leg.deployment)
            )
            if fault is not None:
                if "usage" in completion.model_fields_set:
                    fault.usage = completion.usage
                raise fault
            return reply
        fall_back = _falls_back_on_refusal(leg)
        check = StreamCheck(leg.deployment)
        for chunk in reply.head:
            fault = check(chunk)
            if fault is None and fall_back and check.refused:
                fault = _refused(check.refusal_text(), leg.deployment)
            if fault is not None:
                await reply.close_upstream()
                raise fault
        if check.finished_empty():
            await reply.close_upstream()
            raise _empty(leg.deployment)
        reply.checks.append(check)
        return reply


def _whole_answer_fault(leg: Leg, completion: ChatCompletion) -> ProviderError | None:
    deployment = leg.deployment
    fault = completion_fault(completion, deployment)
    if fault is not None:
        return fault
    if is_refusal(completion):
        if _falls_back_on_refusal(leg):
            return _refused(_refusal_text(completion), deployment)
        return None
    route = leg.exchange.route
    request = leg.exchange.request
    problem = (
        json_problem(request.params.get("response_format"), completion)
        if (route.check_json)
        else None
    )
    if problem is None and route.answer_check is not None:
        problem = route.answer_check(request, completion)
    if problem is not None:
        return InvalidResponseError(
            problem, model=deployment.name, provider=deployment.provider_name
        )
    return None


def completion_fault(completion: ChatCompletion, deployment: Deployment) -> ProviderError | None:
    """The fault a whole answer carries in itself (a faulty finish, emptiness), or None."""
    if not completion.choices:
        return _empty(deployment)
    for choice in completion.choices:
        fault = _finish_fault(choice.finish_reason, deployment)
        if fault is not None:
            return fault
        message = choice.message
        if not _has_answer(message) and choice.finish_reason not in ("length", "refusal"):
            return _empty(deployment)
    return None


def embeddings_fault(
    answer: EmbeddingResponse, inputs: int, deployment: Deployment
) -> ProviderError | None:
    """The fault of an embeddings answer that is not one non-empty vector per input."""
    indexes = sorted(item.index for item in answer.data)
    if indexes != list(range(inputs)):
        problem = f"{len(answer.data)} vectors (indexes {_span(indexes)}) for {inputs} inputs"
    elif any(not item.embedding for item in answer.data):
        problem = "an empty vector"
    else:
        return None
    return InvalidResponseError(
        f"the embeddings answer has {problem}",
        model=deployment.name,
        provider=deployment.provider_name,
    )


def _span(indexes: list[int]) -> str:
    if not indexes:
        return "none"
    return f"{indexes[0]}..{indexes[-1]}" if len(indexes) > 3 else ", ".join(map(str, indexes))


def is_refusal(completion: ChatCompletion) -> bool:
    """Whether the model refused: a refusal message, or a `refusal` finish."""
    return any(c.message.refusal or c.finish_reason == "refusal" for c in completion.choices)


def _refusal_text(completion: ChatCompletion) -> str:
    return "".join(c.message.refusal or "" for c in completion.choices)


def _falls_back_on_refusal(leg: Leg) -> bool:
    return leg.exchange.route.policy.for_kind("content_filter").fallback


class StreamCheck:
    """Per-stream state: the finish reasons seen, refusals, and the run of empty chunks."""

    __slots__ = ("_content", "_deployment", "_finished", "_idle", "_refusal")

    def __init__(self, deployment: Deployment) -> None:
        self._deployment = deployment
        self._idle = 0
        self._content = False
        self._finished: str | None = None
        self._refusal: list[str] = []

    @property
    def refused(self) -> bool:
        return bool(self._refusal) or self._finished == "refusal"

    def refusal_text(self) -> str:
        return "".join(self._refusal)

    def __call__(self, chunk: ChatCompletionChunk) -> ProviderError | None:
        if is_idle(chunk):
            self._idle += 1
            if self._idle > MAX_IDLE_CHUNKS:
                return MalformedResponseError(
                    f"more than {MAX_IDLE_CHUNKS} empty stream chunks in a row",
                    model=self._deployment.name,
                    provider=self._deployment.provider_name,
                )
            return None
        self._idle = 0
        for choice in chunk.choices:
            delta = choice.delta
            if delta.refusal:
                self._refusal.append(delta.refusal)
            if delta.content or delta.tool_calls or delta.reasoning_content:
                self._content = True
            reason = choice.finish_reason
            if reason is not None:
                self._finished = reason
                fault = _finish_fault(reason, self._deployment)
                if fault is not None:
                    return fault
        return None

    def finished_empty(self) -> bool:
        """The stream finished (not for length, not refusing) before any content."""
        return (
            self._finished is not None
            and self._finished not in ("length", "refusal")
            and not self._content
            and not self._refusal
        )


def _has_answer(message: Message) -> bool:
    return bool(
        message.content or message.tool_calls or message.refusal or message.reasoning_content
    )


def _finish_fault(reason: str | None, deployment: Deployment) -> ProviderError | None:
    return error_for_finish_reason(reason, model=deployment.name, provider=deployment.provider_name)


def _refused(text: str, deployment: Deployment) -> ContentFilteredError:
    return ContentFilteredError(
        "the model refused to answer",
        refusal=text,
        model=deployment.name,
        provider=deployment.provider_name,
        code="refusal",
    )


def _empty(deployment: Deployment) -> InvalidResponseError:
    return InvalidResponseError(
        "the answer is empty (no content, tool call or refusal)",
        model=deployment.name,
        provider=deployment.provider_name,
    )
