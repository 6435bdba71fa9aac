"""`AdapterDispatch`: the one provider a router holds. It sends each call to the native adapter
of its model's wire (OpenAI chat completions or Anthropic Messages, from the model's vendor
file) or, for every other model, to a fallback provider (normally `LiteLLMProvider`).

A model is served natively when its vendor has a native wire, an endpoint is known (configured,
or the vendor's default), the provider sets no litellm-only `params`, and its `adapter` setting
is `auto` or `native`. Embeddings (`embed`) take the same choice: the OpenAI wire serves them
natively; litellm serves the rest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable

from llmrouter.errors import BadRequestError
from llmrouter.providers.anthropic_wire import AnthropicWireProvider
from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.providers.embeddings import embed_with
from llmrouter.providers.http_client import DEFAULT_MAX_CONNECTIONS, Redact
from llmrouter.providers.openai_wire import OpenAIWireProvider
from llmrouter.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse

__all__ = ["AdapterDispatch", "can_serve_natively"]


def can_serve_natively(deployment: Deployment) -> bool:
    """Whether a native adapter can serve this deployment as configured."""
    vendor = deployment.ref.vendor
    if vendor.wire is None or deployment.provider.params:
        return False
    return bool(deployment.provider.api_base or vendor.api_base)


class AdapterDispatch:
    """Dispatches each call by its deployment: native OpenAI wire, native Anthropic wire, or
    `fallback` for everything else (`use_native` decides; default `can_serve_natively`)."""

    def __init__(
        self,
        redact: Redact,
        fallback: Provider | None = None,
        *,
        use_native: Callable[[Deployment], bool] = can_serve_natively,
        deployments: Iterable[Deployment] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        """`deployments`, when given, lets `warm_up` skip the fallback if no model needs it."""
        self._openai = OpenAIWireProvider(redact, max_connections=max_connections)
        self._anthropic = AnthropicWireProvider(redact, max_connections=max_connections)
        self._fallback = fallback
        self._use_native = use_native
        self._choice: dict[tuple[str, str, str], Provider | None] = {}
        self._deployments = None if deployments is None else list(deployments)

    def __repr__(self) -> str:
        return f"AdapterDispatch(fallback={type(self._fallback).__name__})"

    def _for(self, call: ProviderCall) -> Provider:
        deployment = call.deployment
        key = (deployment.name, deployment.model, deployment.provider_name)
        try:
            provider = self._choice[key]
        except KeyError:
            provider = self._choice[key] = self._pick(deployment)
        if provider is None:
            raise BadRequestError(
                f"no adapter for {deployment.model!r}: it has no native wire and litellm is "
                "not in use",
                model=deployment.name,
                provider=deployment.provider_name,
            )
        return provider

    def serves_natively(self, deployment: Deployment) -> bool:
        """Whether calls for `deployment` go to a native adapter (else to the fallback)."""
        return self._pick(deployment) is not self._fallback

    def _pick(self, deployment: Deployment) -> Provider | None:
        if self._use_native(deployment):
            wire = deployment.ref.wire
            if wire == "anthropic":
                return self._anthropic
            if wire == "openai":
                return self._openai
        return self._fallback

    @property
    def open(self) -> bool:
        """Whether a native adapter holds open connections."""
        return self._openai.open or self._anthropic.open

    def warm_up(self) -> None:
        """Import the HTTP client, and warm the fallback up (litellm's import takes seconds)
        unless no model needs it."""
        self._openai.warm_up()
        if self._deployments is not None and all(self._use_native(d) for d in self._deployments):
            return
        warm_up = getattr(self._fallback, "warm_up", None)
        if warm_up is not None:
            warm_up()

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        return await self._for(call).complete(call)

    def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        return self._for(call).stream(call)

    async def embed(self, call: ProviderCall) -> EmbeddingResponse:
        return await embed_with(self._for(call), call)

    async def aclose(self) -> None:
        """Close the native adapters' connections and the fallback's."""
        await self._openai.aclose()
        await self._anthropic.aclose()
        if self._fallback is not None:
            await self._fallback.aclose()
