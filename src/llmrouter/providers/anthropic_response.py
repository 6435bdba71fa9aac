"""From Anthropic's Messages API answer back to the OpenAI chat shape (pure functions).

Text blocks -> `content`, `tool_use` -> `tool_calls` (the forced `JSON_TOOL` call of a JSON
schema request -> the JSON `content`), thinking blocks -> `thinking_blocks` and
`reasoning_content`; `stop_reason` end_turn / stop_sequence -> "stop", max_tokens -> "length",
tool_use -> "tool_calls", refusal -> "refusal", pause_turn -> "pause_turn" (the caller sends
the turn back to continue); usage: prompt tokens = input + cache read + cache write, with
`cached_tokens`, `cache_write_tokens` and the one-hour writes in the details.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from llmrouter.providers.anthropic_messages import JSON_TOOL, thinking_block

__all__ = ["STOP_REASONS", "finish_reason", "to_chat_completion", "usage_of"]

STOP_REASONS: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "refusal",
    "pause_turn": "pause_turn",
}


def finish_reason(stop_reason: str | None, *, json_answer: bool = False) -> str | None:
    """Anthropic's `stop_reason` as an OpenAI finish reason (unknown ones unchanged)."""
    if stop_reason is None:
        return None
    if json_answer and stop_reason == "tool_use":
        return "stop"
    return STOP_REASONS.get(stop_reason, stop_reason)


def usage_of(usage: Mapping[str, Any]) -> dict[str, Any]:
    """Anthropic usage in the OpenAI shape (cached and written tokens inside prompt_tokens)."""
    read = usage.get("cache_read_input_tokens") or 0
    written = usage.get("cache_creation_input_tokens") or 0
    prompt = (usage.get("input_tokens") or 0) + read + written
    completion = usage.get("output_tokens") or 0
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if read or written:
        details = {"cached_tokens": read, "cache_write_tokens": written}
        split = usage.get("cache_creation")
        hour = split.get("ephemeral_1h_input_tokens") if isinstance(split, Mapping) else None
        if isinstance(hour, int) and hour > 0:
            details["cache_write_1h_tokens"] = hour
        out["prompt_tokens_details"] = details
    return out


def to_chat_completion(message: Mapping[str, Any], *, json_answer: bool = False) -> dict[str, Any]:
    """An Anthropic `message` object as an OpenAI `chat.completion` dict. With `json_answer`,
    the forced `JSON_TOOL` call is the message's JSON content."""
    texts: list[str] = []
    thinking: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    for block in message.get("content") or ():
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text") or "")
        elif kind == "tool_use" and json_answer and block.get("name") == JSON_TOOL:
            texts.append(json.dumps(block.get("input") or {}, ensure_ascii=False))
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            call = {"name": block.get("name"), "arguments": arguments}
            tool_calls.append({"id": block.get("id"), "type": "function", "function": call})
        elif kind in ("thinking", "redacted_thinking"):
            thinking.append(thinking_block(block))
    out: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if tool_calls:
        out["tool_calls"] = tool_calls
    if thinking:
        out["thinking_blocks"] = thinking
        text = "".join(b.get("thinking") or "" for b in thinking)
        out["reasoning_content"] = text or None
    reason = finish_reason(message.get("stop_reason"), json_answer=json_answer)
    result: dict[str, Any] = {
        "id": message.get("id") or "",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": message.get("model") or "",
        "choices": [{"index": 0, "message": out, "finish_reason": reason}],
    }
    usage = message.get("usage")
    if isinstance(usage, Mapping):
        result["usage"] = usage_of(usage)
    return result
