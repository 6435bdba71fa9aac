"""Anthropic stream events -> OpenAI-shaped chunks, one event at a time.

`message_start` (id, model, input usage), `content_block_start` / `_delta` / `_stop` (text,
tool use with its `input_json_delta`s, thinking with its `signature_delta`, redacted
thinking), `message_delta` (stop reason, output usage) and `message_stop` become: a role
chunk, content / `tool_calls` / `reasoning_content` deltas (a tool call's `index` counts tool
calls, as OpenAI's does), a `thinking_blocks` delta when a thinking block closes (its whole
text and signature, to send back next turn), a finish chunk, and a final usage chunk with no
choices, only when the provider reported usage. With `json_answer`, the forced JSON tool's
input streams as content. `ping` and unknown events give nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from llmrouter.providers.anthropic_messages import JSON_TOOL
from llmrouter.providers.anthropic_response import finish_reason, usage_of
from llmrouter.types import ChatCompletionChunk

__all__ = ["StreamTranslator"]


class StreamTranslator:
    """Turns Anthropic stream events into OpenAI-shaped chunks."""

    def __init__(self, model: str, *, json_answer: bool = False) -> None:
        self.done = False
        self._id = ""
        self._model = model
        self._created = int(time.time())
        self._json_answer = json_answer
        self._usage: dict[str, Any] | None = None
        self._tools: dict[int, int] = {}  # content block index -> tool call index
        self._json_blocks: set[int] = set()
        self._thinking: dict[int, dict[str, Any]] = {}  # open thinking blocks

    def feed(self, kind: str | None, event: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        """The chunks one event gives (often none)."""
        if kind == "content_block_delta":
            return self._delta(event["index"], event["delta"])
        if kind == "content_block_start":
            return self._block_start(event["index"], event["content_block"])
        if kind == "content_block_stop":
            return self._block_stop(event["index"])
        if kind == "message_start":
            return self._message_start(event["message"])
        if kind == "message_delta":
            self._add_usage(event.get("usage"))
            reason = (event.get("delta") or {}).get("stop_reason")
            finish = finish_reason(reason, json_answer=self._json_answer)
            return [self._chunk({}, finish)] if finish is not None else []
        if kind == "message_stop":
            self.done = True
            if self._usage is None:
                return []  # the provider reported none: nothing is invented
            return [self._make([], usage_of(self._usage))]
        return []  # ping, and event types added later

    def _message_start(self, message: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        self._id = message.get("id") or ""
        self._model = message.get("model") or self._model
        self._add_usage(message.get("usage"))
        return [self._chunk({"role": "assistant", "content": ""})]

    def _add_usage(self, usage: Any) -> None:
        if not isinstance(usage, Mapping):
            return
        known = {k: v for k, v in usage.items() if v is not None}
        self._usage = {**(self._usage or {}), **known}  # message_delta repeats or updates

    def _block_start(self, index: int, block: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        kind = block.get("type")
        if kind == "tool_use" and self._json_answer and block.get("name") == JSON_TOOL:
            self._json_blocks.add(index)
            return []
        if kind == "tool_use":
            position = self._tools.setdefault(index, len(self._tools))
            call = {
                "index": position,
                "id": block.get("id"),
                "type": "function",
                "function": {"name": block.get("name"), "arguments": ""},
            }
            return [self._chunk({"tool_calls": [call]})]
        if kind == "thinking":
            self._thinking[index] = {"type": "thinking", "thinking": block.get("thinking") or ""}
            text = block.get("thinking")
            return [self._chunk({"reasoning_content": text})] if text else []
        if kind == "redacted_thinking":
            self._thinking[index] = {"type": "redacted_thinking", "data": block.get("data")}
            return []
        if kind == "text" and block.get("text"):
            return [self._chunk({"content": block["text"]})]
        return []

    def _block_stop(self, index: int) -> list[ChatCompletionChunk]:
        block = self._thinking.pop(index, None)
        if block is None:
            return []
        return [self._chunk({"thinking_blocks": [block]})]

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        kind = delta.get("type")
        if kind == "text_delta":
            return [self._chunk({"content": delta.get("text") or ""})]
        if kind == "input_json_delta":
            arguments = delta.get("partial_json") or ""
            if index in self._json_blocks:
                return [self._chunk({"content": arguments})] if arguments else []
            call = {"index": self._tools.get(index, 0), "function": {"arguments": arguments}}
            return [self._chunk({"tool_calls": [call]})]
        if kind == "thinking_delta":
            text = delta.get("thinking") or ""
            block = self._thinking.get(index)
            if block is not None:
                block["thinking"] = (block.get("thinking") or "") + text
            return [self._chunk({"reasoning_content": text})]
        if kind == "signature_delta":
            block = self._thinking.get(index)
            if block is not None:
                block["signature"] = (block.get("signature") or "") + (delta.get("signature") or "")
            return []
        return []  # citations_delta, ...

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> ChatCompletionChunk:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return self._make([choice], None)

    def _make(self, choices: list[dict[str, Any]], usage: Any) -> ChatCompletionChunk:
        return ChatCompletionChunk.model_validate(
            {
                "id": self._id,
                "object": "chat.completion.chunk",
                "created": self._created,
                "model": self._model,
                "choices": choices,
                "usage": usage,
            }
        )
