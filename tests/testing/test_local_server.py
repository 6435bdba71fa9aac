"""LocalProviderServer: successful answers on both wires, over real loopback HTTP."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import httpx
import pytest
from localwire import (
    anthropic_events,
    anthropic_stream_text,
    call,
    endpoint,
    openai_chunks,
    openai_stream_text,
    user,
)

from llmrouter.testing import LocalProviderServer

TOOLS_OPENAI = [
    {
        "type": "function",
        "function": {
            "name": "lookup_contract",
            "description": "Find a contract",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    },
    {"type": "function", "function": {"name": "second_tool", "parameters": {"type": "object"}}},
]
TOOLS_ANTHROPIC = [
    {
        "name": "lookup_contract",
        "description": "Find a contract",
        "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
    }
]


# -- OpenAI wire --------------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", ["openai", "zhipu"])
async def test_openai_json_answer(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    glm = server.add_provider("glm", wire="openai", flavor=flavor)  # type: ignore[arg-type]
    resp = await call(client, glm, "hello there", model="glm-4.6")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    data = resp.json()
    assert data["id"] == "chatcmpl-local-1"
    assert data["object"] == "chat.completion"
    assert data["model"] == "glm-4.6"
    assert data["system_fingerprint"] == "fp_local"
    assert isinstance(data["created"], int) and abs(data["created"] - time.time()) < 60
    (choice,) = data["choices"]
    message = {"role": "assistant", "content": "Hello from glm. You said: hello there"}
    if flavor == "openai":  # GLM has no refusal field
        message["refusal"] = None
    assert choice == {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
    text = choice["message"]["content"]
    prompt = math.ceil(len("hello there") / 4) + 3
    completion = math.ceil(len(text) / 4)
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    if flavor == "openai":  # as OpenAI sends them, every detail present
        usage["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
    assert data["usage"] == usage


@pytest.mark.parametrize("flavor", ["openai", "zhipu"])
@pytest.mark.parametrize("include_usage", [True, False])
async def test_openai_stream_matches_json(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str, include_usage: bool
) -> None:
    gpt = server.add_provider("gpt", wire="openai", flavor=flavor)  # type: ignore[arg-type]
    plain = (await call(client, gpt, "stream me please")).json()
    extra: dict[str, Any] = {"stream": True}
    if include_usage:
        extra["stream_options"] = {"include_usage": True}
    resp = await call(client, gpt, "stream me please", **extra)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert resp.text.endswith("data: [DONE]\n\n")
    chunks = openai_chunks(resp.text)
    for chunk in chunks:
        assert chunk["id"] == "chatcmpl-local-2"
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["model"] == "test-model"
        assert chunk["system_fingerprint"] == "fp_local"
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    words = [c["choices"][0]["delta"].get("content") for c in chunks[1:] if c["choices"]]
    words = [w for w in words if w is not None]
    assert words == ["Hello ", "from ", "gpt. ", "You ", "said: ", "stream ", "me ", "please"]
    assert openai_stream_text(chunks) == plain["choices"][0]["message"]["content"]
    finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finish) == 1 and finish[0]["choices"][0] == {
        "index": 0,
        "delta": {},
        "logprobs": None,
        "finish_reason": "stop",
    }
    usage_chunks = [c for c in chunks if "usage" in c]
    # GLM reports usage once, on its final chunk, asked or not; OpenAI in a chunk of its own,
    # only when asked
    if flavor == "zhipu":
        assert usage_chunks == [finish[0]] and chunks[-1] is finish[0]
    else:
        assert len(usage_chunks) == (1 if include_usage else 0)
    if usage_chunks:
        assert usage_chunks[0]["usage"] == plain["usage"]
        assert chunks[-1] is usage_chunks[0]


async def test_openai_v1_path_and_list_content(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "first"}]},
        {"role": "assistant", "content": "ok"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "part one "}, {"type": "text", "text": "two"}],
        },
    ]
    resp = await client.post(
        gpt.api_base + "/v1/chat/completions", json={"model": "m", "messages": messages}
    )
    data = resp.json()
    assert data["choices"][0]["message"]["content"] == "Hello from gpt. You said: part one two"
    texts = ["be brief", "first", "ok", "part one two"]
    assert data["usage"]["prompt_tokens"] == sum(math.ceil(len(t) / 4) + 3 for t in texts)
    assert gpt.requests[0].path == "/gpt/v1/chat/completions"


async def test_reply_is_cut_to_sixty_characters(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    resp = await call(client, gpt, "x" * 100)
    assert (
        resp.json()["choices"][0]["message"]["content"] == "Hello from gpt. You said: " + "x" * 60
    )


@pytest.mark.parametrize("param", ["max_tokens", "max_completion_tokens"])
async def test_openai_max_tokens_truncates_by_words(
    server: LocalProviderServer, client: httpx.AsyncClient, param: str
) -> None:
    gpt = server.add_provider("gpt")
    data = (await call(client, gpt, **{param: 4})).json()
    assert data["choices"][0]["message"]["content"] == "Hello from gpt."
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"]["completion_tokens"] <= 4
    chunks = openai_chunks((await call(client, gpt, stream=True, **{param: 4})).text)
    assert openai_stream_text(chunks) == "Hello from gpt."
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


async def test_openai_tool_call_json_and_stream(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    data = (await call(client, gpt, "acme", tools=TOOLS_OPENAI)).json()
    (choice,) = data["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    assert choice["message"]["tool_calls"] == [
        {
            "id": "call_local_1",
            "type": "function",
            "function": {"name": "lookup_contract", "arguments": '{"query": "acme"}'},
        }
    ]
    chunks = openai_chunks((await call(client, gpt, "acme", tools=TOOLS_OPENAI, stream=True)).text)
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    assert calls[0]["index"] == 0 and calls[0]["id"] == "call_local_2"
    assert calls[0]["type"] == "function" and calls[0]["function"]["name"] == "lookup_contract"
    assert 2 <= len(calls) <= 3
    arguments = "".join(c["function"]["arguments"] for c in calls)
    assert json.loads(arguments) == {"query": "acme"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


async def test_no_tool_call_when_choice_none_or_after_tool_result(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    data = (await call(client, gpt, "acme", tools=TOOLS_OPENAI, tool_choice="none")).json()
    assert data["choices"][0]["finish_reason"] == "stop"
    messages = [
        *user("acme"),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup_contract", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "found it"},
    ]
    resp = await client.post(
        endpoint(gpt), json={"model": "m", "messages": messages, "tools": TOOLS_OPENAI}
    )
    message = resp.json()["choices"][0]["message"]
    assert message["content"] == "Hello from gpt. You said: acme"
    assert "tool_calls" not in message


REPLY_SCHEMA = {
    "type": "object",
    "properties": {"reply": {"type": "string"}},
    "required": ["reply"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    "response_format",
    [
        {"type": "json_object"},
        {"type": "json_schema", "json_schema": {"name": "r", "schema": REPLY_SCHEMA}},
    ],
)
async def test_json_mode(
    server: LocalProviderServer, client: httpx.AsyncClient, response_format: dict[str, Any]
) -> None:
    gpt = server.add_provider("gpt")
    data = (await call(client, gpt, "json please", response_format=response_format)).json()
    content = data["choices"][0]["message"]["content"]
    assert json.loads(content) == {"reply": "Hello from gpt. You said: json please"}
    chunks = openai_chunks(
        (await call(client, gpt, "json please", response_format=response_format, stream=True)).text
    )
    assert openai_stream_text(chunks) == content


async def test_set_reply_text_and_callable(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    gpt.set_reply("fixed text")
    assert (await call(client, gpt)).json()["choices"][0]["message"]["content"] == "fixed text"
    gpt.set_reply(lambda body: f"{len(body['messages'])} messages")
    assert (await call(client, gpt)).json()["choices"][0]["message"]["content"] == "1 messages"
    gpt.set_reply(None)
    content = (await call(client, gpt)).json()["choices"][0]["message"]["content"]
    assert content.startswith("Hello from gpt.")


# -- Anthropic wire -----------------------------------------------------------------------------


async def test_anthropic_json_answer(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": "be nice"}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi claude"}]}],
    }
    resp = await client.post(
        claude.api_base + "/v1/messages",
        json=body,
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    )
    assert resp.status_code == 200
    data = resp.json()
    text = "Hello from claude. You said: hi claude"
    prompt = (math.ceil(len("be nice") / 4) + 3) + (math.ceil(len("hi claude") / 4) + 3)
    assert data == {
        "id": "msg_local_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": prompt,
            "output_tokens": math.ceil(len(text) / 4),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


async def test_anthropic_stream_matches_json(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    plain = (await call(client, claude, "stream me")).json()
    resp = await call(client, claude, "stream me", stream=True)
    assert resp.headers["content-type"].startswith("text/event-stream")
    events = anthropic_events(resp.text)
    names = [name for name, _ in events]
    deltas = names.count("content_block_delta")
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * deltas,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert deltas == len(plain["content"][0]["text"].split(" "))
    start = events[0][1]["message"]
    assert start["id"] == "msg_local_2" and start["content"] == []
    assert start["usage"]["input_tokens"] == plain["usage"]["input_tokens"]
    assert start["usage"]["output_tokens"] == 1
    assert events[1][1]["content_block"] == {"type": "text", "text": ""}
    assert anthropic_stream_text(events) == plain["content"][0]["text"]
    message_delta = events[-2][1]
    assert message_delta["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert message_delta["usage"] == {"output_tokens": plain["usage"]["output_tokens"]}


async def test_anthropic_max_tokens(server: LocalProviderServer, client: httpx.AsyncClient) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    data = (await call(client, claude, max_tokens=5)).json()
    assert data["content"][0]["text"] == "Hello from claude."
    assert data["stop_reason"] == "max_tokens"
    events = anthropic_events((await call(client, claude, max_tokens=5, stream=True)).text)
    assert anthropic_stream_text(events) == "Hello from claude."
    assert events[-2][1]["delta"]["stop_reason"] == "max_tokens"


async def test_anthropic_tool_use_json_and_stream(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    data = (await call(client, claude, "acme", tools=TOOLS_ANTHROPIC)).json()
    assert data["stop_reason"] == "tool_use"
    assert data["content"] == [
        {
            "type": "tool_use",
            "id": "toolu_local_1",
            "name": "lookup_contract",
            "input": {"query": "acme"},
        }
    ]
    events = anthropic_events(
        (await call(client, claude, "acme", tools=TOOLS_ANTHROPIC, stream=True)).text
    )
    block = events[1][1]["content_block"]
    assert block == {
        "type": "tool_use",
        "id": "toolu_local_2",
        "name": "lookup_contract",
        "input": {},
    }
    pieces = [
        e["delta"]["partial_json"]
        for name, e in events
        if name == "content_block_delta" and e["delta"]["type"] == "input_json_delta"
    ]
    assert 1 <= len(pieces) <= 2
    assert json.loads("".join(pieces)) == {"query": "acme"}
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"
    none = (
        await call(client, claude, "acme", tools=TOOLS_ANTHROPIC, tool_choice={"type": "none"})
    ).json()
    assert none["stop_reason"] == "end_turn"


async def test_anthropic_messages_path_without_v1(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    resp = await client.post(
        claude.api_base + "/messages",
        json={"model": "m", "max_tokens": 10, "messages": user()},
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    )
    assert resp.status_code == 200
    assert claude.requests[0].path == "/claude/messages"


# -- routing, recording, lifecycle --------------------------------------------------------------


async def test_unknown_paths_and_bad_bodies(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    claude = server.add_provider("claude", wire="anthropic")
    for url in (
        server.url + "/nobody/chat/completions",
        gpt.api_base + "/v1/messages",
        claude.api_base + "/chat/completions",
        gpt.api_base + "/v1/models",
        server.url + "/",
    ):
        resp = await client.post(url, json={"messages": user()})
        assert resp.status_code == 404, url
        assert resp.json()["error"]["code"] == "not_found"
    resp = await client.get(endpoint(gpt))
    assert resp.status_code == 405
    for content in (b"not json", b"[1, 2]"):
        resp = await client.post(endpoint(gpt), content=content)
        assert resp.status_code == 400
        assert "error" in resp.json()
    assert gpt.request_count == 0 and claude.request_count == 0


async def test_requests_are_recorded(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    claude = server.add_provider("claude", wire="anthropic")
    before = time.monotonic()
    await call(client, gpt, "one")
    await call(client, gpt, "two", stream=True)
    await call(client, claude, "three")
    assert gpt.request_count == 2 and claude.request_count == 1
    assert server.total_requests == 3
    first, second = gpt.requests
    assert first.path == "/gpt/chat/completions"
    assert first.headers["authorization"] == "Bearer test-key"
    assert all(name == name.lower() for name in first.headers)
    assert first.body["messages"] == user("one")
    assert (first.stream, second.stream) == (False, True)
    assert before <= first.received_at <= second.received_at
    assert first.finished_at is not None and first.finished_at >= first.received_at
    assert second.finished_at is not None
    assert not first.disconnected and first.fault is None
    assert claude.requests[0].headers["x-api-key"] == "test-key"
    gpt.reset()
    assert gpt.request_count == 0 and gpt.requests == []
    assert server.total_requests == 1
    await call(client, gpt)
    assert gpt.requests[0].seq == 1


async def test_latency(server: LocalProviderServer, client: httpx.AsyncClient) -> None:
    gpt = server.add_provider("gpt")
    gpt.set_latency(0.2)
    started = time.monotonic()
    resp = await call(client, gpt)
    assert resp.status_code == 200
    assert time.monotonic() - started >= 0.2
    gpt.set_latency(0)
    started = time.monotonic()
    await call(client, gpt)
    assert time.monotonic() - started < 0.2


async def test_lifecycle_and_validation() -> None:
    server = LocalProviderServer(port=0, host="127.0.0.1")
    gpt = server.add_provider("gpt")
    with pytest.raises(RuntimeError):
        _ = server.url
    with pytest.raises(RuntimeError):
        _ = gpt.api_base
    await server.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.port > 0
        assert gpt.api_base == f"{server.url}/gpt"
        assert server.providers == {"gpt": gpt}
        with pytest.raises(RuntimeError):
            await server.start()
        with pytest.raises(ValueError):
            server.add_provider("gpt")
        with pytest.raises(ValueError):
            server.add_provider("a/b")
        with pytest.raises(ValueError):
            server.add_provider("x", wire="anthropic", flavor="zhipu")
        with pytest.raises(ValueError):
            server.add_provider("y", wire="grpc")  # type: ignore[arg-type]
        assert server.add_provider("z", wire="openai").flavor == "openai"
        assert server.add_provider("c", wire="anthropic").flavor == "anthropic"
        async with httpx.AsyncClient() as client:
            assert (await call(client, gpt)).status_code == 200
    finally:
        await server.stop()
    await server.stop()
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(f"http://127.0.0.1:{server.port}/gpt/chat/completions", json={})
