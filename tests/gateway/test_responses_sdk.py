"""OpenAI Responses in, through `llmrouter serve`, with the official openai SDK as the client:
each backend wire, JSON and SSE, function tools, structured output with `parse()`, and the
fields Codex CLI sends."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from gateway_support import StandIns

BACKENDS = [("glm-only", "glm"), ("claude-only", "claude"), ("gpt-only", "gpt")]

TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    "strict": False,
}


class Reply(pydantic.BaseModel):
    reply: str


@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_json_answer(openai_client: Any, route: str, model: str) -> None:
    raw = openai_client.responses.with_raw_response.create(
        model=route, input="hello gateway", instructions="be brief"
    )
    response = raw.parse()
    assert response.output_text.endswith("You said: hello gateway")
    assert response.status == "completed"
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert raw.headers["x-llmrouter-model"] == model


@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_stream_events(openai_client: Any, route: str, model: str) -> None:
    with openai_client.responses.stream(model=route, input="stream please") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas).endswith("You said: stream please")
    assert final.output_text.endswith("You said: stream please")
    assert final.usage is not None and final.usage.output_tokens > 0


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("route", "model"), BACKENDS)
def test_function_tool_round(
    openai_client: Any, stand_ins: StandIns, route: str, model: str, stream: bool
) -> None:
    items: list[Any] = [{"role": "user", "content": "weather in Paris"}]
    first = _create(openai_client, stream, model=route, input=items, tools=[TOOL])
    call = next(item for item in first.output if item.type == "function_call")
    assert call.name == "get_weather"
    assert json.loads(call.arguments) == {"query": "weather in Paris"}
    items += [
        {
            "type": "function_call",
            "call_id": call.call_id,
            "name": call.name,
            "arguments": call.arguments,
        },
        {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"},
    ]
    second = _create(openai_client, stream, model=route, input=items, tools=[TOOL])
    assert second.output_text
    if model != "claude":
        sent = getattr(stand_ins, model).requests[-1].body["messages"]
        assert sent[-2]["tool_calls"][0]["id"] == call.call_id
        assert sent[-1] == {"role": "tool", "tool_call_id": call.call_id, "content": "sunny"}


def _create(client: Any, stream: bool, **kwargs: Any) -> Any:
    if not stream:
        return client.responses.create(**kwargs)
    with client.responses.stream(**kwargs) as events:
        for _ in events:
            pass
        return events.get_final_response()


# GLM takes no json_schema (the Router knows: the model is ineligible for it), hence OpenAI.
@pytest.mark.parametrize(("route", "model"), [("gpt-only", "gpt")])
def test_structured_output_with_parse(
    openai_client: Any, stand_ins: StandIns, route: str, model: str
) -> None:
    response = openai_client.responses.parse(model=route, input="json please", text_format=Reply)
    assert isinstance(response.output_parsed, Reply)
    sent = getattr(stand_ins, model).requests[-1].body["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "Reply"


def test_codex_fields_are_carried_or_named(openai_client: Any, stand_ins: StandIns) -> None:
    raw = openai_client.responses.with_raw_response.create(
        model="gpt-only",  # reasoning_effort is an OpenAI control
        input=[
            {
                "type": "message",
                "role": "developer",
                "content": [{"type": "input_text", "text": "rules"}],
            },
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
        ],
        store=False,
        include=["reasoning.encrypted_content"],
        prompt_cache_key="session-1",
        reasoning={"effort": "low"},
        stream=False,
    )
    assert raw.headers["x-llmrouter-dropped"] == "include, prompt_cache_key"
    body = stand_ins.gpt.requests[-1].body
    assert body["messages"][0] == {"role": "system", "content": "rules"}
    assert body["reasoning_effort"] == "low"


def test_previous_response_id_is_refused(openai_client: Any) -> None:
    import openai

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.responses.create(model="glm-only", input="hi", previous_response_id="resp_1")
    assert caught.value.body["param"] == "previous_response_id"


def test_input_image(openai_client: Any, stand_ins: StandIns) -> None:
    url = "data:image/png;base64,iVBORw0KGgo="
    openai_client.responses.create(  # glm-4.6 reads no images: OpenAI's model does
        model="gpt-only",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "what"},
                    {"type": "input_image", "image_url": url},
                ],
            }
        ],
    )
    part = stand_ins.gpt.requests[-1].body["messages"][0]["content"][1]
    assert part == {"type": "image_url", "image_url": {"url": url}}
