"""Request estimates, capabilities, and eligibility through the router with an in-process
provider: skips are recorded, nothing ineligible is called, and errors carry the skips."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llmrouter import AllModelsFailedError, NoEligibleModelError, OverloadedError, Router
from llmrouter.config.schema import ModelConfig
from llmrouter.providers import FunctionProvider, ProviderCall, make_completion
from llmrouter.request import CompletionRequest
from llmrouter.routing import capabilities_for, estimate_request
from llmrouter.types import ChatCompletion, Choice, Message, Usage
from support import FakeTime, two_model_config, user

MakeRouter = Callable[..., Router]


def request(messages: list[dict[str, Any]], **params: Any) -> CompletionRequest:
    return CompletionRequest.build("chat", messages, params=params)


def called(provider: FunctionProvider) -> list[str]:
    return [c.deployment.name for c in provider.calls]


def config_with(**models: dict[str, Any]) -> dict[str, Any]:
    config = two_model_config()
    for name, fields in models.items():
        config["models"][name].update(fields)
    return config


IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}


def test_estimate_counts_characters_messages_and_images() -> None:
    est = estimate_request(request([{"role": "user", "content": "x" * 401}]))
    assert est.prompt_tokens == 101 + 4  # ceil(401 / 4) + one message
    assert (est.max_output_tokens, est.tools, est.vision, est.json) == (None, False, False, None)
    parts = [{"type": "text", "text": "y" * 40}, IMAGE]
    est = estimate_request(
        request([{"role": "system", "content": "s" * 8}, {"role": "user", "content": parts}])
    )
    assert est.prompt_tokens == 2 + 10 + 2 * 4 + 765
    assert est.vision


def test_estimate_reads_caps_tools_and_json_mode() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    est = estimate_request(request(user(), max_tokens=100, max_completion_tokens=50, tools=tools))
    assert est.max_output_tokens == 50 and est.tools
    assert est.prompt_tokens > estimate_request(request(user())).prompt_tokens
    kinds = ["json_object", "json_schema", "text"]
    modes = [estimate_request(request(user(), response_format={"type": k})).json for k in kinds]
    assert modes == ["json_object", "json_schema", None]


CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
SIGNED = {"type": "thinking", "thinking": "so", "signature": "sig"}
UNSIGNED = {"type": "thinking", "thinking": "so"}  # another model's reasoning, as rendered


def _tool_turn(*blocks: dict[str, Any]) -> list[dict[str, Any]]:
    assistant: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [CALL]}
    if blocks:
        assistant["thinking_blocks"] = list(blocks)
    return [*user(), assistant, {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]


THINKING = {"thinking": {"type": "enabled", "budget_tokens": 2048}}


@pytest.mark.parametrize(
    ("messages", "params", "unsigned"),
    [
        (_tool_turn(SIGNED), THINKING, False),
        (_tool_turn(UNSIGNED), THINKING, True),
        (_tool_turn(), THINKING, True),  # the turn being answered opens without thinking
        (_tool_turn(), {"reasoning_effort": "low"}, True),  # effort turns thinking on
        (_tool_turn(), {}, False),  # thinking off: nothing to sign
        (_tool_turn(UNSIGNED), {"thinking": {"type": "disabled"}}, False),
        (
            [*_tool_turn(SIGNED)[:2], {"role": "assistant", "content": "x"}, *user()],
            THINKING,
            False,
        ),
        (
            [{"role": "assistant", "content": "x", "thinking_blocks": [UNSIGNED]}, *user()],
            THINKING,
            True,
        ),
    ],
)
def test_estimate_notes_thinking_no_vendor_signed(
    messages: list[dict[str, Any]], params: dict[str, Any], unsigned: bool
) -> None:
    assert estimate_request(request(messages, **params)).unsigned_thinking is unsigned


async def test_unsigned_thinking_skips_anthropic(make_router: MakeRouter) -> None:
    provider = FunctionProvider()
    config = two_model_config()
    config["routes"]["chat"]["models"] = ["claude", "glm"]
    resp = await make_router(provider, config).acompletion(
        model="chat", messages=_tool_turn(UNSIGNED), max_tokens=4096, **THINKING
    )
    assert called(provider) == ["glm"]
    skip = resp.route.attempts[0]
    assert (skip.model, skip.error) == ("claude", "vendor_limit")
    assert skip.detail is not None and "signature" in skip.detail


def test_capabilities_from_the_price_map_and_overrides() -> None:
    claude = capabilities_for(ModelConfig(provider="p", model="anthropic/claude-sonnet-4-5"))
    assert (claude.tools, claude.vision, claude.json_schema) == (True, True, True)
    glm = capabilities_for(ModelConfig(provider="p", model="zai/glm-4.6"))
    # Z.ai's vendor file: a GLM model takes no images unless the price map or config says so
    assert glm.tools is True and glm.vision is False
    deepseek = capabilities_for(ModelConfig(provider="p", model="deepseek/deepseek-chat"))
    assert deepseek.vision is None  # unknown: assumed supported
    off = capabilities_for(
        ModelConfig(provider="p", model="zai/glm-4.6", supports_tools=False, supports_json=False)
    )
    assert (off.tools, off.json_schema, off.json_object) == (False, False, False)


async def test_context_window_skip_makes_no_call(make_router: MakeRouter) -> None:
    provider = FunctionProvider()
    router = make_router(provider, config_with(glm={"context_window": 100}))
    resp = await router.acompletion(model="chat", messages=user("z" * 800), max_tokens=50)
    assert called(provider) == ["claude"]
    assert resp.route is not None
    skip, ok = resp.route.attempts
    assert (skip.model, skip.outcome, skip.error) == ("glm", "skipped", "context_window")
    assert skip.detail is not None and "204 prompt + 50 completion" in skip.detail
    assert (ok.model, ok.outcome) == ("claude", "ok")


async def test_nothing_eligible_raises_with_every_reason(make_router: MakeRouter) -> None:
    provider = FunctionProvider()
    config = config_with(glm={"context_window": 100}, claude={"supports_tools": False})
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    with pytest.raises(NoEligibleModelError) as info:
        await make_router(provider, config).acompletion(
            model="chat", messages=user("z" * 800), tools=tools
        )
    assert provider.calls == []
    assert [(a.model, a.error) for a in info.value.attempts] == [
        ("glm", "context_window"),
        ("claude", "no_tools"),
    ]
    assert "glm: context_window" in str(info.value) and "claude: no_tools" in str(info.value)


@pytest.mark.parametrize(
    ("fields", "params", "reason"),
    [
        ({"supports_vision": False}, {}, "no_vision"),
        ({"supports_json": False}, {"response_format": {"type": "json_object"}}, "no_json"),
        ({"supports_json": False}, {"response_format": {"type": "json_schema"}}, "no_json"),
    ],
)
async def test_missing_capability_skips(
    make_router: MakeRouter, fields: dict[str, Any], params: dict[str, Any], reason: str
) -> None:
    provider = FunctionProvider()
    messages = [{"role": "user", "content": [IMAGE]}] if reason == "no_vision" else user()
    router = make_router(provider, config_with(glm=fields))
    resp = await router.acompletion(model="chat", messages=messages, **params)
    assert called(provider) == ["claude"]
    assert resp.route is not None and resp.route.attempts[0].error == reason


async def test_json_object_passes_when_support_is_unknown(make_router: MakeRouter) -> None:
    provider = FunctionProvider()
    resp = await make_router(provider).acompletion(
        model="chat", messages=user(), response_format={"type": "json_object"}
    )
    assert called(provider) == ["glm"]
    assert resp.route is not None and [a.outcome for a in resp.route.attempts] == ["ok"]


async def test_skips_ride_on_all_models_failed(make_router: MakeRouter) -> None:
    async def fail(call: ProviderCall) -> ChatCompletion:
        raise OverloadedError("busy", model=call.deployment.name)

    provider = FunctionProvider(complete=fail)
    router = make_router(provider, config_with(glm={"context_window": 10}))
    with pytest.raises(AllModelsFailedError) as info:
        await router.acompletion(model="chat", messages=user("z" * 200))
    first = info.value.attempts[0]
    assert (first.model, first.outcome, first.error) == ("glm", "skipped", "context_window")
    assert {a.outcome for a in info.value.attempts[1:]} == {"error"}


async def test_cached_and_reasoning_tokens_are_priced_exactly(make_router: MakeRouter) -> None:
    async def answer(call: ProviderCall) -> ChatCompletion:
        usage = Usage.model_validate(
            {
                "prompt_tokens": 5000,
                "completion_tokens": 900,
                "total_tokens": 5900,
                "prompt_tokens_details": {"cached_tokens": 4000},
                "completion_tokens_details": {"reasoning_tokens": 600},
            }
        )
        return ChatCompletion(
            id="x", model="m", choices=[Choice(message=Message(content="ok"))], usage=usage
        )

    config = config_with(glm={"reasoning_cost_per_mtok": 4.4})
    resp = await make_router(FunctionProvider(complete=answer), config).acompletion(
        model="chat", messages=user()
    )
    assert resp.route is not None
    # Bundled zai/glm-4.6: input 0.6, cached input 0.11, output 2.2 USD/Mtok; reasoning from YAML.
    expected = (1000 * 0.6 + 4000 * 0.11 + 300 * 2.2 + 600 * 4.4) / 1_000_000
    assert resp.route.cost_usd == pytest.approx(expected, rel=1e-12)


async def test_latency_strategy_through_the_router(
    make_router: MakeRouter, fake_time: FakeTime
) -> None:
    delays = {"glm": 2.0, "claude": 0.1}

    async def timed(call: ProviderCall) -> ChatCompletion:
        await fake_time.sleep(delays[call.deployment.name])
        return make_completion("ok", model=call.deployment.model)

    provider = FunctionProvider(complete=timed)
    router = make_router(provider, strategy="latency", explore_every=0)
    for _ in range(4):
        await router.acompletion(model="chat", messages=user())
    # Unmeasured glm first, then unmeasured claude, then the faster one only.
    assert called(provider) == ["glm", "claude", "claude", "claude"]
