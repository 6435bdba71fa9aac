"""Chat Completions in, through `llmrouter serve`, with the official openai SDK as the client:
each backend wire, JSON and SSE, tools, structured output with `parse()`."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from gateway_support import GATEWAY_KEY, PROVIDER_KEY, StandIns

BACKENDS = [("glm-only", "glm"), ("claude-only", "claude"), ("gpt-only", "gpt")]

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}


class Reply(pydantic.BaseModel):
    reply: str


@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_json_answer_names_the_model_and_attempts(
    openai_client: Any, route: str, model: str
) -> None:
    raw = openai_client.chat.completions.with_raw_response.create(
        model=route, messages=[{"role": "user", "content": "hello gateway"}]
    )
    completion = raw.parse()
    assert completion.choices[0].message.content.endswith("You said: hello gateway")
    assert completion.model == route
    assert raw.headers["x-llmrouter-model"] == model
    assert raw.headers["x-llmrouter-attempts"] == f"{model}=ok"
    assert completion.usage.prompt_tokens > 0


@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_stream_carries_text_usage_and_headers(openai_client: Any, route: str, model: str) -> None:
    with openai_client.chat.completions.with_streaming_response.create(
        model=route,
        messages=[{"role": "user", "content": "stream please"}],
        stream=True,
        stream_options={"include_usage": True},
    ) as response:
        assert response.headers["x-llmrouter-model"] == model
        assert response.headers["x-llmrouter-attempts"] == f"{model}=ok"
        chunks = list(response.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.endswith("You said: stream please")
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_tool_round(openai_client: Any, stand_ins: StandIns, route: str, model: str) -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "weather in Paris"}]
    first = openai_client.chat.completions.create(
        model=route, messages=messages, tools=[WEATHER_TOOL]
    )
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"query": "weather in Paris"}
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    second = openai_client.chat.completions.create(
        model=route, messages=messages, tools=[WEATHER_TOOL]
    )
    assert second.choices[0].finish_reason == "stop"
    received = getattr(stand_ins, model).requests[-1]
    assert received.headers.get("authorization", "").endswith(PROVIDER_KEY) or (
        received.headers.get("x-api-key") == PROVIDER_KEY
    )
    assert GATEWAY_KEY not in json.dumps(received.headers)


# GLM takes no json_schema (the Router knows: the model is ineligible for it), hence OpenAI.
@pytest.mark.parametrize(("route", "model"), [("gpt-only", "gpt")])
def test_structured_output_with_parse(
    openai_client: Any, stand_ins: StandIns, route: str, model: str
) -> None:
    completion = openai_client.chat.completions.parse(
        model=route, messages=[{"role": "user", "content": "json please"}], response_format=Reply
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Reply) and parsed.reply.endswith("json please")
    sent = getattr(stand_ins, model).requests[-1].body["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "Reply"


def test_image_part_reaches_the_backend(openai_client: Any, stand_ins: StandIns) -> None:
    url = "data:image/png;base64,iVBORw0KGgo="
    content = [
        {"type": "text", "text": "what is this"},
        {"type": "image_url", "image_url": {"url": url}},
    ]
    openai_client.chat.completions.create(  # glm-4.6 reads no images: OpenAI's model does
        model="gpt-only", messages=[{"role": "user", "content": content}]
    )
    assert stand_ins.gpt.requests[-1].body["messages"][0]["content"][1]["image_url"]["url"] == url


def test_a_vendor_field_with_no_openai_wire_model_is_a_400_naming_it(
    openai_client: Any, stand_ins: StandIns
) -> None:
    import openai

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.chat.completions.create(
            model="claude-only",  # the Anthropic wire cannot carry an OpenAI vendor field
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"frobnicate": 1},
        )
    assert caught.value.body["param"] == "frobnicate"
    assert stand_ins.claude.request_count == 0


def test_a_refused_field_is_a_400_naming_it(openai_client: Any) -> None:
    import openai

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.chat.completions.create(
            model="glm-only",
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"web_search_options": {}},
        )
    assert caught.value.body["param"] == "web_search_options"


def test_cost_hints_are_dropped_and_named_when_translated(
    openai_client: Any, stand_ins: StandIns
) -> None:
    raw = openai_client.chat.completions.with_raw_response.create(
        model="claude-only",  # another wire: translated
        messages=[{"role": "user", "content": "hi"}],
        prompt_cache_key="k1",
        service_tier="flex",
    )
    assert set(raw.headers["x-llmrouter-dropped"].split(", ")) == {
        "service_tier",
        "prompt_cache_key",
    }
    assert "prompt_cache_key" not in stand_ins.claude.requests[-1].body
