"""The local providers answer in the shape of the request: schema-valid tool arguments and JSON,
`n` choices, signed thinking blocks, prompt-cache usage, refusals and pause_turn."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
from localwire import (
    ANTHROPIC_HEADERS,
    OPENAI_HEADERS,
    anthropic_events,
    endpoint,
    openai_chunks,
    user,
)
from pydantic import BaseModel

from llmrouter.testing import Fault, LocalProviderServer

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 2},
        "units": {"enum": ["c", "f"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "when": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}, "minItems": 2},
        "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
    },
    "required": ["city", "units", "days", "when", "tags", "note"],
    "additionalProperties": False,
    "$defs": {"Tag": {"type": "object", "properties": {"k": {"type": "boolean"}}}},
}
OPENAI_TOOLS = [
    {"type": "function", "function": {"name": "other", "parameters": {"type": "object"}}},
    {"type": "function", "function": {"name": "weather", "parameters": WEATHER}},
]
THINKING = {"type": "enabled", "budget_tokens": 1024}


async def post(client: httpx.AsyncClient, provider: Any, **body: Any) -> httpx.Response:
    headers = ANTHROPIC_HEADERS if provider.wire == "anthropic" else OPENAI_HEADERS
    body = {"model": "m", "messages": user(), **body}
    if provider.wire == "anthropic":
        body.setdefault("max_tokens", 4096)
    return await client.post(endpoint(provider), json=body, headers=headers)


async def test_tool_arguments_validate_against_the_called_tools_schema(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    choice = {"type": "function", "function": {"name": "weather"}}
    message = (await post(client, gpt, tools=OPENAI_TOOLS, tool_choice=choice)).json()
    call = message["choices"][0]["message"]["tool_calls"][0]["function"]
    assert call["name"] == "weather"
    jsonschema.validate(json.loads(call["arguments"]), WEATHER)
    claude = server.add_provider("claude", wire="anthropic")
    tools = [{"name": "weather", "input_schema": WEATHER}]
    data = (await post(client, claude, tools=tools)).json()
    jsonschema.validate(data["content"][0]["input"], WEATHER)


class Weather(BaseModel):
    city: str
    units: str
    days: int


async def test_openai_sdk_parse_gets_a_schema_valid_answer(local_providers: Any) -> None:
    from openai import AsyncOpenAI

    gpt = local_providers.add_provider("gpt")
    async with AsyncOpenAI(api_key="k", base_url=gpt.api_base, max_retries=0) as sdk:
        completion = await sdk.chat.completions.parse(
            model="gpt-4o-mini", messages=user("Paris?"), response_format=Weather
        )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Weather) and parsed.city.startswith("Hello from gpt")


async def test_anthropic_structured_output_validates(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    config = {"format": {"type": "json_schema", "schema": WEATHER}}
    data = (await post(client, claude, output_config=config)).json()
    jsonschema.validate(json.loads(data["content"][0]["text"]), WEATHER)


async def test_n_choices_json_and_stream(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    data = (await post(client, gpt, n=3)).json()
    assert [c["index"] for c in data["choices"]] == [0, 1, 2]
    single = (await post(client, gpt)).json()
    assert data["usage"]["completion_tokens"] == 3 * single["usage"]["completion_tokens"]
    chunks = openai_chunks((await post(client, gpt, n=2, stream=True)).text)
    finishes = {c["choices"][0]["index"]: c["choices"][0]["finish_reason"] for c in chunks}
    assert finishes == {0: "stop", 1: "stop"}
    for index in (0, 1):
        text = "".join(
            c["choices"][0]["delta"].get("content") or ""
            for c in chunks
            if c["choices"][0]["index"] == index
        )
        assert text == single["choices"][0]["message"]["content"]


async def test_anthropic_thinking_blocks_are_signed_json_and_stream(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    data = (await post(client, claude, thinking=THINKING)).json()
    thinking, text = data["content"]
    assert thinking["type"] == "thinking" and thinking["thinking"] and thinking["signature"]
    assert text["type"] == "text"
    events = anthropic_events((await post(client, claude, thinking=THINKING, stream=True)).text)
    deltas = [e["delta"] for name, e in events if name == "content_block_delta"]
    signatures = [d["signature"] for d in deltas if d["type"] == "signature_delta"]
    assert signatures == [thinking["signature"]]
    streamed = "".join(d.get("thinking", "") for d in deltas if d["type"] == "thinking_delta")
    assert streamed == thinking["thinking"]


async def test_thinking_tool_loop_needs_the_signed_block_back(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    tools = [{"name": "weather", "input_schema": WEATHER}]
    first = (await post(client, claude, thinking=THINKING, tools=tools)).json()
    thinking, tool_use = first["content"]
    result = {"type": "tool_result", "tool_use_id": tool_use["id"], "content": "sunny"}

    async def turn(assistant: list[dict[str, Any]]) -> httpx.Response:
        messages = [*user(), {"role": "assistant", "content": assistant}]
        messages.append({"role": "user", "content": [result]})
        return await post(client, claude, thinking=THINKING, tools=tools, messages=messages)

    dropped = await turn([tool_use])
    assert dropped.status_code == 400
    assert "must start with a thinking block" in dropped.json()["error"]["message"]
    forged = await turn([{**thinking, "signature": "forged"}, tool_use])
    assert forged.json()["error"]["message"] == (
        "messages.1.content.0: Invalid `signature` in `thinking` block"
    )
    assert (await turn([thinking, tool_use])).status_code == 200


LONG = "The quick brown fox jumps over the lazy dog. " * 120  # > 1024 estimated tokens


async def test_anthropic_cache_write_then_read(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    system = [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}]
    first = (await post(client, claude, system=system)).json()["usage"]
    assert first["cache_creation_input_tokens"] > 1024 and first["cache_read_input_tokens"] == 0
    again = (await post(client, claude, system=system, messages=user("other"))).json()["usage"]
    assert again["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert again["cache_creation_input_tokens"] == 0
    short = [{"type": "text", "text": "short", "cache_control": {"type": "ephemeral"}}]
    small = (await post(client, claude, system=short)).json()["usage"]
    assert small["cache_creation_input_tokens"] == small["cache_read_input_tokens"] == 0
    plain = (await post(client, claude, system=LONG)).json()["usage"]  # no breakpoint
    assert plain["cache_read_input_tokens"] == 0


@pytest.mark.parametrize("flavor", ["openai", "zhipu"])
async def test_openai_wire_caches_repeated_prefixes(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    gpt = server.add_provider("gpt", wire="openai", flavor=flavor)  # type: ignore[arg-type]
    messages = [{"role": "system", "content": LONG}, *user()]
    first = (await post(client, gpt, messages=messages)).json()["usage"]
    assert first["prompt_tokens_details"]["cached_tokens"] == 0
    messages = [*messages, {"role": "assistant", "content": "ok"}, *user("more")]
    later = (await post(client, gpt, messages=messages)).json()["usage"]
    cached = later["prompt_tokens_details"]["cached_tokens"]
    assert cached >= 1024 and (cached - 1024) % 128 == 0 and cached <= first["prompt_tokens"]


async def test_refusal_openai_json_and_stream(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    gpt.fail_next(Fault.refusal("I can't help with that."), times=2)
    message = (await post(client, gpt)).json()["choices"][0]
    assert message["message"]["content"] is None
    assert message["message"]["refusal"] == "I can't help with that."
    assert message["finish_reason"] == "stop"
    chunks = openai_chunks((await post(client, gpt, stream=True)).text)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": None, "refusal": ""}
    refusal = "".join(c["choices"][0]["delta"].get("refusal") or "" for c in chunks)
    assert refusal == "I can't help with that."
    assert all(c["choices"][0]["delta"].get("content") is None for c in chunks)


@pytest.mark.parametrize("fault", [Fault.refusal(), Fault.pause_turn()], ids=str)
async def test_anthropic_refusal_and_pause_turn_stop_reasons(
    server: LocalProviderServer, client: httpx.AsyncClient, fault: Fault
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    claude.fail_next(fault, times=2)
    assert (await post(client, claude)).json()["stop_reason"] == fault.kind
    events = anthropic_events((await post(client, claude, stream=True)).text)
    (delta,) = [e for name, e in events if name == "message_delta"]
    assert delta["delta"]["stop_reason"] == fault.kind


def test_pause_turn_is_anthropic_only(server: LocalProviderServer) -> None:
    gpt = server.add_provider("gpt")
    with pytest.raises(ValueError, match="anthropic wire only"):
        gpt.fail_next(Fault.pause_turn())


async def test_zhipu_thinking_sends_reasoning_content(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    glm = server.add_provider("glm", wire="openai", flavor="zhipu")
    data = (await post(client, glm, thinking={"type": "enabled"})).json()
    assert data["choices"][0]["message"]["reasoning_content"]
    assert data["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    chunks = openai_chunks(
        (await post(client, glm, thinking={"type": "enabled"}, stream=True)).text
    )
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks)
    assert reasoning == data["choices"][0]["message"]["reasoning_content"]
