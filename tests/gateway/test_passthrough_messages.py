"""Anthropic Messages in, Anthropic wire out, through `llmrouter serve`: the body passes
through untranslated but for the model name, both ways, JSON and SSE. What the stand-in
received is compared with what the client sent, and what the client received with what the
stand-in sent, field by field; the client's credentials, hop-by-hop headers and betas off the
allow-list never reach the backend; a fallback to the OpenAI wire is translated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gateway_support import GATEWAY_KEY, PROVIDER_KEY, StandIns

from llmrouter.testing import Fault
from llmrouter.testing.provider import ReceivedRequest

UPSTREAM_MODEL = "claude-sonnet-4-5"  # the claude entry's model id (gateway_config)
SYSTEM = [
    {"type": "text", "text": "You are terse. " * 40, "cache_control": {"type": "ephemeral"}},
    {"type": "text", "text": "Answer in English.", "cache_control": {"type": "ephemeral"}},
]
TOOLS = [
    {
        "name": "get_weather",
        "description": "Weather in a city",
        "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
        "cache_control": {"type": "ephemeral"},
    }
]
ALLOWED_BETA = "context-management-2025-06-27"
OFF_LIST_BETA = "files-api-2025-04-14"
HEADERS = {
    "x-api-key": GATEWAY_KEY,
    "authorization": f"Bearer {GATEWAY_KEY}",
    "anthropic-version": "2023-06-01",
    "anthropic-beta": f"{ALLOWED_BETA},{OFF_LIST_BETA}",
}
HOP_BY_HOP = {
    "connection": "keep-alive, x-hop-marker",
    "x-hop-marker": "hop-1",
    "keep-alive": "timeout=7",
    "te": "trailers",
    "trailer": "x-checksum",
    "proxy-authorization": "Basic cHJveHk6c2VjcmV0",
    "proxy-connection": "keep-alive",
}


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "model": "coding",
        "max_tokens": 4096,
        "system": SYSTEM,
        "tools": TOOLS,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "weather in Paris"},
                    {"type": "text", "text": "thanks", "cache_control": {"type": "ephemeral"}},
                ],
            }
        ],
        **extra,
    }


@pytest.fixture(autouse=True)
def _cache_everything(stand_ins: StandIns) -> Iterator[None]:
    stand_ins.claude.cache_min_tokens = 10  # so the breakpoints above are cached
    yield
    stand_ins.claude.cache_min_tokens = 1024


def _post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        url + "/v1/messages", json=body, headers={**HEADERS, **(headers or {})}, timeout=30
    )


def _events(data: bytes) -> list[tuple[str | None, Any]]:
    """An SSE body as (event name, parsed data) pairs."""
    out: list[tuple[str | None, Any]] = []
    for block in data.replace(b"\r\n", b"\n").split(b"\n\n"):
        name, lines = None, []
        for line in block.split(b"\n"):
            if line.startswith(b"event:"):
                name = line[6:].strip().decode()
            elif line.startswith(b"data:"):
                lines.append(line[5:].strip())
        if lines:
            out.append((name, json.loads(b"\n".join(lines))))
    return out


def _as_sent(body: dict[str, Any]) -> dict[str, Any]:
    """What the backend must receive for `body`: the same, with the deployment's model id."""
    return {**body, "model": UPSTREAM_MODEL}


def _renamed(message: dict[str, Any]) -> dict[str, Any]:
    return {**message, "model": "coding"}


def _no_secrets(received: ReceivedRequest) -> None:
    assert received.headers["x-api-key"] == PROVIDER_KEY
    assert "authorization" not in received.headers
    assert GATEWAY_KEY not in json.dumps(received.headers)
    for name in HOP_BY_HOP:
        assert name not in received.headers, name
    assert received.headers["anthropic-beta"] == ALLOWED_BETA


def test_json_round_trip_is_faithful(gateway: Any, stand_ins: StandIns) -> None:
    body = _body()
    resp = _post(gateway.url, body, HOP_BY_HOP)
    assert resp.status_code == 200, resp.text
    received = stand_ins.claude.requests[-1]
    assert received.body == _as_sent(body)  # cache_control, thinking, context_management
    _no_secrets(received)
    assert resp.json() == _renamed(json.loads(received.sent))
    thinking = resp.json()["content"][0]
    assert thinking["type"] == "thinking" and thinking["signature"]
    assert resp.json()["usage"]["cache_creation_input_tokens"] > 0
    assert resp.headers["x-llmrouter-model"] == "claude"
    assert resp.headers["x-llmrouter-dropped"] == f"anthropic-beta:{OFF_LIST_BETA}"


