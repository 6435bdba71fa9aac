"""`Router.models()` and `Router.routes()`: what the router resolved, typed, without a key."""

from __future__ import annotations

from typing import Any

from llmrouter import Router
from llmrouter.introspection import ModelInfo
from llmrouter.providers import FunctionProvider, make_completion

KEY = "sk-introspection-secret-0123456789"
CONFIG: dict[str, Any] = {
    "providers": {
        "zai": {"api_key": "${ZAI_KEY}", "region": "sg"},
        "anthropic": {"api_key": "${ANTHROPIC_KEY}", "region": "us"},
        "vllm": {"api_base": "https://bot:hunter2@vllm.internal:8443/v1", "api_key": "${ZAI_KEY}"},
        "bedrock": {"api_key": "${ZAI_KEY}"},
    },
    "models": {
        "glm": {"provider": "zai", "model": "zai/glm-4.6"},
        "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        "local": {"provider": "vllm", "model": "hosted_vllm/qwen3", "supports_vision": False},
        "tail": {"provider": "bedrock", "model": "bedrock/amazon.nova-pro-v1:0"},
    },
    "routes": {
        "chat": {
            "models": ["claude", "glm"],
            "retries": 2,
            "timeout_s": 30,
            "shadow": {"models": ["local"], "sample": 0.1},
            "canary": {"model": "glm", "percent": 5},
        },
        "cheap": {"models": ["glm", "local"], "strategy": "cost"},
    },
}
ENV = {"ZAI_KEY": KEY, "ANTHROPIC_KEY": KEY}


def _by_name(infos: list[ModelInfo]) -> dict[str, ModelInfo]:
    return {info.name: info for info in infos}


async def test_models_say_where_each_goes_and_through_what() -> None:
    async with Router.from_dict(CONFIG, env=ENV) as router:
        models = _by_name(router.models())
    assert list(models) == ["glm", "claude", "local", "tail"]
    glm, claude, local, tail = (models[n] for n in ("glm", "claude", "local", "tail"))
    assert (glm.vendor, glm.adapter, glm.region) == ("zai", "native", "sg")
    assert glm.api_base == "https://api.z.ai/api/paas/v4"
    assert glm.routes == ("chat", "cheap")
    assert (claude.vendor, claude.adapter, claude.routes) == ("anthropic", "native", ("chat",))
    assert claude.input_per_mtok == 3.0 and claude.output_per_mtok == 15.0
    assert claude.cached_input_per_mtok is not None and claude.cached_input_per_mtok < 3.0
    assert claude.context_window is not None and claude.context_window >= 200_000
    assert claude.tools is True and claude.embeddings is False
    assert local.adapter == "native" and local.vision is False  # the YAML override
    assert local.api_base == "https://vllm.internal:8443/v1"  # the URL's credentials left out
    assert local.routes == ("cheap",)  # a shadow is not a route's model
    assert tail.adapter == "litellm" and tail.routes == ()


async def test_nothing_secret_in_what_models_and_routes_say() -> None:
    async with Router.from_dict(CONFIG, env=ENV) as router:
        text = repr(router.models()) + repr(router.routes())
    assert KEY not in text and "hunter2" not in text and "bot:" not in text


async def test_a_router_given_its_own_provider_says_custom() -> None:
    provider = FunctionProvider(complete=lambda call: make_completion("hi"))
    async with Router.from_dict(CONFIG, env=ENV, provider=provider) as router:
        assert {info.adapter for info in router.models()} == {"custom"}


async def test_routes_in_config_order_with_their_settings() -> None:
    async with Router.from_dict(CONFIG, env=ENV) as router:
        chat, cheap = router.routes()
    assert (chat.name, chat.models, chat.retries, chat.timeout_s) == (
        "chat",
        ("claude", "glm"),
        2,
        30.0,
    )
    assert (chat.shadows, chat.canary, chat.strategy) == (("local",), "glm", "ordered")
    assert (cheap.name, cheap.models, cheap.strategy) == ("cheap", ("glm", "local"), "cost")
    assert (cheap.shadows, cheap.canary, cheap.hedge_after_s) == ((), None, None)
