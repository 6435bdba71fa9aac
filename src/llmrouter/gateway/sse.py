"""Server-sent events, encoded once: `event:` (optional) and one `data:` line of compact JSON."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

__all__ = ["data_event", "named_event"]


def data_event(payload: Any) -> bytes:
    """`data: {json}` (the Chat Completions style)."""
    return b"data: " + to_json(payload) + b"\n\n"


def named_event(name: str, payload: Any) -> bytes:
    """`event: name` + `data: {json}` (the Responses and Messages style)."""
    return b"event: " + name.encode() + b"\ndata: " + to_json(payload) + b"\n\n"
