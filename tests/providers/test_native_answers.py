"""Successful answers through both native adapters over loopback HTTP: text, usage, tool
calls, parameter pass-through and the typed objects they return."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from native_support import KEY, Adapters, make_call, user

from llmrouter.config.secrets import Redactor
from llmrouter.providers.openai_wire import OpenAIWireProvider
from llmrouter.testing import LocalProvider, LocalProviderServer
from llmrouter.types import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    FunctionCall,
    Message,
    ToolCall,
    Usage,
)

NAMES = ["gpt", "glm", "claude"]

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look something up.",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    }
]


async def collect(
    adapters: Adapters, provider: LocalProvider, call: Any
) -> list[ChatCompletionChunk]:
    return [chunk async for chunk in adapters.for_provider(provider).stream(call)]


def text_of(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(c.delta.content or "" for chunk in chunks for c in chunk.choices)


@pytest.mark.parametrize("name", NAMES)
async def test_complete_returns_the_reply_and_usage(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    call = make_call(provider, user("hello there"))
    resp = await adapters.for_provider(provider).complete(call)
    assert isinstance(resp, ChatCompletion)
    assert resp.text == f"Hello from {name}. You said: hello there"
    choice = resp.choices[0]
    assert isinstance(choice, Choice) and isinstance(choice.message, Message)
    assert choice.finish_reason == "stop"
    assert isinstance(resp.usage, Usage)
    assert isinstance(resp.usage.prompt_tokens, int) and resp.usage.prompt_tokens > 0
    assert resp.usage.completion_tokens > 0
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    assert isinstance(resp.id, str) and resp.id
    assert isinstance(resp.created, int)
    assert resp.model == call.deployment.model.split("/", 1)[1]


@pytest.mark.parametrize("name", NAMES)
async def test_stream_returns_the_reply_and_usage(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    chunks = await collect(adapters, provider, make_call(provider, user("stream it")))
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert all(
        isinstance(ch, ChunkChoice) and isinstance(ch.delta, Delta)
        for c in chunks
        for ch in c.choices
    )
    assert text_of(chunks) == f"Hello from {name}. You said: stream it"
    finishes = [ch.finish_reason for c in chunks for ch in c.choices if ch.finish_reason]
    assert finishes == ["stop"]
    usages = [c.usage for c in chunks if c.usage is not None]
    assert len(usages) == 1  # once: GLM on its finish chunk, the others in a chunk of its own
    usage = usages[0]
    assert isinstance(usage, Usage) and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert chunks[-1].usage == usage
    assert chunks[-1].choices == [] or provider.flavor == "zhipu"
    assert chunks[0].choices[0].delta.role == "assistant"


@pytest.mark.parametrize("name", ["gpt", "glm"])
async def test_openai_wire_request(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    call = make_call(provider, user(), temperature=0, seed=7, n=1, logprobs=False, top_p=0.5)
    await adapters.openai.complete(call)
    sent = provider.requests[0]
    assert sent.path == f"/{name}/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["content-type"] == "application/json"
    body = sent.body
    assert body["model"] == call.deployment.model.split("/", 1)[1]
    assert body["messages"] == user()
    assert {k: body[k] for k in ("temperature", "seed", "n", "logprobs", "top_p")} == {
        "temperature": 0,
        "seed": 7,
        "n": 1,
        "logprobs": False,
        "top_p": 0.5,
    }
    assert "stream" not in body and "stream_options" not in body


async def test_openai_stream_asks_for_usage_unless_told(
    gpt: LocalProvider, adapters: Adapters
) -> None:
    await collect(adapters, gpt, make_call(gpt))
    assert gpt.requests[0].body["stream"] is True
    assert gpt.requests[0].body["stream_options"] == {"include_usage": True}
    chunks = await collect(adapters, gpt, make_call(gpt, stream_options={"include_usage": False}))
    assert gpt.requests[1].body["stream_options"] == {"include_usage": False}
    assert all(c.usage is None for c in chunks)  # OpenAI sends no usage then


async def test_response_format_passes_through(gpt: LocalProvider, adapters: Adapters) -> None:
    fmt = {"type": "json_object"}
    resp = await adapters.openai.complete(make_call(gpt, user("json"), response_format=fmt))
    assert gpt.requests[0].body["response_format"] == fmt
    assert json.loads(resp.text) == {"reply": "Hello from gpt. You said: json"}


async def test_extra_headers_and_extra_body(
    gpt: LocalProvider, claude: LocalProvider, adapters: Adapters
) -> None:
    # a body field each API knows: OpenAI refuses top_k, Anthropic refuses seed
    for provider, field, value in ((gpt, "seed", 3), (claude, "top_k", 3)):
        extras = {"extra_headers": {"X-Trace": "t-1"}, "extra_body": {field: value}}
        await adapters.for_provider(provider).complete(make_call(provider, **extras))
        sent = provider.requests[0]
        assert sent.headers["x-trace"] == "t-1"
        assert sent.body[field] == value
        assert "extra_headers" not in sent.body and "extra_body" not in sent.body


@pytest.mark.parametrize("name", NAMES)
async def test_tool_call_json(server: LocalProviderServer, adapters: Adapters, name: str) -> None:
    provider = server.providers[name]
    call = make_call(provider, user("weather in Paris"), tools=TOOLS, tool_choice="auto")
    resp = await adapters.for_provider(provider).complete(call)
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert calls is not None and len(calls) == 1
    assert isinstance(calls[0], ToolCall) and isinstance(calls[0].function, FunctionCall)
    assert calls[0].id and calls[0].type == "function"
    assert calls[0].function.name == "lookup"
    assert json.loads(calls[0].function.arguments) == {"query": "weather in Paris"}


@pytest.mark.parametrize("name", NAMES)
async def test_tool_call_stream(server: LocalProviderServer, adapters: Adapters, name: str) -> None:
    provider = server.providers[name]
    call = make_call(provider, user("weather in Rome"), tools=TOOLS)
    chunks = await collect(adapters, provider, call)
    deltas = [tc for c in chunks for ch in c.choices for tc in ch.delta.tool_calls or []]
    assert deltas and all(d.index == 0 for d in deltas)
    assert deltas[0].id and deltas[0].function is not None and deltas[0].function.name == "lookup"
    arguments = "".join(d.function.arguments or "" for d in deltas if d.function)
    assert json.loads(arguments) == {"query": "weather in Rome"}
    finishes = [ch.finish_reason for c in chunks for ch in c.choices if ch.finish_reason]
    assert finishes == ["tool_calls"]


async def test_anthropic_request_translation(claude: LocalProvider, adapters: Adapters) -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "look it up"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": '{"query": "x"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "42"},
        {"role": "user", "content": "thanks"},
    ]
    call = make_call(
        claude, messages, tools=TOOLS, max_completion_tokens=99, stop="END", user="u-1", seed=3
    )
    resp = await adapters.anthropic.complete(call)
    sent = claude.requests[0]
    assert sent.path == "/claude/v1/messages"
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    body = sent.body
    assert body["model"] == "claude-x-1"
    assert body["system"] == "You are terse."
    assert body["max_tokens"] == 99
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "u-1"}
    assert "seed" not in body and "max_completion_tokens" not in body
    assert body["tools"][0]["input_schema"]["properties"] == {"query": {"type": "string"}}
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][1]["content"] == [
        {"type": "tool_use", "id": "call_1", "name": "lookup", "input": {"query": "x"}}
    ]
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "call_1", "content": "42"},
        {"type": "text", "text": "thanks"},
    ]
    assert resp.text == "Hello from claude. You said: thanks"


async def test_anthropic_defaults_max_tokens(claude: LocalProvider, adapters: Adapters) -> None:
    await adapters.anthropic.complete(make_call(claude))
    assert claude.requests[0].body["max_tokens"] == 4096


async def test_openai_model_without_api_base_uses_the_prefix_default(
    adapters: Adapters, gpt: LocalProvider
) -> None:
    from llmrouter.vendors import model_ref

    def default(model: str) -> str | None:
        return model_ref(model).vendor.api_base

    assert default("zai/glm-4.6") == "https://api.z.ai/api/paas/v4"
    assert default("openai/gpt-4o") == "https://api.openai.com/v1"
    assert default("deepseek/deepseek-chat") == "https://api.deepseek.com"
    assert default("moonshot/kimi-k2-0905-preview") == "https://api.moonshot.ai/v1"
    assert default("zai_anthropic/glm-4.6") == "https://api.z.ai/api/anthropic"
    assert default("hosted_vllm/llama") is None
    # an api_base that already names the endpoint is not doubled
    call = make_call(gpt, api_base=gpt.api_base + "/chat/completions")
    await adapters.openai.complete(call)
    assert gpt.requests[0].path == "/gpt/chat/completions"


def test_an_adapter_outlives_its_event_loop() -> None:
    """`aclose()` then use in a new loop (e.g. two `asyncio.run`s): the session is remade."""
    adapter = OpenAIWireProvider(Redactor([KEY]))

    async def once() -> str:
        async with LocalProviderServer() as server:
            gpt = server.add_provider("gpt")
            text = (await adapter.complete(make_call(gpt))).text
            await adapter.aclose()
            return text

    assert asyncio.run(once()) == asyncio.run(once()) == "Hello from gpt. You said: hi"
