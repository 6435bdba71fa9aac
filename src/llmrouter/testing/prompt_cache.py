"""Prompt caches of a local provider, per wire, as the vendors bill them.

Anthropic (explicit): a prefix ending at a block marked `cache_control` (or the last block,
with a top-level `cache_control`) is written to the cache the first time
(`cache_creation_input_tokens`) and read on a later request with the same prefix
(`cache_read_input_tokens`); prefixes under `min_tokens` are not cached. The prefix order is
the API's: tools, system, messages.

OpenAI and Zhipu (automatic): a prompt prefix seen before is reported as
`prompt_tokens_details.cached_tokens`, in 128-token steps from `min_tokens` up (OpenAI's rule).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llmrouter.testing.tokens import estimate_tokens, message_tokens

__all__ = ["AnthropicCacheUse", "PromptCache"]

_STEP = 128


@dataclass(frozen=True)
class AnthropicCacheUse:
    """Cache tokens of one Anthropic request (both 0 when nothing was cached)."""

    read: int = 0
    write: int = 0


def _key(model: str, parts: list[str]) -> str:
    digest = hashlib.sha256(model.encode())
    for part in parts:
        digest.update(b"\x00" + part.encode())
    return digest.hexdigest()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _without_cache_control(block: Any) -> Any:
    if isinstance(block, Mapping):
        return {k: v for k, v in block.items() if k != "cache_control"}
    return block


def _anthropic_blocks(body: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """(block text, is a breakpoint) in cache order: tools, system, message blocks."""
    blocks: list[tuple[str, bool]] = []
    for tool in body.get("tools") or ():
        marked = isinstance(tool, Mapping) and "cache_control" in tool
        blocks.append((_dump(_without_cache_control(tool)), marked))
    system = body.get("system")
    if isinstance(system, str) and system:
        blocks.append((system, False))
    elif isinstance(system, list):
        for block in system:
            marked = isinstance(block, Mapping) and "cache_control" in block
            blocks.append((_dump(_without_cache_control(block)), marked))
    for message in body.get("messages") or ():
        if not isinstance(message, Mapping):
            continue
        role = str(message.get("role"))
        content = message.get("content")
        if isinstance(content, str):
            blocks.append((role + ":" + content, False))
            continue
        for block in content or ():
            marked = isinstance(block, Mapping) and "cache_control" in block
            blocks.append((role + ":" + _dump(_without_cache_control(block)), marked))
    if body.get("cache_control") and blocks:  # automatic caching: the last block
        text, _ = blocks[-1]
        blocks[-1] = (text, True)
    return blocks


class PromptCache:
    """The prefixes one provider has cached (for its lifetime, or until `clear`)."""

    def __init__(self) -> None:
        self._anthropic: dict[str, int] = {}
        self._openai: dict[str, int] = {}

    def clear(self) -> None:
        """Forget every cached prefix."""
        self._anthropic.clear()
        self._openai.clear()

    def anthropic(self, body: Mapping[str, Any], min_tokens: int) -> AnthropicCacheUse:
        """Look the request's breakpoints up, then cache them."""
        model = str(body.get("model", ""))
        blocks = _anthropic_blocks(body)
        texts: list[str] = []
        tokens = 0
        breakpoints: list[tuple[str, int]] = []
        for text, marked in blocks:
            texts.append(text)
            tokens += estimate_tokens(text)
            if marked and tokens >= min_tokens:
                breakpoints.append((_key(model, texts), tokens))
        read = max((t for key, t in breakpoints if key in self._anthropic), default=0)
        last = breakpoints[-1] if breakpoints else None
        write = 0
        if last is not None and last[0] not in self._anthropic:
            write = last[1] - read
        for key, count in breakpoints:
            self._anthropic[key] = count
        return AnthropicCacheUse(read=read, write=write)

    def openai(self, body: Mapping[str, Any], min_tokens: int) -> int:
        """Cached prompt tokens of an OpenAI-wire request, then remember its prefixes."""
        model = str(body.get("model", ""))
        tools = body.get("tools")
        parts = [_dump(tools or [])]
        tokens = estimate_tokens(json.dumps(tools, ensure_ascii=False)) if tools else 0
        cached = 0
        for message in body.get("messages") or ():
            if not isinstance(message, Mapping):
                continue
            parts.append(_dump(message))
            tokens += message_tokens(message)
            if tokens < min_tokens:
                continue
            key = _key(model, parts)
            if key in self._openai:
                cached = tokens
            self._openai[key] = tokens
        if cached < min_tokens:
            return 0
        return min_tokens + (cached - min_tokens) // _STEP * _STEP
