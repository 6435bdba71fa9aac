"""Smoke tests: litellm's real adapters accept what the local providers send."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from llmrouter.testing import LocalProvider, LocalProviderServer

MESSAGES = [{"role": "user", "content": "hello over loopback"}]
MODELS = {
    "gpt": ("openai/gpt-4o-mini", "openai", None),
    "glm": ("zai/glm-4.6", "openai", "zhipu"),
    "claude": ("anthropic/claude-sonnet-4-5", "anthropic", None),
}


@pytest.fixture(scope="module")
def litellm() -> ModuleType:
    # offline: the bundled cost map and beta-header table, never a download
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    os.environ["LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS"] = "True"
    import litellm

    litellm.suppress_debug_info = True
    return litellm


@pytest.fixture
async def providers() -> AsyncIterator[dict[str, LocalProvider]]:
    async with LocalProviderServer() as server:
        yield {
            name: server.add_provider(name, wire=wire, flavor=flavor)  # type: ignore[arg-type]
            for name, (_, wire, flavor) in MODELS.items()
        }


def kwargs(provider: LocalProvider, model: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if model.startswith("zai/"):
        # litellm's zai config drops `max_retries` unless allowed; the SDK would retry twice
        extra["allowed_openai_params"] = ["max_retries"]
    return {
        "model": model,
        "api_base": provider.api_base,
        "api_key": "k",
        "messages": MESSAGES,
        "max_retries": 0,
        **extra,
    }


@pytest.mark.parametrize("name", list(MODELS))
async def test_litellm_non_stream(
    litellm: ModuleType, providers: dict[str, LocalProvider], name: str
) -> None:
    provider = providers[name]
    model = MODELS[name][0]
    resp = await litellm.acompletion(**kwargs(provider, model))
    assert resp.choices[0].message.content == f"Hello from {name}. You said: hello over loopback"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0
    assert provider.request_count == 1


# litellm's stream wrapper reads `model_computed_fields` off an instance (deprecated in
# pydantic 2.11), and building its TypedDict schemas warns about `ReadOnly` items.
@pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211")
@pytest.mark.filterwarnings("ignore:Items? .* (is|are) using the `ReadOnly` qualifier:UserWarning")
@pytest.mark.parametrize("name", list(MODELS))
async def test_litellm_stream(
    litellm: ModuleType, providers: dict[str, LocalProvider], name: str
) -> None:
    provider = providers[name]
    model = MODELS[name][0]
    stream = await litellm.acompletion(
        **kwargs(provider, model), stream=True, stream_options={"include_usage": True}
    )
    parts: list[str] = []
    finish = None
    usage = None
    async for chunk in stream:
        if chunk.choices:
            parts.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
        usage = getattr(chunk, "usage", None) or usage
    assert "".join(parts) == f"Hello from {name}. You said: hello over loopback"
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens > 0
    assert provider.requests[0].stream