def test_stream_round_trip_is_faithful(gateway: Any, stand_ins: StandIns) -> None:
    body = _body(stream=True)
    resp = _post(gateway.url, body, HOP_BY_HOP)
    assert resp.status_code == 200, resp.text
    received = stand_ins.claude.requests[-1]
    assert received.body == _as_sent(body)
    _no_secrets(received)
    sent = _events(received.sent)
    got = _events(resp.content)
    assert [name for name, _ in got] == [name for name, _ in sent]
    assert got[0][1] == {**sent[0][1], "message": _renamed(sent[0][1]["message"])}
    assert got[1:] == sent[1:]
    signature = [d for _, d in got if d.get("delta", {}).get("type") == "signature_delta"]
    assert signature and signature[0]["delta"]["signature"]
    assert got[0][1]["message"]["usage"]["cache_creation_input_tokens"] > 0
    assert resp.headers["x-llmrouter-dropped"] == f"anthropic-beta:{OFF_LIST_BETA}"


@pytest.mark.parametrize("stream", [False, True])
def test_a_tool_loop_with_signed_thinking(
    anthropic_client: Any, stand_ins: StandIns, stream: bool
) -> None:
    """Two turns with the official SDK: the thinking block of the first answer goes back with
    its signature, which the stand-in checks as Anthropic does."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": "weather in Paris"}]
    kwargs: dict[str, Any] = {
        "model": "coding",
        "max_tokens": 4096,
        "system": SYSTEM,
        "tools": TOOLS,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "extra_headers": {"anthropic-beta": "interleaved-thinking-2025-05-14"},
    }
    first = _create(anthropic_client, stream, messages=messages, **kwargs)
    assert [b.type for b in first.content] == ["thinking", "tool_use"]
    use = first.content[1]
    messages += [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": use.id,
                    "content": "sunny",
                    "cache_control": {"type": "ephemeral"},
                }
            ],
        },
    ]
    second = _create(anthropic_client, stream, messages=messages, **kwargs)
    assert second.stop_reason == "end_turn"
    last = stand_ins.claude.requests[-1]
    assert last.fault is None  # the signature checked out
    assert last.body["messages"] == messages
    assert last.headers["anthropic-beta"] == "interleaved-thinking-2025-05-14"
    returned = last.body["messages"][1]["content"][0]
    assert returned == first.content[0].model_dump(exclude_none=True)


def _create(client: Any, stream: bool, **kwargs: Any) -> Any:
    if not stream:
        return client.messages.create(**kwargs)
    with client.messages.stream(**kwargs) as events:
        return events.get_final_message()


@pytest.mark.parametrize("stream", [False, True])
def test_overloaded_claude_falls_back_to_glm_translated(
    gateway: Any, stand_ins: StandIns, stream: bool
) -> None:
    stand_ins.claude.fail_always(Fault.overloaded())
    body = _body(stream=stream)
    del body["thinking"], body["tools"]  # GLM then answers with text alone
    resp = _post(gateway.url, body)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-llmrouter-model"] == "glm"
    assert resp.headers["x-llmrouter-attempts"].startswith("claude=overloaded")
    assert stand_ins.claude.requests[0].body == _as_sent(body)  # the Claude attempt passed
    glm = stand_ins.glm.requests[-1].body  # the GLM attempt was translated
    assert glm["messages"][0]["role"] == "system" and "cache_control" not in json.dumps(glm)
    dropped = resp.headers["x-llmrouter-dropped"].split(", ")
    assert "system[0].cache_control" in dropped and "context_management" in dropped
    if stream:
        deltas = [d["delta"] for n, d in _events(resp.content) if n == "content_block_delta"]
        text = "".join(delta.get("text", "") for delta in deltas)
    else:
        assert resp.json()["model"] == "coding"
        text = resp.json()["content"][0]["text"]
    assert text.endswith("thanks")


def test_a_tool_loop_continues_on_glm_after_a_fallback(gateway: Any, stand_ins: StandIns) -> None:
    """GLM answered the first turn (Claude overloaded), so its thinking carries no Anthropic
    signature: Claude, back, cannot take the next turn (it refuses unsigned thinking), so the
    route skips it rather than failing on its 400."""
    stand_ins.claude.fail_always(Fault.overloaded())
    body = {k: v for k, v in _body().items() if k != "context_management"}
    first = _post(gateway.url, body)
    assert first.headers["x-llmrouter-model"] == "glm"
    content = first.json()["content"]
    assert content[0] == {"type": "thinking", "thinking": content[0]["thinking"], "signature": ""}
    use = next(block for block in content if block["type"] == "tool_use")
    body["messages"] = [
        *body["messages"],
        {"role": "assistant", "content": content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use["id"]}]},
    ]
    stand_ins.claude.clear_faults()  # Claude is back
    tried = stand_ins.claude.request_count
    second = _post(gateway.url, body)
    assert second.status_code == 200, second.text
    assert second.headers["x-llmrouter-attempts"] == "claude=vendor_limit, glm=ok"
    assert stand_ins.claude.request_count == tried  # never sent what it would refuse
