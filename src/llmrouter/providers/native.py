"""Which models the native adapters serve, and one provider that dispatches between them.

`native_wire_for(model)` reads the litellm-style prefix of a model string. Only prefixes whose
API really is OpenAI chat completions at `{api_base}/chat/completions` with the api_base a
litellm config already uses are listed; providers where litellm rewrites the endpoint or the
parameters (dashscope, ollama, together_ai, groq, azure, ...) stay on litellm.

`NativeProvider` sends each call to the native adapter of its model's wire and every other
call to a fallback provider (normally `LiteLLMProvider`), so a router keeps one provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Literal

from llmrouter.errors import BadRequestError
from llmrouter.providers.anthropic_wire import AnthropicWireProvider
from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.providers.http_client import DEFAULT_MAX_CONNECTIONS, Redact
from llmrouter.providers.openai_wire import OpenAIWireProvider, openai_api_base
from llmrouter.types import ChatCompletion, ChatCompletionChunk

__all__ = ["NATIVE_WIRES", "NativeProvider", "NativeWire", "can_serve_natively", "native_wire_for"]

NativeWire = Literal["openai", "anthropic"]

NATIVE_WIRES: dict[str, NativeWire] = {
    "openai": "openai",
    "zai": "openai",
    "deepseek": "openai",
    "hosted_vllm": "openai",  # litellm calls {api_base}/chat/completions too; api_base required
    "custom_openai": "openai",  # litellm's generic OpenAI-compatible prefix; api_base required
    "anthropic": "anthropic",
}
"""Model-string prefix -> the wire format a native adapter speaks for it."""


def native_wire_for(model: str) -> NativeWire | None:
    """`"zai/glm-4.6"` -> `"openai"`, `"anthropic/claude-sonnet-4-5"` -> `"anthropic"`,
    `"bedrock/..."` -> None (litellm serves it)."""
    prefix, sep, rest = model.partition("/")
    if not sep or not rest:
        return None
    return NATIVE_WIRES.get(prefix)


def can_serve_natively(deployment: Deployment) -> bool:
    """Whether a native adapter can serve this deployment as configured: a native wire, an
    endpoint (configured or the prefix's default) and no litellm-only `params`."""
    wire = native_wire_for(deployment.model)
    if wire is None or deployment.provider.params:
        return False
    if wire == "openai":
        return openai_api_base(deployment.model, deployment.provider.api_base) is not None
    return True


class NativeProvider:
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
        return f"NativeProvider(fallback={type(self._fallback).__name__})"

    def _for(self, call: ProviderCall) -> Provider:
        deployment = call.deployment
        key = (deployment.name, deployment.model, deployment.provider_name)
        try:
            provider = self._choice[key]
        except KeyError:
            provider = self._pick(deployment)
            self._choice[key] = provider
        if provider is None:
            raise BadRequestError(
                f"no adapter for {deployment.model!r}: it has no native wire and no fallback",
                model=deployment.name,
                provider=deployment.provider_name,
            )
        return provider

    def _pick(self, deployment: Deployment) -> Provider | None:
        if self._use_native(deployment):
            wire = native_wire_for(deployment.model)
            if wire == "anthropic":
                return self._anthropic
            if wire == "openai":
                return self._openai
        return self._fallback

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

    async def aclose(self) -> None:
        """Close the native adapters' connections and the fallback's."""
        await self._openai.aclose()
        await self._anthropic.aclose()
        if self._fallback is not None:
            await self._fallback.aclose()
