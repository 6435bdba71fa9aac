"""Helpers for the native adapter tests: the canary key, deployments, calls, adapters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import SecretStr

from llmrouter.config.secrets import Redactor, ResolvedProvider
from llmrouter.pricing import Price
from llmrouter.providers.anthropic_wire import AnthropicWireProvider
from llmrouter.providers.base import Deployment, ProviderCall
from llmrouter.providers.openai_wire import OpenAIWireProvider
from llmrouter.testing import LocalProvider

KEY = "sk-native-canary-4d2f8a1b9c7e"
"""The API key every call sends; the auth fault echoes it, errors must not."""

MODELS = {"gpt": "openai/gpt-4o-mini", "glm": "zai/glm-4.6", "claude": "anthropic/claude-x-1"}
"""Local provider name -> the model string its deployment uses."""


class Adapters:
    """One adapter per wire, sharing the redactor that knows `KEY`."""

    def __init__(self) -> None:
        self.redact = Redactor([KEY])
        self.openai = OpenAIWireProvider(self.redact)
        self.anthropic = AnthropicWireProvider(self.redact)

    def for_provider(self, provider: LocalProvider) -> OpenAIWireProvider | AnthropicWireProvider:
        return self.anthropic if provider.wire == "anthropic" else self.openai

    async def aclose(self) -> None:
        await self.openai.aclose()
        await self.anthropic.aclose()


def deployment(
    name: str,
    model: str,
    api_base: str | None,
    *,
    api_key: str | None = KEY,
    params: Mapping[str, Any] | None = None,
) -> Deployment:
    return Deployment(
        name=name,
        model=model,
        provider=ResolvedProvider(
            name=f"{name}-provider",
            api_base=api_base,
            api_key=SecretStr(api_key) if api_key is not None else None,
            api_key_env="NATIVE_TEST_KEY",
            region=None,
            params=dict(params or {}),
        ),
        price=Price(None, None, None, "none"),
    )


def user(text: str = "hi") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def make_call(
    provider: LocalProvider,
    messages: list[dict[str, Any]] | None = None,
    *,
    timeout_s: float = 10.0,
    model: str | None = None,
    api_base: str | None = None,
    **params: Any,
) -> ProviderCall:
    """A call to the local `provider` with its model string (or `model`) and `params`."""
    return ProviderCall(
        deployment=deployment(
            provider.name, model or MODELS[provider.name], api_base or provider.api_base
        ),
        messages=messages or user(),
        params=params,
        timeout_s=timeout_s,
    )


async def wait_until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> float:
    """Poll every millisecond until `predicate()`; return the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not predicate():
        if loop.time() - started > timeout_s:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.001)
    return loop.time() - started
