"""OpenAI <-> Anthropic Messages translation, as pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from llmrouter.providers.anthropic_messages import (
    UNCARRIED,
    UnsupportedRequest,
    to_messages_request,
)
from llmrouter.providers.anthropic_response import finish_reason, to_chat_completion
from llmrouter.providers.anthropic_stream import StreamTranslator
from llmrouter.providers.anthropic_wire import messages_url
from llmrouter.types import ChatCompletion


def request(messages: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
    return to_messages_request("claude-x", messages, params, stream=False)


def test_several_system_messages_become_text_blocks() -> None:
    body = request(
        [
            {"role": "system", "content": "one"},
            {"role": "developer", "content": [{"type": "text", "text": "two"}]},
            {"role": "user", "content": "hi"},
        ]
    )
    assert body["system"] == [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]
    assert body["messages"] == [{"role": "user", "content": "hi"}]


def test_content_parts_and_images() -> None:
    parts = [
        {"type": "text", "text": "what is this?", "cache_control": {"type": "ephemeral"}},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,QUJD"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "text", "text": ""},
    ]
    body = request([{"role": "user", "content": parts}])
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "what is this?", "cache_control": {"type": "ephemeral"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "QUJD"}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}},
    ]


def test_consecutive_tool_results_share_one_user_turn() -> None:
    calls = [
        {"id": f"c{i}", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        for i in (1, 2)
    ]
    body = request(
        [
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": "calling", "tool_calls": calls},
            {"role": "tool", "tool_call_id": "c1", "content": "r1"},
            {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "r2"}]},
        ]
    )
    assistant, results = body["messages"][1], body["messages"][2]
    assert assistant["content"][0] == {"type": "text", "text": "calling"}
    assert [b["id"] for b in assistant["content"][1:]] == ["c1", "c2"]
    assert results == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "c1", "content": "r1"},
            {
                "type": "tool_result",
                "tool_use_id": "c2",
                "content": [{"type": "text", "text": "r2"}],
            },
        ],
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", {"type": "auto"}),
        ("required", {"type": "any"}),
        ("none", {"type": "none"}),
        ({"type": "function", "function": {"name": "f"}}, {"type": "tool", "name": "f"}),
        ({"type": "any"}, {"type": "any"}),
    ],
)
def test_tool_choice(choice: Any, expected: dict[str, Any]) -> None:
    assert (
        request([{"role": "user", "content": "x"}], tool_choice=choice)["tool_choice"] == expected
    )


def test_parallel_tool_calls_false() -> None:
    body = request([{"role": "user", "content": "x"}], parallel_tool_calls=False)
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert "parallel_tool_calls" not in body


def test_tools_in_anthropic_shape_pass_through() -> None:
    tool = {"type": "web_search_20250305", "name": "web_search"}
    assert request([{"role": "user", "content": "x"}], tools=[tool])["tools"] == [tool]


def test_uncarried_params_never_reach_the_body_others_are_sent() -> None:
    # Eligibility skips an Anthropic-wire model for a request that sets an uncarried
    # parameter; the translation itself never writes one into the body.
    params = dict.fromkeys(UNCARRIED, 1) | {"n": 1, "top_k": 5, "stream_options": {}}
    body = request([{"role": "user", "content": "x"}], **params)
    assert not UNCARRIED & set(body) and "stream_options" not in body and "n" not in body
    assert body["top_k"] == 5


def test_json_schema_becomes_a_forced_tool() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    body = request([{"role": "user", "content": "x"}], response_format=fmt)
    assert body["tools"][0]["input_schema"] == schema
    assert body["tool_choice"] == {"type": "tool", "name": body["tools"][0]["name"]}
    assert "response_format" not in body


def test_reasoning_effort_becomes_a_thinking_budget() -> None:
    body = request([{"role": "user", "content": "x"}], reasoning_effort="low", max_tokens=8000)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


def test_n_above_one_and_legacy_function_role_are_refused() -> None:
    with pytest.raises(UnsupportedRequest):
        request([{"role": "user", "content": "x"}], n=2)
    with pytest.raises(UnsupportedRequest):
        request([{"role": "function", "name": "f", "content": "x"}])


def test_stop_string_and_list() -> None:
    assert request([{"role": "user", "content": "x"}], stop="a")["stop_sequences"] == ["a"]
    assert request([{"role": "user", "content": "x"}], stop=["a", "b"])["stop_sequences"] == [
        "a",
        "b",
    ]


@pytest.mark.parametrize(
    ("stop", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "refusal"),
        ("network_error", "network_error"),
        (None, None),
    ],
)
def test_finish_reasons(stop: str | None, finish: str | None) -> None:
    assert finish_reason(stop) == finish


def test_response_translation_with_thinking_tools_and_cache_usage() -> None:
    message = {
        "id": "msg_1",
        "model": "claude-x",
        "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "s"},
            {"type": "text", "text": "Let me "},
            {"type": "text", "text": "check."},
            {"type": "tool_use", "id": "tu_1", "name": "f", "input": {"q": "é"}},
        ],
        "stop_reason": "tool_use",
        "usage": {
            "input_tokens": 10,
            "output_tokens": 5,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": 7,
        },
    }
    resp = ChatCompletion.model_validate(to_chat_completion(message))
    msg = resp.choices[0].message
    assert msg.content == "Let me check."
    assert msg.reasoning_content == "hmm"
    assert msg.tool_calls is not None and msg.tool_calls[0].function.arguments == '{"q": "é"}'
    assert resp.choices[0].finish_reason == "tool_calls"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (117, 5)
    assert resp.usage.total_tokens == 122


def test_stream_translator_numbers_tool_calls_not_blocks() -> None:
    t = StreamTranslator("claude-x")
    t.feed(
        "message_start", {"message": {"id": "m", "model": "claude-x", "usage": {"input_tokens": 3}}}
    )
    t.feed("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
    first = t.feed(
        "content_block_start",
        {"index": 1, "content_block": {"type": "tool_use", "id": "a", "name": "f", "input": {}}},
    )
    second = t.feed(
        "content_block_start",
        {"index": 2, "content_block": {"type": "tool_use", "id": "b", "name": "g", "input": {}}},
    )
    delta = t.feed(
        "content_block_delta",
        {"index": 2, "delta": {"type": "input_json_delta", "partial_json": "{}"}},
    )
    indexes = [c.choices[0].delta.tool_calls[0].index for c in (*first, *second, *delta)]  # type: ignore[index]
    assert indexes == [0, 1, 1]
    assert t.feed("ping", {}) == []
    finish = t.feed(
        "message_delta", {"delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}}
    )
    assert finish[0].choices[0].finish_reason == "tool_calls"
    (last,) = t.feed("message_stop", {})
    assert t.done and last.choices == []
    assert last.usage is not None and (last.usage.prompt_tokens, last.usage.completion_tokens) == (
        3,
        9,
    )


@pytest.mark.parametrize(
    ("base", "url"),
    [
        (None, "https://api.anthropic.com/v1/messages"),
        ("http://h:1/x/", "http://h:1/x/v1/messages"),
        ("http://h:1/v1", "http://h:1/v1/messages"),
        ("http://h:1/v1/messages", "http://h:1/v1/messages"),
    ],
)
def test_messages_url(base: str | None, url: str) -> None:
    assert messages_url(base) == url
