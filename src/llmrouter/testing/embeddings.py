"""The embeddings endpoint of the OpenAI-wire stand-ins, `POST /<provider>/embeddings`, as strict
as the vendors' API references. Each refusal has a rule name a test can relax.

OpenAI flavour (API reference, "Create embeddings"; errors in OpenAI's shape):

- `embedding_model`, `embedding_input`: `model` and `input` are required; `input` is a
  non-empty string, an array of 1 to 2,048 non-empty strings, an array of token ids or an array
  of such arrays (token ids are embedded as given);
- `embedding_encoding_format`: `encoding_format` is `float` (the default) or `base64` (each
  vector as base64 of little-endian float32 values);
- `embedding_dimensions`: `dimensions` only on text-embedding-3 models, 1 up to the model's
  size ("This model does not support specifying dimensions." otherwise);
- `unknown_param`: any other body field ("Unrecognized request argument supplied: X").

Zhipu flavour (bigmodel.cn API reference, "文本嵌入"; errors `{"error": {"code", "message"}}`):
`model` and `input` (a string or an array of strings) are required, `dimensions` is 256, 512,
1024 or 2048 on `embedding-3` only (code 1214); vectors are floats whatever is asked.

Vectors are deterministic (`llmrouter.testing.vectors`); usage counts one token per started
four characters of each input (a token array: one per id).
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Mapping
from typing import Any

from llmrouter.testing.rules_openai import OpenAIRefusal
from llmrouter.testing.tokens import estimate_tokens
from llmrouter.testing.vectors import default_dimensions, vector_for

__all__ = [
    "EMBEDDING_RULES",
    "MAX_INPUTS",
    "check_embeddings",
    "embeddings_payload",
    "input_tokens",
]

MAX_INPUTS = 2048
OPENAI_EMBEDDING_PARAMS = frozenset({"model", "input", "encoding_format", "dimensions", "user"})
ZHIPU_DIMENSIONS = frozenset({256, 512, 1024, 2048})
EMBEDDING_RULES = frozenset(
    {"embedding_model", "embedding_input", "embedding_encoding_format", "embedding_dimensions"}
)
_INVALID_INPUT = (
    "'$.input' is invalid. Please check the API reference: "
    "https://platform.openai.com/docs/api-reference."
)


def _inputs(body: Mapping[str, Any]) -> list[str | list[int]] | None:
    """The inputs as the OpenAI API accepts them, or None for an input it refuses."""
    value = body.get("input")
    if isinstance(value, str):
        return [value] if value else None
    if not isinstance(value, list) or not value or len(value) > MAX_INPUTS:
        return None
    if all(_is_token(v) for v in value):
        return [value]
    out: list[str | list[int]] = []
    for item in value:
        if not _is_input(item):
            return None
        out.append(item)
    return out


def _is_input(item: object) -> bool:
    """A non-empty string, or a non-empty array of token ids."""
    if isinstance(item, str):
        return bool(item)
    return isinstance(item, list) and bool(item) and all(_is_token(v) for v in item)


def _is_token(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _openai_rules(body: Mapping[str, Any]) -> list[OpenAIRefusal | None]:
    model = str(body.get("model") or "")
    dimensions = body.get("dimensions")
    refusals: list[OpenAIRefusal | None] = [
        OpenAIRefusal("embedding_model", "you must provide a model parameter")
        if not model
        else None,
        OpenAIRefusal("embedding_input", "'input' is a required property")
        if "input" not in body
        else (OpenAIRefusal("embedding_input", _INVALID_INPUT) if _inputs(body) is None else None),
    ]
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        message = f"{encoding!r} is not one of ['float', 'base64'] - 'encoding_format'"
        refusals.append(OpenAIRefusal("embedding_encoding_format", message))
    if dimensions is not None:
        refusals.append(_openai_dimensions(model, dimensions))
    unknown = next((k for k in body if k not in OPENAI_EMBEDDING_PARAMS), None)
    if unknown is not None:
        message = f"Unrecognized request argument supplied: {unknown}"
        refusals.append(OpenAIRefusal("unknown_param", message))
    return refusals


def _openai_dimensions(model: str, dimensions: object) -> OpenAIRefusal | None:
    if not model.startswith("text-embedding-3"):
        message = "This model does not support specifying dimensions."
        return OpenAIRefusal("embedding_dimensions", message, param="dimensions")
    most = default_dimensions(model)
    valid = isinstance(dimensions, int) and not isinstance(dimensions, bool)
    if not valid or not 1 <= int(dimensions) <= most:  # type: ignore[call-overload]
        message = f"Invalid value for 'dimensions' = {dimensions}. Must be between 1 and {most}."
        return OpenAIRefusal("embedding_dimensions", message, param="dimensions")
    return None


def _zhipu_rules(body: Mapping[str, Any]) -> list[OpenAIRefusal | None]:
    model = str(body.get("model") or "")
    value = body.get("input")
    strings = isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
    dimensions = body.get("dimensions")
    bad_dimensions = dimensions is not None and (
        model != "embedding-3" or dimensions not in ZHIPU_DIMENSIONS
    )
    return [
        _zhipu("embedding_model", "model") if not model else None,
        _zhipu("embedding_input", "input")
        if not (value and (isinstance(value, str) or strings))
        else None,
        _zhipu("embedding_dimensions", "dimensions") if bad_dimensions else None,
    ]


def _zhipu(rule: str, field: str) -> OpenAIRefusal:
    message = f"Invalid {field} parameter. Please check the documentation"
    return OpenAIRefusal(rule, message, code="1214")


def check_embeddings(
    flavor: str, body: Mapping[str, Any], relaxed: frozenset[str] | set[str]
) -> OpenAIRefusal | None:
    """The first rule of the flavour that `body` breaks, skipping `relaxed` rules."""
    rules = _zhipu_rules(body) if flavor == "zhipu" else _openai_rules(body)
    return next((r for r in rules if r is not None and r.rule not in relaxed), None)


def input_tokens(body: Mapping[str, Any]) -> list[int]:
    """The tokens of each input (for usage and the context window)."""
    return [
        len(item) if isinstance(item, list) else estimate_tokens(item)
        for item in _inputs(body) or ()
    ]


def _base64(vector: list[float]) -> str:
    """OpenAI's base64 encoding: little-endian float32 values."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embeddings_payload(flavor: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The `list` object answering `body` (already checked)."""
    model = str(body.get("model") or "")
    dimensions = body.get("dimensions")
    as_base64 = flavor == "openai" and body.get("encoding_format") == "base64"
    data = []
    for index, item in enumerate(_inputs(body) or ()):
        text = item if isinstance(item, str) else json.dumps(item)
        vector = vector_for(model, text, dimensions)
        encoded = _base64(vector) if as_base64 else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(input_tokens(body))
    usage: dict[str, Any] = {"prompt_tokens": tokens, "total_tokens": tokens}
    if flavor == "zhipu":
        usage = {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens}
    return {"object": "list", "data": data, "model": model, "usage": usage}
