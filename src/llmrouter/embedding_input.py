"""What an `aembedding` call may carry: its `input` and its parameter allow-list.

`input` is one non-empty string or a list of 1 to 2,048 of them (OpenAI's cap on items). Token
arrays (OpenAI also takes lists of token ids) are refused by name: a route may fall back to a
deployment with another tokenizer, where the same ids mean other text, so only text can be
routed. Every string must be encodable text (no lone surrogate), as for messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from llmrouter.didyoumean import suggest
from llmrouter.errors import RequestValidationError

__all__ = ["EMBEDDING_PARAMETERS", "MAX_INPUTS", "check_embedding_params", "validate_input"]

MAX_INPUTS = 2048
"""Inputs per call: OpenAI's limit on the `input` array."""

EMBEDDING_PARAMETERS = frozenset(
    {"dimensions", "encoding_format", "user", "extra_body", "extra_headers"}
)
"""Call parameters `aembedding` accepts; any other is refused by name."""

_ENCODINGS = ("float", "base64")
_SURROGATE = re.compile("[\ud800-\udfff]")


def validate_input(value: object) -> list[str]:
    """The inputs as a list of strings; `RequestValidationError` naming the bad item."""
    if isinstance(value, str):
        return [_text(value, "input")]
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, Sequence):
        raise RequestValidationError("input", "must be a string or a list of strings")
    if not value:
        raise RequestValidationError("input", "must not be empty")
    if len(value) > MAX_INPUTS:
        raise RequestValidationError(
            "input", f"has {len(value):,} items; at most {MAX_INPUTS:,} per call"
        )
    if all(isinstance(item, int) and not isinstance(item, bool) for item in value) or any(
        isinstance(item, (list, tuple)) for item in value
    ):
        raise RequestValidationError(
            "input",
            "token arrays are not accepted: a fallback deployment may use another tokenizer, "
            "so send the text",
        )
    return [_text(item, f"input[{index}]") for index, item in enumerate(value)]


def _text(item: object, where: str) -> str:
    if not isinstance(item, str):
        raise RequestValidationError(where, f"must be a string, not {type(item).__name__}")
    if not item:
        raise RequestValidationError(where, "must not be an empty string")
    if not item.isascii() and _SURROGATE.search(item):
        raise RequestValidationError(
            where, "contains a lone surrogate (invalid Unicode); fix the text's encoding"
        )
    return item


def check_embedding_params(params: Mapping[str, Any], refused: Mapping[str, str]) -> None:
    """Refuse unknown names (with a did-you-mean) and malformed values of known ones.
    `refused` names parameters that would bypass the router (credentials, retries)."""
    for name, value in params.items():
        if name not in EMBEDDING_PARAMETERS:
            why = refused.get(name)
            if why is not None:
                raise RequestValidationError(name, f"not accepted per call: {why}")
            hint = suggest(name, EMBEDDING_PARAMETERS)
            did_you_mean = f"did you mean {hint!r}? " if hint else ""
            accepted = ", ".join(sorted(EMBEDDING_PARAMETERS))
            raise RequestValidationError(
                name,
                f"unknown parameter for embeddings; {did_you_mean}accepted: {accepted} "
                f"(a vendor-specific field goes in extra_body={{{name!r}: ...}})",
            )
        _check_value(name, value)


def _check_value(name: str, value: object) -> None:
    if name == "dimensions":
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise RequestValidationError(name, "must be a positive whole number")
    elif name == "encoding_format":
        if value not in _ENCODINGS:
            raise RequestValidationError(name, f"must be 'float' or 'base64', not {value!r}")
    elif name == "user":
        if not isinstance(value, str):
            raise RequestValidationError(name, "must be a string")
    elif not isinstance(value, Mapping):  # extra_body, extra_headers
        raise RequestValidationError(name, "must be a mapping")
