"""A caller's request, validated and split into messages (or embedding inputs), provider
parameters and metadata."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from llmrouter.didyoumean import suggest
from llmrouter.embedding_input import check_embedding_params, validate_input
from llmrouter.errors import RequestValidationError
from llmrouter.passthrough import Passthrough

__all__ = ["PARAMETERS", "CompletionRequest", "Operation"]

Operation = Literal["chat", "embedding"]

_SURROGATE = re.compile("[\ud800-\udfff]")

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})

# Parameters that would bypass the router's own guarantees.
_REFUSED = {
    "api_key": "credentials belong in the provider config (`${ENV}` references)",
    "api_base": "endpoints belong in the provider config",
    "base_url": "endpoints belong in the provider config",
    "num_retries": "the router is the only retry loop; set `retries` on the route",
    "max_retries": "the router is the only retry loop; set `retries` on the route",
    "fallbacks": "fallbacks are the route's `models` list",
    "request_timeout": "use `timeout=` (seconds, for the whole request)",
    "caching": "use `cache=` ({'no-cache': True}, {'no-store': True}, {'ttl': 30})",
}

PARAMETERS = frozenset(
    {
        # OpenAI Chat Completions
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
        # Anthropic controls with no OpenAI name
        "thinking",
        "top_k",
        # explicit passthrough (merged into the upstream request as given)
        "extra_body",
        "extra_headers",
        # litellm's test switch: an answer without an upstream call
        "mock_response",
    }
)
"""Call parameters `acompletion` accepts; any other is refused by name. Vendor fields without
an OpenAI name go through `extra_body`, which is sent as it is."""


@dataclass(frozen=True)
class CompletionRequest:
    """What one `acompletion` (or `aembedding`) call asks for."""

    target: str
    """A route name or a model name."""
    messages: list[dict[str, Any]]
    """The chat (empty for an embedding request)."""
    params: dict[str, Any] = field(default_factory=dict)
    """OpenAI-style parameters passed through to the provider (temperature, tools, ...)."""
    stream: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    timeout_s: float | None = None
    """Overrides the route's deadline for this call."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Per-call cache controls: `no-cache` (skip lookup), `no-store`, `ttl` (seconds)."""
    passthrough: Passthrough | None = None
    """The body as its client wrote it, sent as it is by attempts of its wire
    (`llmrouter.passthrough`; the gateway sets it)."""
    operation: Operation = "chat"
    input: list[str] = field(default_factory=list)
    """The texts to embed (an embedding request; empty for a chat)."""

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
        passthrough: Passthrough | None = None,
    ) -> CompletionRequest:
        """Validate the caller's arguments; raise `RequestValidationError` naming the field."""
        _check_call(model, timeout, metadata)
        _check_parameters(params)
        if passthrough is not None and not isinstance(passthrough, Passthrough):
            raise RequestValidationError(
                "passthrough", "must be an llmrouter.passthrough.Passthrough"
            )
        mock = params.get("mock_response")
        if mock is not None and not isinstance(mock, str):
            raise RequestValidationError("mock_response", "must be the answer's text (a string)")
        return cls(
            target=model,
            messages=_validate_messages(messages),
            params=dict(params),
            stream=bool(stream),
            metadata=dict(metadata or {}),
            timeout_s=float(timeout) if timeout is not None else None,
            cache=_validate_cache_controls(cache),
            passthrough=passthrough,
        )

    @classmethod
    def embedding(
        cls,
        model: str,
        input: object,
        *,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        cache: Mapping[str, Any] | None = None,
        params: Mapping[str, Any],
    ) -> CompletionRequest:
        """Validate an `aembedding` call (see `llmrouter.embedding_input` for `input`)."""
        _check_call(model, timeout, metadata)
        check_embedding_params(params, _REFUSED)
        return cls(
            target=model,
            messages=[],
            params=dict(params),
            metadata=dict(metadata or {}),
            timeout_s=float(timeout) if timeout is not None else None,
            cache=_validate_cache_controls(cache),
            operation="embedding",
            input=validate_input(input),
        )

    @property
    def tenant(self) -> str | None:
        """`metadata["tenant"]`: isolates cache entries and budgets."""
        tenant = self.metadata.get("tenant")
        return None if tenant is None else str(tenant)


def _check_call(model: object, timeout: object, metadata: object) -> None:
    """What every call shares: the route or model name, the deadline, the metadata."""
    if not isinstance(model, str) or not model:
        raise RequestValidationError("model", "must be a non-empty route or model name")
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise RequestValidationError("timeout", "must be a positive number of seconds")
    if metadata is not None and not isinstance(metadata, Mapping):
        raise RequestValidationError("metadata", "must be a mapping")
    _check_tenant(metadata)


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
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise RequestValidationError(
                    "cache.ttl", "must be a positive, finite number of seconds"
                )
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
        _check_text(message, where)
        out.append(dict(message))
    return out


def _check_parameters(params: Mapping[str, Any]) -> None:
    for name in params:
        if name in PARAMETERS:
            continue
        why = _REFUSED.get(name)
        if why is not None:
            raise RequestValidationError(name, f"not accepted per call: {why}")
        hint = suggest(name, PARAMETERS)
        did_you_mean = f"did you mean {hint!r}? " if hint else ""
        raise RequestValidationError(
            name,
            f"unknown parameter; {did_you_mean}A vendor-specific field goes in "
            f"extra_body={{{name!r}: ...}}",
        )


def _check_tenant(metadata: object) -> None:
    """Tenants isolate cache entries and budgets, so they are compared exactly: `1` and `"1"`
    (or an object whose str() is "acme") must not pass for the same tenant."""
    if isinstance(metadata, Mapping) and "tenant" in metadata:
        tenant = metadata["tenant"]
        if not isinstance(tenant, str):
            raise RequestValidationError(
                "metadata.tenant", f"must be a string, not {type(tenant).__name__}"
            )


def _check_text(message: Mapping[str, Any], where: str) -> None:
    """Every string in a message must be encodable text: a lone surrogate (half of a UTF-16
    pair, e.g. from a truncated emoji) cannot be sent, hashed for the cache or logged."""
    stack: list[tuple[str, Any]] = [(where, message)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and _SURROGATE.search(value):
                raise RequestValidationError(
                    path, "contains a lone surrogate (invalid Unicode); fix the text's encoding"
                )
        elif isinstance(value, Mapping):
            stack.extend((f"{path}.{key}", item) for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
