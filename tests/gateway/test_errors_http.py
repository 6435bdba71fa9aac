"""Errors in each inbound format's own shape and status, fallback across formats (invisible
before the first byte), and the format's own error event after it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from gateway_support import GATEWAY_KEY, Gateway, StandIns

from llmrouter.testing import Fault

AUTH = {"Authorization": f"Bearer {GATEWAY_KEY}"}
CHAT = {"messages": [{"role": "user", "content": "hi"}]}
RESPONSES = {"input": "hi"}
MESSAGES = {"max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]}
FORMATS = [("/v1/chat/completions", CHAT), ("/v1/responses", RESPONSES), ("/v1/messages", MESSAGES)]


def _post(gateway: Gateway, path: str, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
    return httpx.post(gateway.url + path, json=body, headers=AUTH, timeout=30, **kwargs)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("path", "body"), FORMATS)
def test_fallback_across_formats_is_invisible(
    gateway: Gateway, stand_ins: StandIns, path: str, body: dict[str, Any], stream: bool
) -> None:
    stand_ins.claude.fail_always(Fault.overloaded())
    resp = _post(gateway, path, {**body, "model": "coding", "stream": stream})
    assert resp.status_code == 200
    assert resp.headers["x-llmrouter-model"] == "glm"
    assert resp.headers["x-llmrouter-attempts"].endswith("glm=ok")
    assert "claude=overloaded" in resp.headers["x-llmrouter-attempts"]
    assert "glm." in resp.text  # the stand-in answers "Hello from glm. ..."


def test_anthropic_clients_get_529_for_overloaded(gateway: Gateway, stand_ins: StandIns) -> None:
    stand_ins.claude.fail_always(Fault.overloaded())
    resp = _post(gateway, "/v1/messages", {**MESSAGES, "model": "claude-only"})
    assert resp.status_code == 529
    assert resp.json()["type"] == "error"
    assert resp.json()["error"]["type"] == "overloaded_error"
    openai_resp = _post(gateway, "/v1/chat/completions", {**CHAT, "model": "claude-only"})
    assert openai_resp.status_code == 503
    assert openai_resp.json()["error"]["code"] == "overloaded"


@pytest.mark.parametrize(("path", "body"), FORMATS)
def test_rate_limit_is_429_with_retry_after(
    gateway: Gateway, stand_ins: StandIns, path: str, body: dict[str, Any]
) -> None:
    stand_ins.glm.fail_always(Fault.rate_limit(retry_after=60))
    resp = _post(gateway, path, {**body, "model": "glm-only"})
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) >= 1


def test_context_window_is_a_400(gateway: Gateway, stand_ins: StandIns) -> None:
    stand_ins.glm.fail_always(Fault.context_too_long())
    resp = _post(gateway, "/v1/chat/completions", {**CHAT, "model": "glm-only"})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "context_length_exceeded"


def _events(text: str) -> list[tuple[str | None, Any]]:
    out: list[tuple[str | None, Any]] = []
    for block in text.strip().split("\n\n"):
        name = None
        data = None
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
        out.append((name, json.loads(data) if data and data != "[DONE]" else data))
    return out


def test_chat_stream_failure_after_first_byte_is_an_error_event(
    gateway: Gateway, stand_ins: StandIns
) -> None:
    stand_ins.glm.fail_next(Fault.stream_error(after_chunks=2))
    resp = _post(gateway, "/v1/chat/completions", {**CHAT, "model": "chat", "stream": True})
    events = _events(resp.text)
    assert resp.status_code == 200 and resp.headers["x-llmrouter-model"] == "glm"
    assert events[-1][1]["error"]["type"] == "server_error"
    assert "[DONE]" not in resp.text


def test_messages_stream_failure_after_first_byte_is_an_error_event(
    gateway: Gateway, stand_ins: StandIns
) -> None:
    stand_ins.claude.fail_next(Fault.stream_error(after_chunks=2))
    resp = _post(gateway, "/v1/messages", {**MESSAGES, "model": "coding", "stream": True})
    events = _events(resp.text)
    assert events[0][0] == "message_start"
    assert events[-1][0] == "error" and events[-1][1]["type"] == "error"
    assert events[-1][1]["error"]["type"] == "overloaded_error"  # the stand-in's in-stream fault
    assert all(name != "message_stop" for name, _ in events)


def test_responses_stream_failure_after_first_byte_is_response_failed(
    gateway: Gateway, stand_ins: StandIns
) -> None:
    stand_ins.glm.fail_next(Fault.drop_stream(after_chunks=2))
    resp = _post(gateway, "/v1/responses", {**RESPONSES, "model": "glm-only", "stream": True})
    events = _events(resp.text)
    assert events[-1][0] == "response.failed"
    assert events[-1][1]["response"]["status"] == "failed"
    assert events[-1][1]["response"]["error"]["code"]


def test_unknown_model_is_404_in_each_shape(gateway: Gateway) -> None:
    chat = _post(gateway, "/v1/chat/completions", {**CHAT, "model": "nope"})
    assert chat.status_code == 404 and chat.json()["error"]["param"] == "model"
    messages = _post(gateway, "/v1/messages", {**MESSAGES, "model": "nope"})
    assert messages.status_code == 404 and messages.json()["error"]["type"] == "not_found_error"


def test_missing_field_is_a_400_naming_it(gateway: Gateway) -> None:
    resp = _post(gateway, "/v1/messages", {"model": "glm-only", "messages": []})
    assert resp.status_code == 400
    assert "max_tokens" in resp.json()["error"]["message"]
