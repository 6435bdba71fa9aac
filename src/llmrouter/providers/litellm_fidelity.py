"""Where litellm's normalisation would change what the provider said, undo it.

- OpenAI-wire vendors, streamed: litellm's stream wrapper drops `delta.refusal` chunks, the
  finish reason of every choice after the first (`n > 1`), GLM's `network_error` finish, and
  invents usage for a stream that sent none. The provider's own chunks (the OpenAI SDK stream
  litellm opened, `completion_stream`) are read instead, as sent.
- Anthropic-wire vendors: litellm reports a refusal as `content_filter` (a filter, which it is
  not) and invents `reasoning_tokens` Anthropic never reports; cache writes become
  `cache_write_tokens`.

What cannot be undone from outside litellm (Anthropic's `pause_turn` reported as `length`,
usage counted by litellm for an Anthropic stream that sent none) is listed on the "Wire
formats" docs page (docs/wire-formats.md); Anthropic models are served by the native adapter
unless a provider sets `adapter: litellm`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from llmrouter.types import ChatCompletion, ChatCompletionChunk, Choice, ChunkChoice, Usage
from llmrouter.vendors import ModelRef

__all__ = ["faithful", "provider_chunks"]


def provider_chunks(raw: Any, ref: ModelRef) -> AsyncIterator[Any]:
    """The chunks to read from litellm's stream: the provider's own for OpenAI-wire vendors."""
    source = getattr(raw, "completion_stream", None)
    if ref.wire == "openai" and type(source).__name__ == "AsyncStream":
        return _closing(source)
    return raw.__aiter__()  # type: ignore[no-any-return]


async def _closing(source: Any) -> AsyncIterator[Any]:
    try:
        async for chunk in source:
            yield chunk
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            await close()


def faithful(answer: ChatCompletion | ChatCompletionChunk, ref: ModelRef, raw: Any) -> None:
    """Undo litellm's changes to an answer or chunk, in place."""
    if ref.wire == "openai":
        _native_finish_reasons(answer, raw)
        return
    if ref.wire != "anthropic":
        return
    for choice in answer.choices:
        if choice.finish_reason == "content_filter":
            choice.finish_reason = "refusal"
    usage = answer.usage
    if usage is not None:
        _anthropic_usage(usage, getattr(raw, "usage", None))


def _anthropic_usage(usage: Usage, raw_usage: Any) -> None:
    details = usage.completion_tokens_details
    if details is not None:
        details.reasoning_tokens = None  # Anthropic never reports them: litellm counted them
    written = getattr(raw_usage, "cache_creation_input_tokens", None)
    if isinstance(written, int) and written and usage.prompt_tokens_details is not None:
        usage.prompt_tokens_details.cache_write_tokens = written
        raw_details = getattr(raw_usage, "prompt_tokens_details", None)
        split = getattr(raw_details, "cache_creation_token_details", None)
        hour = getattr(split, "ephemeral_1h_input_tokens", None)
        if isinstance(hour, int) and hour > 0:
            usage.prompt_tokens_details.cache_write_1h_tokens = hour


def _native_finish_reasons(answer: ChatCompletion | ChatCompletionChunk, raw: Any) -> None:
    """An OpenAI-wire provider's finish reason is already OpenAI-shaped: litellm rewrites the
    ones it does not know (GLM's `sensitive`, `network_error`) and keeps the original in
    `provider_specific_fields`; put it back."""
    raw_choices = getattr(raw, "choices", None) or []
    choices: list[Choice | ChunkChoice] = list(answer.choices)
    for choice, raw_choice in zip(choices, raw_choices, strict=False):
        fields = getattr(raw_choice, "provider_specific_fields", None)
        native = fields.get("native_finish_reason") if isinstance(fields, dict) else None
        if isinstance(native, str) and native:
            choice.finish_reason = native
