"""Deterministic token counts of the local providers: one token per started four characters."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["all_text_of", "estimate_tokens", "message_tokens", "text_of"]


def estimate_tokens(text: str) -> int:
    """A deterministic token estimate: one token per started group of four characters."""
    return math.ceil(len(text) / 4)


def text_of(content: Any) -> str:
    """The text of a message content: a string, or the `text` of its text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                texts.append(part["text"])
        return "".join(texts)
    return ""


def all_text_of(message: Mapping[str, Any]) -> str:
    """Everything in a message that costs tokens: text plus tool calls and tool results."""
    content = message.get("content")
    text = text_of(content)
    extra: list[Any] = []
    if isinstance(content, list):
        extra.extend(p for p in content if isinstance(p, Mapping) and "text" not in p)
    if message.get("tool_calls"):
        extra.append(message["tool_calls"])
    return text + (json.dumps(extra, ensure_ascii=False) if extra else "")


def message_tokens(message: Mapping[str, Any]) -> int:
    """The prompt tokens one message costs (its text plus three for the role framing)."""
    return estimate_tokens(all_text_of(message)) + 3
