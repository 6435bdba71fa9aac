"""What a streamed chunk carries, and the bound on chunks that carry nothing."""

from __future__ import annotations

from llmrouter.types import ChatCompletionChunk

__all__ = ["MAX_IDLE_CHUNKS", "carries_content", "is_idle"]

MAX_IDLE_CHUNKS = 1000
"""Consecutive chunks with nothing in them (no text, tool call, refusal, reasoning, finish or
usage) after which a stream is a malformed answer: a provider flooding empty events would
otherwise hold the caller, and memory, until the deadline."""


def carries_content(chunk: ChatCompletionChunk) -> bool:
    """Whether the chunk has something for the caller (a finish reason counts)."""
    for choice in chunk.choices:
        delta = choice.delta
        if (
            delta.content
            or delta.tool_calls
            or delta.refusal
            or delta.reasoning_content
            or choice.finish_reason is not None
        ):
            return True
    return False


def is_idle(chunk: ChatCompletionChunk) -> bool:
    """Nothing at all: no content (see `carries_content`) and no usage."""
    return chunk.usage is None and not carries_content(chunk)
