"""How a cached answer is stored: the response JSON and which model produced it. A chat
completion is stored under `response`, an embeddings response under `embedding`; the key of
each already differs (`llmrouter.cache.keys`), the field says which type to read back."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from llmrouter.types import Answer, ChatCompletion, EmbeddingResponse

__all__ = ["CachedAnswer", "decode", "encode", "entry_for"]


class CachedAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    model: str
    provider: str
    response: ChatCompletion | None = None
    embedding: EmbeddingResponse | None = None

    @property
    def answer(self) -> Answer | None:
        """The stored answer (None for an entry holding neither)."""
        return self.response if self.response is not None else self.embedding


def entry_for(model: str, provider: str, answer: Answer) -> CachedAnswer:
    """The entry storing `answer` in the field of its type."""
    if isinstance(answer, ChatCompletion):
        return CachedAnswer(model=model, provider=provider, response=answer)
    return CachedAnswer(model=model, provider=provider, embedding=answer)


def encode(answer: CachedAnswer) -> bytes:
    exclude = {"response": {"route"}, "embedding": {"route"}}
    return answer.model_dump_json(exclude=exclude).encode("utf-8")


def decode(blob: bytes) -> CachedAnswer | None:
    """None for an entry we cannot read (another version wrote it, or it is corrupt)."""
    try:
        entry = CachedAnswer.model_validate_json(blob)
    except ValidationError:
        return None
    return entry if entry.answer is not None else None
