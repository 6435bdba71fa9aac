"""Embeddings on the adapters' side: the optional `embed` method, and one way to read an
OpenAI-shaped embeddings answer (native wire and litellm alike).

`Provider` keeps its two methods, so a custom adapter written before embeddings stays valid;
an adapter that serves embeddings adds `async def embed(call) -> EmbeddingResponse`
(`EmbeddingProvider`). Asking one without it gives a `BadRequestError` that names it.

Answers are returned in the encoding the call asked for: a vendor that sends floats when
`encoding_format="base64"` was asked (or base64 when floats were) is converted here, so every
deployment of a route answers alike. base64 holds little-endian float32 values, as OpenAI
sends them.
"""

from __future__ import annotations

import array
import base64
import binascii
import sys
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from llmrouter.errors import BadRequestError, MalformedResponseError
from llmrouter.providers.base import ProviderCall
from llmrouter.types import EmbeddingResponse

__all__ = [
    "EmbeddingProvider",
    "conform_encoding",
    "decode_vector",
    "embed_with",
    "encode_vector",
    "parse_embeddings",
]


@runtime_checkable
class EmbeddingProvider(Protocol):
    """An adapter that serves embeddings."""

    async def embed(self, call: ProviderCall) -> EmbeddingResponse:
        """One embeddings call: `call.input` in, one vector per input out."""
        ...


async def embed_with(provider: object, call: ProviderCall) -> EmbeddingResponse:
    """`provider.embed(call)`, or a `BadRequestError` naming an adapter that has no `embed`."""
    embed = getattr(provider, "embed", None)
    if embed is None:
        deployment = call.deployment
        raise BadRequestError(
            f"the adapter {type(provider).__name__} has no embed(call) method, so it cannot "
            "serve embeddings",
            model=deployment.name,
            provider=deployment.provider_name,
        )
    answer: EmbeddingResponse = await embed(call)
    return answer


def encode_vector(vector: list[float]) -> str:
    """A vector as base64 of little-endian float32 values (OpenAI's `base64` encoding)."""
    values = array.array("f", vector)
    if sys.byteorder == "big":
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def decode_vector(text: str) -> list[float]:
    """The inverse of `encode_vector`; ValueError for text that is not such a vector."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if len(raw) % 4:
        raise ValueError("not a whole number of float32 values")
    values = array.array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


def parse_embeddings(payload: Mapping[str, Any], call: ProviderCall) -> EmbeddingResponse:
    """Validate an embeddings answer and give it the encoding the call asked for;
    `MalformedResponseError` when it is not one (its text is left out: it may quote inputs)."""
    data = dict(payload)
    data.setdefault("model", call.deployment.model_id)
    try:
        answer = EmbeddingResponse.model_validate(data)
    except ValidationError as exc:
        raise _malformed(call, f"{exc.error_count()} invalid fields") from None
    return conform_encoding(answer, call)


def conform_encoding(answer: EmbeddingResponse, call: ProviderCall) -> EmbeddingResponse:
    """Convert the vectors to the encoding `call` asked for (float unless `base64`)."""
    wanted_base64 = call.params.get("encoding_format") == "base64"
    try:
        for item in answer.data:
            vector = item.embedding
            if wanted_base64 and isinstance(vector, list):
                item.embedding = encode_vector(vector)
            elif not wanted_base64 and isinstance(vector, str):
                item.embedding = decode_vector(vector)
    except ValueError as exc:
        raise _malformed(call, f"a base64 embedding is {exc}") from None
    return answer


def _malformed(call: ProviderCall, why: str) -> MalformedResponseError:
    deployment = call.deployment
    return MalformedResponseError(
        f"unexpected embeddings answer: {why}",
        model=deployment.name,
        provider=deployment.provider_name,
        status_code=200,
    )
