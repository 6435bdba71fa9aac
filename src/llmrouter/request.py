"""A caller's request, validated and split into messages, provider parameters and metadata."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llmrouter.errors import RequestValidationError

__all__ = ["CompletionRequest"]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})

# Parameters that would bypass the router's own guarantees.
_REFUSED = {
    "api_key": "credentials belong in the provider config (`${ENV}` references)",
    "api_base": "endpoints belong in the provider config",
    "base_url": "endpoints belong in the provider config",
    "num_retries": "the router is the only retry loop; set `retries` on the route",
    "max_retries": "the router is the only retry loop; set `retries` on the route",
    "fallbacks": "fallbacks are the route's `models` list",
}


@dataclass(frozen=True)
class CompletionRequest:
    """What one `acompletion` call asks for."""

    target: str
    """A route name or a model name."""
    messages: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)
    """OpenAI-style parameters passed through to the provider (temperature, tools, ...)."""
    stream: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    timeout_s: float | None = None
    """Overrides the route's deadline for this call."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Per-call cache controls: `no-cache` (skip lookup), `no-store`, `ttl` (seconds)."""

    @classmethod
    def build(
        cls,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        cache: Mapping[str, Any] | None = None,
        params: Mapping[str, Any],
    ) -> CompletionRequest:
        """Validate the caller's arguments; raise `RequestValidationError` naming the field."""
        if not isinstance(model, str) or not model:
            raise RequestValidationError("model", "must be a non-empty route or model name")
        for name, why in _REFUSED.items():
            if name in params:
                raise RequestValidationError(name, f"not accepted per call: {why}")
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise RequestValidationError("timeout", "must be a positive number of seconds")
        if metadata is not None and not isinstance(metadata, Mapping):
            raise RequestValidationError("metadata", "must be a mapping")
        return cls(
            target=model,
            messages=_validate_messages(messages),
            params=dict(params),
            stream=bool(stream),
            metadata=dict(metadata or {}),
            timeout_s=float(timeout) if timeout is not None else None,
            cache=_validate_cache_controls(cache),
        )

    def prompt_text(self) -> str:
        """All message text, for size estimates."""
        parts: list[str] = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
        return "\n".join(parts)


_CACHE_FLAGS = ("no-cache", "no-store")


def _validate_cache_controls(cache: object) -> dict[str, Any]:
    if cache is None:
        return {}
    if not isinstance(cache, Mapping):
        raise RequestValidationError("cache", "must be a mapping like {'no-cache': True}")
    for name, value in cache.items():
        if name in _CACHE_FLAGS:
            if not isinstance(value, bool):
                raise RequestValidationError(f"cache.{name}", "must be true or false")
        elif name == "ttl":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise RequestValidationError("cache.ttl", "must be a positive number of seconds")
        else:
            raise RequestValidationError(
                f"cache.{name}", "unknown cache control; use no-cache, no-store or ttl"
            )
    return dict(cache)


def _validate_messages(messages: object) -> list[dict[str, Any]]:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise RequestValidationError("messages", "must be a list of {'role', 'content'} mappings")
    if not messages:
        raise RequestValidationError("messages", "must not be empty")
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, Mapping):
            raise RequestValidationError(where, "must be a mapping with 'role' and 'content'")
        role = message.get("role")
        if role not in _ROLES:
            raise RequestValidationError(
                f"{where}.role", f"must be one of {', '.join(sorted(_ROLES))}, not {role!r}"
            )
        content = message.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise RequestValidationError(
                f"{where}.content", "must be a string, a list of content parts, or None"
            )
        out.append(dict(message))
    return out
