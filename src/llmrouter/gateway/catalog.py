"""`GET /v1/models`: the routes and models a key may use, in OpenAI's list shape, or in
Anthropic's when the request carries `anthropic-version`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmrouter.gateway.keys import Principal

__all__ = ["model_list"]


def model_list(
    targets: Sequence[str], principal: Principal, headers: Mapping[str, str]
) -> dict[str, Any]:
    names = [name for name in targets if principal.may_use(name)]
    if "anthropic-version" in headers:
        data = [
            {"type": "model", "id": n, "display_name": n, "created_at": "1970-01-01T00:00:00Z"}
            for n in names
        ]
        return {
            "data": data,
            "has_more": False,
            "first_id": names[0] if names else None,
            "last_id": names[-1] if names else None,
        }
    return {
        "object": "list",
        "data": [
            {"id": n, "object": "model", "created": 0, "owned_by": "llmrouter"} for n in names
        ],
    }
