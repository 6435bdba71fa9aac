"""How a cached answer is stored: the response JSON and which model produced it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from llmrouter.types import ChatCompletion

__all__ = ["CachedAnswer", "decode", "encode"]


class CachedAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    model: str
    provider: str
    response: ChatCompletion


def encode(answer: CachedAnswer) -> bytes:
    return answer.model_dump_json(exclude={"response": {"route"}}).encode("utf-8")


def decode(blob: bytes) -> CachedAnswer | None:
    """None for an entry we cannot read (another version wrote it, or it is corrupt)."""
    try:
        return CachedAnswer.model_validate_json(blob)
    except ValidationError:
        return None
