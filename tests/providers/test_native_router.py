"""Dispatch (the vendor wire, `AdapterDispatch`), odd-but-valid wire answers, and the fault
policy end to end through a `Router` whose provider is the native dispatcher."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from native_support import KEY, Adapters, deployment, make_call, user

from llmrouter import ContentFilteredError, RetrySettings, Router, StreamInterruptedError
from llmrouter.config.secrets import Redactor
from llmrouter.errors import BadRequestError, ProviderUnavailableError
from llmrouter.providers import FunctionProvider
from llmrouter.providers.dispatch import AdapterDispatch, can_serve_natively
from llmrouter.testing import Fault, LocalProvider, LocalProviderServer
from llmrouter.vendors import model_ref

SSE = {"content-type": "text/event-stream"}


@pytest.mark.parametrize(
    ("model", "wire"),
    [
        ("openai/gpt-4o", "openai"),
        ("zai/glm-4.6", "openai"),
        ("deepseek/deepseek-chat", "openai"),
        ("hosted_vllm/meta/llama", "openai"),
        ("anthropic/claude-sonnet-4-5", "anthropic"),
        ("bedrock/anthropic.claude", None),
        ("ollama_chat/llama3", None),
        ("gpt-4o", None),
        ("openai/", None),
    ],
)
def test_native_wire_of_a_model_string(model: str, wire: str | None) -> None:
    assert model_ref(model).wire == wire


def test_can_serve_natively() -> None:
    assert can_serve_natively(deployment("a", "zai/glm-4.6", None))
    assert not can_serve_natively(deployment("a", "hosted_vllm/x", None))  # no endpoint
    assert can_serve_natively(deployment("a", "hosted_vllm/x", "http://h/v1"))
    assert not can_serve_natively(deployment("a", "openai/x", None, params={"api_version": "1"}))
    assert not can_serve_natively(deployment("a", "vertex_ai/gemini", None))


async def test_dispatch_and_fallback(server: LocalProviderServer, gpt: LocalProvider) -> None:
    fallback = FunctionProvider()
    native = AdapterDispatch(Redactor([KEY]), fallback)
    try:
        resp = await native.complete(make_call(gpt))
        assert resp.text.startswith("Hello from gpt")
        other = await native.complete(
            make_call(gpt, model="bedrock/anthropic.claude", api_base="http://unused")
        )
        assert other.text == "echo from gpt" and len(fallback.calls) == 1
        alone = AdapterDispatch(Redactor([KEY]))
        with pytest.raises(BadRequestError):
            await alone.complete(make_call(gpt, model="bedrock/x"))
        await alone.aclose()
    finally:
        await native.aclose()


async def test_in_band_error_in_a_200_body(glm: LocalProvider, adapters: Adapters) -> None:
    body = {"error": {"code": "1301", "message": "sensitive content"}}
    glm.fail_next(Fault.http(200, body))
    with pytest.raises(ContentFilteredError):
        await adapters.openai.complete(make_call(glm))


async def test_a_body_without_id_is_accepted(gpt: LocalProvider, adapters: Adapters) -> None:
    body = {
        "choices": [{"message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}]
    }
    gpt.fail_next(Fault.http(200, body))
    resp = await adapters.openai.complete(make_call(gpt))
    assert resp.text == "ok" and resp.id == "" and resp.model == "gpt-4o-mini"


@pytest.mark.parametrize(
    ("name", "events"),
    [
        ("gpt", 'data: {"id":"x","model":"m","choices":[{"delta":{"content":"hi"}}]}\n\n'),
        (
            "claude",
            'event: message_start\ndata: {"type":"message_start","message":'
            '{"id":"m","model":"c","usage":{"input_tokens":1}}}\n\n'
            'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
            '"delta":{"type":"text_delta","text":"hi"}}\n\n',
        ),
    ],
)
async def test_a_stream_that_ends_early_raises(
    server: LocalProviderServer, adapters: Adapters, name: str, events: str
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.http(200, events, SSE))
    seen: list[str] = []
    with pytest.raises(ProviderUnavailableError, match="ended before"):
        async for chunk in adapters.for_provider(provider).stream(make_call(provider)):
            seen.extend(c.delta.content or "" for c in chunk.choices)
    assert "".join(seen) == "hi"


async def test_malformed_stream_event(server: LocalProviderServer, adapters: Adapters) -> None:
    from llmrouter.errors import MalformedResponseError

    for name in ("gpt", "claude"):
        provider = server.providers[name]
        provider.fail_next(Fault.malformed())
        with pytest.raises(MalformedResponseError):
            async for _ in adapters.for_provider(provider).stream(make_call(provider)):
                pass


# -- the fault policy end to end through Router(provider=AdapterDispatch) ----------------------

ENV = {"ZHIPU_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY + "-anthropic"}


def config(server: LocalProviderServer, **route: Any) -> dict[str, Any]:
    glm, claude = server.providers["glm"], server.providers["claude"]
    return {
        "providers": {
            "zhipu": {"api_base": glm.api_base, "api_key": "${ZHIPU_API_KEY}"},
            "anthropic": {"api_base": claude.api_base, "api_key": "${ANTHROPIC_API_KEY}"},
        },
        "models": {
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {"chat": {"models": ["glm", "claude"], "timeout_s": 10, **route}},
    }


@pytest.fixture
async def router(server: LocalProviderServer) -> AsyncIterator[Router]:
    native = AdapterDispatch(Redactor(ENV.values()))
    fast = RetrySettings(backoff_initial_s=0.01, backoff_max_s=0.05)
    async with Router.from_dict(config(server), env=ENV, provider=native, retry=fast) as r:
        yield r


async def test_router_answers_and_falls_back(router: Router, server: LocalProviderServer) -> None:
    glm, claude = server.providers["glm"], server.providers["claude"]
    resp = await router.acompletion(model="chat", messages=user("hello"))
    assert resp.text == "Hello from glm. You said: hello"
    glm.fail_always(Fault.server_error(503))
    resp = await router.acompletion(model="chat", messages=user("hello"))
    assert resp.route is not None and resp.route.model == "claude"
    assert [a.error for a in resp.route.attempts] == ["unavailable", "unavailable", None]
    assert claude.requests[-1].headers["x-api-key"] == KEY + "-anthropic"


async def test_router_sensitive_finish_is_a_content_filter(
    router: Router, server: LocalProviderServer
) -> None:
    server.providers["glm"].fail_next(Fault.filtered_finish())
    with pytest.raises(ContentFilteredError):
        await router.acompletion(model="chat", messages=user())


async def test_router_stream_falls_back_before_first_chunk(
    router: Router, server: LocalProviderServer
) -> None:
    server.providers["glm"].fail_always(Fault.drop_stream(after_chunks=0))
    stream = await router.acompletion(model="chat", messages=user("s"), stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "Hello from claude. You said: s"
    assert stream.route is not None and stream.route.model == "claude"


async def test_router_stream_interrupted_after_first_chunk(
    router: Router, server: LocalProviderServer
) -> None:
    server.providers["glm"].fail_next(Fault.drop_stream(after_chunks=2))
    stream = await router.acompletion(model="chat", messages=user(), stream=True)
    with pytest.raises(StreamInterruptedError) as info:
        async for _ in stream:
            pass
    assert info.value.partial_text == "Hello from "
    assert KEY not in str(info.value)


async def test_router_tool_call_and_json_mode(router: Router, server: LocalProviderServer) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    tools = [{"type": "function", "function": {"name": "f", "parameters": schema}}]
    resp = await router.acompletion(model="claude", messages=user("q"), tools=tools)
    calls = resp.choices[0].message.tool_calls
    assert calls is not None and json.loads(calls[0].function.arguments) == {"city": "q"}
    fmt = {"type": "json_object"}
    resp = await router.acompletion(model="glm", messages=user("j"), response_format=fmt)
    assert json.loads(resp.text)["reply"].startswith("Hello from glm")


async def test_a_json_error_answering_a_stream_request(
    glm: LocalProvider, claude: LocalProvider, adapters: Adapters
) -> None:
    from llmrouter.errors import MalformedResponseError, OverloadedError, RateLimitError

    glm.fail_next(Fault.http(200, {"error": {"code": "1302", "message": "slow down"}}))
    with pytest.raises(RateLimitError):
        async for _ in adapters.openai.stream(make_call(glm)):
            pass
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}
    claude.fail_next(Fault.http(200, overloaded))
    with pytest.raises(OverloadedError):
        async for _ in adapters.anthropic.stream(make_call(claude)):
            pass
    glm.fail_next(Fault.http(200, {"id": "x", "choices": []}))
    with pytest.raises(MalformedResponseError):
        async for _ in adapters.openai.stream(make_call(glm)):
            pass
