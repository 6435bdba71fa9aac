"""Deterministic embedding vectors for the test doubles: the same model and text always give the
same unit vector, two models give different ones, and a shorter `dimensions` is the longer
vector cut and renormalised (as OpenAI's text-embedding-3 models do). Values are float32, so a
base64 answer decodes to exactly the floats of a float answer."""

from __future__ import annotations

import array
import hashlib
import math

__all__ = ["DEFAULT_DIMENSIONS", "default_dimensions", "vector_for"]

DEFAULT_DIMENSIONS = 256
"""The vector size of a model the table below does not know."""

_KNOWN = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
    "embedding-3": 2048,
    "embedding-2": 1024,
}


def default_dimensions(model: str) -> int:
    """The vector size a model answers with when `dimensions` is not given."""
    return _KNOWN.get(model.rsplit("/", 1)[-1], DEFAULT_DIMENSIONS)


def vector_for(model: str, text: str, dimensions: int | None = None) -> list[float]:
    """The unit vector of `text` under `model`, `dimensions` long (default: the model's)."""
    size = dimensions or default_dimensions(model)
    # shake_256's shorter digests are prefixes of its longer ones: the cut keeps the head.
    digest = hashlib.shake_256(f"{model.rsplit('/', 1)[-1]}\0{text}".encode()).digest(2 * size)
    raw = [
        (int.from_bytes(digest[i : i + 2], "little") - 32767.5) / 32767.5
        for i in range(0, 2 * size, 2)
    ]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    return array.array("f", (v / norm for v in raw)).tolist()
