"""Reasoning and multi-part answers, rendered in each format (the gateway's app in process,
over a router whose provider answers with reasoning, text and two tool calls)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from llmrouter import Router
from llmrouter.config.loader import load_dict
from llmrouter.gateway import GatewayMetrics, GatewaySettings, build_app
from llmrouter.gateway.messages_request import CARRIES_THINKING_BLOCKS
from llmrouter.providers import FunctionProvider
from llmrouter.providers.base import ProviderCall
from llmrouter.types import ChatCompletion, ChatCompletionChunk

CONFIG: dict[str, Any] = {
    "providers": {"local": {"api_base": "http://127.0.0.1:9"}},
    "models": {"thinker": {"provider": "local", "model": "openai/thinker"}},
    "routes": {"think": {"models": ["thinker"]}},
}

SIGNED = {"type": "thinking", "thinking": "Let me think.", "signature": "sig-1"}
CALLS = [
    {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "a"}'}},
    {"id": "call_2", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "b"}'}},
]


async def _complete(call: ProviderCall) -> ChatCompletion:
    return ChatCompletion.model_validate(
        {
            "id": "c1",
            "model": "thinker",
            "choices": [
                {
                    "message": {
                        "role": "assistant",
                        "content": "The answer.",
                        "reasoning_content": "Let me think.",
                        "thinking_blocks": [SIGNED],
                        "tool_calls": CALLS,
                    },
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {
                "prompt_tokens": 20,
                "completion_tokens": 10,
                "total_tokens": 30,
                "prompt_tokens_details": {"cached_tokens": 5},
                "completion_tokens_details": {"reasoning_tokens": 3},
            },
        }
    )


def _chunk(
    delta: dict[str, Any], finish: str | None = None, usage: Any = None
) -> ChatCompletionChunk:
    choices = [{"index": 0, "delta": delta, "finish_reason": finish}] if delta or finish else []
    return ChatCompletionChunk.model_validate(
        {"id": "c1", "model": "thinker", "choices": choices, "usage": usage}
    )


async def _stream(call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
    yield _chunk({"role": "assistant", "reasoning_content": "Let me "})
    yield _chunk({"reasoning_content": "think."})
    yield _chunk({"thinking_blocks": [SIGNED]})
    yield _chunk({"content": "The "})
    yield _chunk({"content": "answer."})
    for index, call_ in enumerate(CALLS):
        function = call_["function"]
        yield _chunk(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call_["id"],
                        "type": "function",
                        "function": {"name": function["name"], "arguments": ""},
                    }
                ]
            }
        )
        yield _chunk(
            {"tool_calls": [{"index": index, "function": {"arguments": function["arguments"]}}]}
        )
    yield _chunk({}, finish="tool_calls")
    yield _chunk({}, usage={"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30})


PROVIDER = FunctionProvider(_complete, _stream)


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    loaded = load_dict(CONFIG)
    settings = GatewaySettings.from_config(loaded, {}, no_auth=True)
    metrics = GatewayMetrics()
    router = Router(loaded, provider=PROVIDER, callbacks=[metrics.callbacks])
    test_server = TestServer(build_app(router, settings, metrics))
    await test_server.start_server()
    try:
        yield test_server
    finally:
        await test_server.close()
        await router.aclose()


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


@pytest.mark.parametrize("stream", [False, True])
async def test_messages_render_thinking_text_and_tool_uses(
    server: TestServer, stream: bool
) -> None:
    import anthropic

    async with anthropic.AsyncAnthropic(
        base_url=_url(server), api_key="x", max_retries=0
    ) as client:
        kwargs: dict[str, Any] = {
            "model": "think",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": "q"}],
        }
        if stream:
            async with client.messages.stream(**kwargs) as events:
                message = await events.get_final_message()
        else:
            message = await client.messages.create(**kwargs)
    kinds = [block.type for block in message.content]
    assert kinds == ["thinking", "text", "tool_use", "tool_use"]
    assert message.content[0].thinking == "Let me think."
    # the backend's signature, where the Router's types carry thinking blocks
    assert message.content[0].signature == ("sig-1" if CARRIES_THINKING_BLOCKS else "")
    assert message.content[1].text == "The answer."
    assert [b.input for b in message.content[2:]] == [{"q": "a"}, {"q": "b"}]
    assert message.stop_reason == "tool_use"
    if not stream:
        assert message.usage.input_tokens == 15 and message.usage.cache_read_input_tokens == 5


@pytest.mark.parametrize("stream", [False, True])
async def test_responses_render_reasoning_message_and_calls(
    server: TestServer, stream: bool
) -> None:
    import openai

    async with openai.AsyncOpenAI(
        base_url=_url(server) + "/v1", api_key="x", max_retries=0
    ) as client:
        if stream:
            async with client.responses.stream(model="think", input="q") as events:
                async for _ in events:
                    pass
                response = await events.get_final_response()
        else:
            response = await client.responses.create(model="think", input="q")
    kinds = [item.type for item in response.output]
    assert kinds == ["reasoning", "message", "function_call", "function_call"]
    assert response.output[0].content[0].text == "Let me think."
    assert response.output_text == "The answer."
    assert [item.call_id for item in response.output[2:]] == ["call_1", "call_2"]
    assert [item.arguments for item in response.output[2:]] == ['{"q": "a"}', '{"q": "b"}']


@pytest.mark.parametrize("stream", [False, True])
async def test_chat_keeps_reasoning_content_and_calls(server: TestServer, stream: bool) -> None:
    import openai

    async with openai.AsyncOpenAI(
        base_url=_url(server) + "/v1", api_key="x", max_retries=0
    ) as client:
        messages = [{"role": "user", "content": "q"}]
        if stream:
            chunks = [
                c
                async for c in await client.chat.completions.create(
                    model="think", messages=messages, stream=True
                )
            ]
            reasoning = "".join(
                getattr(c.choices[0].delta, "reasoning_content", None) or ""
                for c in chunks
                if c.choices
            )
            names = [
                tc.function.name
                for c in chunks
                if c.choices
                for tc in c.choices[0].delta.tool_calls or ()
                if tc.function.name
            ]
        else:
            completion = await client.chat.completions.create(model="think", messages=messages)
            message = completion.choices[0].message
            reasoning = getattr(message, "reasoning_content", "")
            names = [tc.function.name for tc in message.tool_calls]
    assert reasoning == "Let me think."
    assert names == ["lookup", "lookup"]


async def test_thinking_blocks_of_earlier_turns(server: TestServer) -> None:
    """Carried with their signatures where the Router's messages have `thinking_blocks`,
    else dropped and named."""
    import anthropic

    async with anthropic.AsyncAnthropic(
        base_url=_url(server), api_key="x", max_retries=0
    ) as client:
        raw = await client.messages.with_raw_response.create(
            model="think",
            max_tokens=100,
            thinking={"type": "enabled", "budget_tokens": 1024},
            messages=[
                {"role": "user", "content": "q"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": "hmm", "signature": "sig=="},
                        {"type": "text", "text": "a"},
                    ],
                },
                {"role": "user", "content": "again"},
            ],
        )
    if CARRIES_THINKING_BLOCKS:
        sent = PROVIDER.calls[-1].messages[1]
        assert sent["thinking_blocks"] == [
            {"type": "thinking", "thinking": "hmm", "signature": "sig=="}
        ]
        assert "x-llmrouter-dropped" not in raw.headers
    else:
        assert raw.headers["x-llmrouter-dropped"] == "messages[1].content[0]"


def test_a_refusal_answer_in_each_format() -> None:
    """A refusal the Router returns as the answer: Anthropic's stop_reason refusal with its
    text, a Responses refusal part, Chat's own `refusal` field."""
    from llmrouter.gateway.chat import ChatFrontend
    from llmrouter.gateway.frontend import Inbound
    from llmrouter.gateway.messages_render import render_message
    from llmrouter.gateway.responses_render import render_response

    answer = ChatCompletion.model_validate(
        {
            "id": "r1",
            "model": "thinker",
            "choices": [
                {
                    "message": {"role": "assistant", "content": None, "refusal": "I can't help."},
                    "finish_reason": "refusal",
                }
            ],
        }
    )
    inbound = Inbound("think", [], {}, False)
    message = render_message(answer, inbound)
    assert message["stop_reason"] == "refusal"
    assert message["content"] == [{"type": "text", "text": "I can't help."}]
    response = render_response(answer, inbound)
    assert response["output"][0]["content"] == [{"type": "refusal", "refusal": "I can't help."}]
    chat = ChatFrontend().render(answer, inbound)
    assert chat["choices"][0]["message"]["refusal"] == "I can't help."
