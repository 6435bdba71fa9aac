"""The fault policy through the router, with an in-process provider and fake time.

The same behaviours are shown over real HTTP through litellm in tests/e2e/.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import pytest

from llmrouter import (
    AllModelsFailedError,
    AuthenticationError,
    BadRequestError,
    ContentFilteredError,
    ContextWindowExceededError,
    OverloadedError,
    ProviderError,
    RateLimitError,
    Router,
    StreamInterruptedError,
)
from llmrouter.providers import FunctionProvider, ProviderCall, make_chunks, make_completion
from llmrouter.types import ChatCompletion, ChatCompletionChunk
from support import CANARY_KEY, FakeTime, user

MakeRouter = Callable[..., Router]


def scripted(faults: dict[str, list[ProviderError | None]]) -> FunctionProvider:
    """Each model answers with its next scripted fault, or normally once the script is empty."""

    async def complete(call: ProviderCall) -> ChatCompletion:
        script = faults.get(call.deployment.name, [])
        fault = script.pop(0) if script else None
        if fault is not None:
            raise fault
        return make_completion(f"from {call.deployment.name}", model=call.deployment.model)

    return FunctionProvider(complete=complete)


def models_called(provider: FunctionProvider) -> list[str]:
    return [c.deployment.name for c in provider.calls]


async def test_first_model_answers(make_router: MakeRouter) -> None:
    provider = scripted({})
    resp = await make_router(provider).acompletion(model="chat", messages=user())
    assert resp.text == "from glm"
    assert resp.route is not None
    assert (resp.route.model, resp.route.provider, resp.route.route) == ("glm", "zhipu", "chat")
    assert [a.outcome for a in resp.route.attempts] == ["ok"]
    assert resp.route.cost_usd > 0


async def test_retryable_fault_retries_then_falls_back(
    make_router: MakeRouter, fake_time: FakeTime
) -> None:
    provider = scripted({"glm": [OverloadedError("busy"), OverloadedError("busy")]})
    resp = await make_router(provider, retries=1).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert models_called(provider) == ["glm", "glm", "claude"]
    assert [(a.model, a.outcome, a.error) for a in resp.route.attempts] == [
        ("glm", "error", "overloaded"),
        ("glm", "error", "overloaded"),
        ("claude", "ok", None),
    ]
    assert len(fake_time.sleeps) == 1
    assert 0 <= fake_time.sleeps[0] <= 8


async def test_retry_after_is_honoured(make_router: MakeRouter, fake_time: FakeTime) -> None:
    provider = scripted({"glm": [RateLimitError("slow down", retry_after_s=4.0)]})
    resp = await make_router(provider, retries=1).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "glm"
    assert len(fake_time.sleeps) == 1
    assert 4.0 <= fake_time.sleeps[0] <= 8.0  # max(Retry-After, jittered backoff)


async def test_retry_after_past_deadline_falls_back_without_sleeping(
    make_router: MakeRouter, fake_time: FakeTime
) -> None:
    provider = scripted({"glm": [RateLimitError("slow down", retry_after_s=120.0)]})
    router = make_router(provider, retries=3, timeout_s=30)
    resp = await router.acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert fake_time.sleeps == []
    assert models_called(provider) == ["glm", "claude"]


@pytest.mark.parametrize(
    "fault",
    [
        BadRequestError("bad temperature"),
        ContentFilteredError("blocked", code="1301"),
    ],
)
async def test_no_retry_no_fallback(make_router: MakeRouter, fault: ProviderError) -> None:
    provider = scripted({"glm": [fault]})
    with pytest.raises(type(fault)) as info:
        await make_router(provider, retries=3).acompletion(model="chat", messages=user())
    assert models_called(provider) == ["glm"]
    assert [(a.model, a.error) for a in info.value.attempts] == [("glm", fault.kind)]


async def test_content_filter_fallback_when_route_opts_in(make_router: MakeRouter) -> None:
    provider = scripted({"glm": [ContentFilteredError("blocked")]})
    router = make_router(provider, fault_policy={"content_filter": {"fallback": True}})
    resp = await router.acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"


async def test_filtered_finish_reason_is_a_content_filter(make_router: MakeRouter) -> None:
    async def complete(call: ProviderCall) -> ChatCompletion:
        return make_completion("partial", finish_reason="sensitive")

    provider = FunctionProvider(complete=complete)
    with pytest.raises(ContentFilteredError):
        await make_router(provider).acompletion(model="chat", messages=user())
    assert len(provider.calls) == 1


async def test_auth_falls_back_loudly_and_demotes_the_model(
    make_router: MakeRouter, caplog: pytest.LogCaptureFixture
) -> None:
    provider = scripted({"glm": [AuthenticationError("invalid key")]})
    router = make_router(provider, retries=2)
    with caplog.at_level(logging.INFO, logger="llmrouter"):
        resp = await router.acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert models_called(provider) == ["glm", "claude"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "ZHIPU_API_KEY" in errors[0].getMessage()
    assert CANARY_KEY not in caplog.text
    assert not router.health()["glm"].healthy
    # the demoted model is tried last from now on
    provider.calls.clear()
    resp = await router.acompletion(model="chat", messages=user())
    assert models_called(provider) == ["claude"]


async def test_context_window_falls_back_only_to_larger_windows(make_router: MakeRouter) -> None:
    config = {
        "providers": {"p": {"api_key": "${ZHIPU_API_KEY}"}},
        "models": {
            "small": {"provider": "p", "model": "openai/small", "context_window": 8000},
            "same": {"provider": "p", "model": "openai/same", "context_window": 8000},
            "large": {"provider": "p", "model": "openai/large", "context_window": 200000},
        },
        "routes": {"chat": {"models": ["small", "same", "large"]}},
    }
    provider = scripted({"small": [ContextWindowExceededError("too long")]})
    resp = await make_router(provider, config).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "large"
    assert models_called(provider) == ["small", "large"]
    skipped = [a for a in resp.route.attempts if a.outcome == "skipped"]
    assert [(a.model, a.error) for a in skipped] == [("same", "context_window")]


async def test_all_models_failing_raises_with_attempts(make_router: MakeRouter) -> None:
    provider = scripted(
        {"glm": [OverloadedError("a"), OverloadedError("b")], "claude": [OverloadedError("c")] * 2}
    )
    with pytest.raises(AllModelsFailedError) as info:
        await make_router(provider, retries=1).acompletion(model="chat", messages=user())
    assert [a.model for a in info.value.attempts] == ["glm", "glm", "claude", "claude"]
    assert isinstance(info.value.last_error, OverloadedError)
    assert "glm: overloaded" in str(info.value)


async def test_deadline_bounds_all_attempts(make_router: MakeRouter, fake_time: FakeTime) -> None:
    provider = scripted({"glm": [OverloadedError("x")] * 20, "claude": [OverloadedError("y")] * 20})
    router = make_router(provider, retries=10, timeout_s=2)
    with pytest.raises(AllModelsFailedError):
        await router.acompletion(model="chat", messages=user())
    assert sum(fake_time.sleeps) < 2


async def test_model_name_is_a_one_model_route(make_router: MakeRouter) -> None:
    provider = scripted({})
    resp = await make_router(provider).acompletion(model="claude", messages=user())
    assert resp.route is not None
    assert (resp.route.route, resp.route.model) == ("claude", "claude")


async def test_stream_falls_back_before_first_chunk(make_router: MakeRouter) -> None:
    async def stream(call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        if call.deployment.name == "glm":
            raise OverloadedError("busy", model="glm")
        for chunk in make_chunks("hello from claude"):
            yield chunk

    provider = FunctionProvider(stream=stream)
    router = make_router(provider, retries=0)
    s = await router.acompletion(model="chat", messages=user(), stream=True)
    texts = [
        c.choices[0].delta.content async for c in s if c.choices and c.choices[0].delta.content
    ]
    assert "".join(texts) == "hello from claude"
    assert s.route is not None
    assert s.route.model == "claude"
    assert [a.outcome for a in s.route.attempts] == ["error", "ok"]


async def test_stream_interrupted_after_first_chunk_keeps_partial_text(
    make_router: MakeRouter,
) -> None:
    async def stream(call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        for chunk in make_chunks("one two three")[:2]:
            yield chunk
        raise OverloadedError("dropped", model=call.deployment.name)

    provider = FunctionProvider(stream=stream)
    s = await make_router(provider).acompletion(model="chat", messages=user(), stream=True)
    seen = []
    with pytest.raises(StreamInterruptedError) as info:
        async for chunk in s:
            seen.append(chunk)
    assert info.value.partial_text == "one two "
    assert info.value.cause_kind == "overloaded"
    assert len(provider.calls) == 1  # no fallback after the caller saw a chunk


async def test_stream_usage_chunk_only_when_asked(make_router: MakeRouter) -> None:
    provider = FunctionProvider()
    router = make_router(provider)
    s = await router.acompletion(model="chat", messages=user(), stream=True)
    chunks = [c async for c in s]
    assert all(c.choices for c in chunks)
    assert s.usage is not None
    s = await router.acompletion(
        model="chat", messages=user(), stream=True, stream_options={"include_usage": True}
    )
    chunks = [c async for c in s]
    assert chunks[-1].usage is not None
    assert not chunks[-1].choices


async def test_params_pass_through(make_router: MakeRouter) -> None:
    provider = FunctionProvider()
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
    await make_router(provider).acompletion(
        model="chat",
        messages=user(),
        temperature=0,
        tools=tools,
        response_format={"type": "json_object"},
        metadata={"tenant": "acme"},
    )
    params = provider.calls[0].params
    assert params == {"temperature": 0, "tools": tools, "response_format": {"type": "json_object"}}
