"""The provider protocol: one adapter per wire format or SDK, behind two methods."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from llmrouter.config.secrets import ResolvedProvider
from llmrouter.pricing import Price
from llmrouter.types import ChatCompletion, ChatCompletionChunk

__all__ = ["Deployment", "Provider", "ProviderCall"]


@dataclass(frozen=True)
class Deployment:
    """A `models:` entry, resolved: where it lives, what it costs."""

    name: str
    model: str
    """The litellm model string, e.g. `zai/glm-4.6`."""
    provider: ResolvedProvider
    price: Price

    @property
    def provider_name(self) -> str:
        return self.provider.name

    @property
    def context_window(self) -> int | None:
        return self.price.context_window


@dataclass(frozen=True)
class ProviderCall:
    """One upstream attempt's input."""

    deployment: Deployment
    messages: list[dict[str, Any]]
    params: Mapping[str, Any] = field(default_factory=dict)
    timeout_s: float = 60.0


@runtime_checkable
class Provider(Protocol):
    """An adapter. It raises only `llmrouter.errors.ProviderError` subclasses, classified by
    `llmrouter.faults.classify`, and never retries on its own."""

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        """One non-streamed chat completion."""
        ...

    def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        """One streamed chat completion, as OpenAI-shaped chunks."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
