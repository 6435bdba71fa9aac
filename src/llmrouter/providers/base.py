"""The provider protocol: one adapter per wire format or SDK, behind two methods (and `embed`
for the adapters that serve embeddings: `llmrouter.providers.embeddings`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from llmrouter.config.secrets import ResolvedProvider
from llmrouter.passthrough import Passthrough, ReceivedStream
from llmrouter.pricing import Price
from llmrouter.types import ChatCompletion, ChatCompletionChunk
from llmrouter.vendors import ModelRef, model_ref

__all__ = ["Deployment", "Provider", "ProviderCall"]


@dataclass(frozen=True)
class Deployment:
    """A `models:` entry, resolved: where it lives, what it costs."""

    name: str
    model: str
    """The model string, e.g. `zai/glm-4.6` (litellm's strings: prefix / model id)."""
    provider: ResolvedProvider
    price: Price
    ref: ModelRef = field(init=False, repr=False, compare=False)
    """The model string parsed once: its vendor and model id."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "ref", model_ref(self.model))

    @property
    def provider_name(self) -> str:
        return self.provider.name

    @property
    def model_id(self) -> str:
        """The id sent upstream: `glm-4.6` for `zai/glm-4.6`."""
        return self.ref.model_id

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
    input: list[str] = field(default_factory=list)
    """The texts of an embedding call (`embed`); empty for a chat."""
    passthrough: Passthrough | None = None
    """The client's own body: a native adapter of its wire sends it instead of translating
    `messages` and `params` (`llmrouter.passthrough`)."""
    received: ReceivedStream | None = None
    """Where a streamed pass-through attempt keeps the events the backend sent."""

    def passthrough_for(self, wire: str) -> Passthrough | None:
        """The pass-through body, if this call has one for `wire`."""
        passthrough = self.passthrough
        return passthrough if passthrough is not None and passthrough.wire == wire else None


@runtime_checkable
class Provider(Protocol):
    """An adapter. It raises only `llmrouter.errors.ProviderError` subclasses, classified by
    `llmrouter.faults.classify`, never retries on its own, and returns a new answer object per
    call (the router attaches the answer's route to it)."""

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        """One non-streamed chat completion."""
        ...

    def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        """One streamed chat completion, as OpenAI-shaped chunks."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
