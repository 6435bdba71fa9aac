"""Anthropic Messages in, through `llmrouter serve`, with the official anthropic SDK as the
client: each backend wire, JSON and SSE, tools, structured output with `parse()`, images,
and what cannot be carried (refused with a 400 naming it, or dropped and named)."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from gateway_support import GATEWAY_KEY, StandIns

BACKENDS = [("glm-only", "glm"), ("claude-only", "claude"), ("gpt-only", "gpt")]

TOOL = {
    "name": "get_weather",
    "description": "Weather in a city",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
}


class Reply(pydantic.BaseModel):
    reply: str


@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_json_answer(anthropic_client: Any, route: str, model: str) -> None:
    raw = anthropic_client.messages.with_raw_response.create(
        model=route, max_tokens=200, messages=[{"role": "user", "content": "hello gateway"}]
    )
    message = raw.parse()
    assert message.content[0].text.endswith("You said: hello gateway")
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert raw.headers["x-llmrouter-model"] == model


@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_stream_with_the_sdk_helper(anthropic_client: Any, route: str, model: str) -> None:
    with anthropic_client.messages.stream(
        model=route, max_tokens=200, messages=[{"role": "user", "content": "stream please"}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text.endswith("You said: stream please")
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_tool_round(
    anthropic_client: Any, stand_ins: StandIns, route: str, model: str, stream: bool
) -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "weather in Paris"}]
    first = _create(
        anthropic_client, stream, model=route, max_tokens=200, messages=messages, tools=[TOOL]
    )
    assert first.stop_reason == "tool_use"
    use = next(b for b in first.content if b.type == "tool_use")
    assert use.name == "get_weather" and use.input == {"query": "weather in Paris"}
    messages += [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "sunny"}],
        },
    ]
    second = _create(
        anthropic_client, stream, model=route, max_tokens=200, messages=messages, tools=[TOOL]
    )
    assert second.stop_reason == "end_turn"
    body = getattr(stand_ins, model).requests[-1].body
    assert GATEWAY_KEY not in json.dumps(body)
    if model != "claude":  # the OpenAI wire got a tool message
        assert body["messages"][-1] == {"role": "tool", "tool_call_id": use.id, "content": "sunny"}


def _create(client: Any, stream: bool, **kwargs: Any) -> Any:
    if not stream:
        return client.messages.create(**kwargs)
    with client.messages.stream(**kwargs) as events:
        return events.get_final_message()


# GLM takes no json_schema (the Router knows: the model is ineligible for it), hence OpenAI.
@pytest.mark.parametrize(("route", "model"), [("gpt-only", "gpt")])
def test_structured_output_with_parse(
    anthropic_client: Any, stand_ins: StandIns, route: str, model: str
) -> None:
    message = anthropic_client.messages.parse(
        model=route,
        max_tokens=200,
        messages=[{"role": "user", "content": "json please"}],
        output_format=Reply,
    )
    assert isinstance(message.parsed_output, Reply)
    sent = getattr(stand_ins, model).requests[-1].body["response_format"]
    assert sent["type"] == "json_schema" and "reply" in sent["json_schema"]["schema"]["properties"]


def test_image_block_becomes_an_image_url_part(anthropic_client: Any, stand_ins: StandIns) -> None:
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    anthropic_client.messages.create(  # glm-4.6 reads no images: OpenAI's model does
        model="gpt-only",
        max_tokens=50,
        messages=[{"role": "user", "content": [{"type": "text", "text": "what is it"}, image]}],
    )
    part = stand_ins.gpt.requests[-1].body["messages"][0]["content"][1]
    assert part == {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


def test_cache_control_and_betas_are_dropped_and_named(anthropic_client: Any) -> None:
    raw = anthropic_client.messages.with_raw_response.create(
        model="glm-only",
        max_tokens=50,
        system=[{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={"anthropic-beta": "context-management-2025-06-27"},
        extra_body={"context_management": {"edits": []}},
    )
    dropped = raw.headers["x-llmrouter-dropped"].split(", ")
    assert dropped == ["system[0].cache_control", "context_management", "anthropic-beta"]


def test_a_document_block_is_refused_naming_it(anthropic_client: Any) -> None:
    import anthropic

    document = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "x"},
    }
    with pytest.raises(anthropic.BadRequestError) as caught:
        anthropic_client.messages.create(
            model="glm-only", max_tokens=50, messages=[{"role": "user", "content": [document]}]
        )
    assert caught.value.status_code == 400
    assert caught.value.body["error"]["type"] == "invalid_request_error"
    assert "messages[0].content[0].type" in caught.value.body["error"]["message"]


def test_trailing_system_message_is_carried(anthropic_client: Any, stand_ins: StandIns) -> None:
    anthropic_client.messages.create(
        model="glm-only",
        max_tokens=50,
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "system", "content": "answer in French"},  # what Claude Code sends
        ],
    )
    assert stand_ins.glm.requests[-1].body["messages"][-1] == {
        "role": "system",
        "content": "answer in French",
    }


def test_bearer_auth_and_query_string(gateway: Any) -> None:
    import anthropic

    with anthropic.Anthropic(base_url=gateway.url, auth_token=GATEWAY_KEY, max_retries=0) as client:
        message = client.messages.create(
            model="claude-sonnet-4-5",  # an alias: claude-* -> coding
            max_tokens=50,
            messages=[{"role": "user", "content": "hi"}],
            extra_query={"beta": "true"},
        )
    assert message.model == "claude-sonnet-4-5"
