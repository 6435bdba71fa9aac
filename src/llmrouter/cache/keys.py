"""Cache keys: a stable hash of everything that can change the answer, and the tenant.

The key covers the route (or model) asked for, the messages, every request parameter except
the ones that only change delivery (`stream`, `stream_options`), `metadata["tenant"]` and the
request's data class; an embedding request's also its operation and its inputs, so it never
shares a key with a chat (a chat's key is what it was before embeddings existed); and, for a
request carrying a pass-through body, that body (its fields reach the backend as they are, so
each can change the answer).
It never contains an API key: credentials are not request parameters (they are refused).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from llmrouter.request import CompletionRequest

__all__ = ["DELIVERY_PARAMS", "cache_key"]

DELIVERY_PARAMS = frozenset({"stream", "stream_options"})
_VERSION = "v1"


def cache_key(namespace: str, request: CompletionRequest, data_class: str | None = None) -> str:
    """`<namespace>:cache:v1:<sha256>`; two tenants or two parameter sets never share one."""
    canonical: dict[str, Any] = {
        "target": request.target,
        "tenant": request.tenant,
        "data_class": data_class,
        "messages": request.messages,
        "params": {k: v for k, v in request.params.items() if k not in DELIVERY_PARAMS},
    }
    if request.passthrough is not None:  # absent otherwise: other keys stay as they were
        canonical["passthrough"] = request.passthrough.cache_part()
    if request.operation != "chat":
        canonical["operation"] = request.operation
        canonical["input"] = request.input
    blob = json.dumps(
        canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr
    )
    digest = hashlib.sha256(blob.encode("utf-8")).hexdigest()
    return f"{namespace}:cache:{_VERSION}:{digest}"
