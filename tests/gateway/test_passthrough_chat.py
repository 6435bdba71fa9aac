"""Chat Completions in, OpenAI wire out, through `llmrouter serve`: the body passes through
untranslated but for the model name (vendor fields the Router has no name for included), both
ways, JSON and SSE, compared field by field with what the stand-in received and sent; stored
completions and priced service tiers are left out and named; a fallback to the Anthropic wire
is translated."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from gateway_support import GATEWAY_KEY, PROVIDER_KEY, StandIns

from llmrouter.testing import Fault

AUTH = {"Authorization": f"Bearer {GATEWAY_KEY}"}
VENDOR_FIELDS = {"do_sample": False, "request_id": "req-7f3", "tool_stream": False}


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "model": "glm-only",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hello pass-through"},
        ],
        "temperature": 0.2,
        "prompt_cache_key": "pk-1",  # a hint the translation drops: passed through here
        **VENDOR_FIELDS,
        **extra,
    }


def _post(url: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(url + "/v1/chat/completions", json=body, headers=AUTH, timeout=30)


def _data(content: bytes) -> list[Any]:
    """The `data:` payloads of an SSE body (`[DONE]` as the string)."""
    out: list[Any] = []
    for block in content.split(b"\n\n"):
        for line in block.split(b"\n"):
            if line.startswith(b"data: "):
                payload = line[6:]
                out.append("[DONE]" if payload == b"[DONE]" else json.loads(payload))
    return out


def test_json_round_trip_is_faithful(gateway: Any, stand_ins: StandIns) -> None:
    body = _body(store=True, metadata={"team": "a"}, service_tier="priority")
    resp = _post(gateway.url, body)
    assert resp.status_code == 200, resp.text
    received = stand_ins.glm.requests[-1]
    kept = {k: v for k, v in body.items() if k not in ("store", "metadata", "service_tier")}
    assert received.body == {**kept, "model": "glm-4.6"}
    assert received.headers["authorization"] == f"Bearer {PROVIDER_KEY}"
    assert resp.json() == {**json.loads(received.sent), "model": "glm-only"}
    assert resp.headers["x-llmrouter-dropped"] == "store, metadata, service_tier"


def _renamed(events: list[Any], model: str) -> list[Any]:
    return [d if d == "[DONE]" else {**d, "model": model} for d in events]


def test_stream_round_trip_is_faithful(gateway: Any, stand_ins: StandIns) -> None:
    body = _body(stream=True)
    resp = _post(gateway.url, body)
    assert resp.status_code == 200, resp.text
    received = stand_ins.glm.requests[-1]
    # the one addition: the Router asks for the usage it prices the stream with
    assert received.body == {
        **body,
        "model": "glm-4.6",
        "stream_options": {"include_usage": True},
    }
    assert _data(resp.content) == _renamed(_data(received.sent), "glm-only")
    assert "x-llmrouter-dropped" not in resp.headers


def _plain(**extra: Any) -> dict[str, Any]:
    return {"model": "gpt-only", "messages": [{"role": "user", "content": "hi"}], **extra}


def test_a_usage_event_nobody_asked_for_is_not_relayed(gateway: Any, stand_ins: StandIns) -> None:
    resp = _post(gateway.url, _plain(stream=True))
    received = stand_ins.gpt.requests[-1]
    assert received.body["stream_options"] == {"include_usage": True}
    sent = _renamed(_data(received.sent), "gpt-only")
    usage_only = [d for d in sent if d != "[DONE]" and not d["choices"]]
    assert len(usage_only) == 1
    assert _data(resp.content) == [d for d in sent if d is not usage_only[0]]


def test_a_usage_event_asked_for_is_relayed(gateway: Any, stand_ins: StandIns) -> None:
    body = _plain(stream=True, stream_options={"include_usage": True})
    resp = _post(gateway.url, body)
    received = stand_ins.gpt.requests[-1]
    assert received.body == {**body, "model": "gpt-4o-mini"}
    assert _data(resp.content) == _renamed(_data(received.sent), "gpt-only")


@pytest.mark.parametrize("stream", [False, True])
def test_the_openai_sdk_reads_a_passed_through_answer(
    openai_client: Any, stand_ins: StandIns, stream: bool
) -> None:
    kwargs: dict[str, Any] = {
        "model": "glm-only",
        "messages": [{"role": "user", "content": "sdk says hi"}],
        "extra_body": VENDOR_FIELDS,
    }
    if stream:
        chunks = list(openai_client.chat.completions.create(stream=True, **kwargs))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert {c.model for c in chunks} == {"glm-only"}
    else:
        answer = openai_client.chat.completions.create(**kwargs)
        text = answer.choices[0].message.content
        assert answer.model == "glm-only"
    assert text.endswith("You said: sdk says hi")
    sent = stand_ins.glm.requests[-1].body
    assert {k: sent[k] for k in VENDOR_FIELDS} == VENDOR_FIELDS


@pytest.mark.parametrize("stream", [False, True])
def test_overloaded_glm_falls_back_to_claude_translated(
    gateway: Any, stand_ins: StandIns, stream: bool
) -> None:
    stand_ins.glm.fail_always(Fault.overloaded())
    body = _body(stream=stream, model="chat")  # chat: glm, then claude
    for name in VENDOR_FIELDS:
        del body[name]  # a vendor field would leave claude out
    resp = _post(gateway.url, body)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-llmrouter-model"] == "claude"
    assert stand_ins.glm.requests[0].body["prompt_cache_key"] == "pk-1"  # GLM's: passed
    sent = stand_ins.claude.requests[-1].body  # the Claude attempt was translated
    assert sent["system"] == "be brief" and sent["model"] == "claude-sonnet-4-5"
    assert "prompt_cache_key" not in sent
    assert resp.headers["x-llmrouter-dropped"] == "prompt_cache_key"  # the translation's
    if stream:
        chunks = [d for d in _data(resp.content) if d != "[DONE]"]
        assert {c["model"] for c in chunks} == {"chat"}
        text = "".join(
            c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]
        )
    else:
        assert resp.json()["model"] == "chat"
        text = resp.json()["choices"][0]["message"]["content"]
    assert text.endswith("You said: hello pass-through")


def test_vendor_fields_skip_the_other_wire(gateway: Any, stand_ins: StandIns) -> None:
    stand_ins.glm.fail_always(Fault.overloaded())
    resp = _post(gateway.url, _body(model="chat"))
    assert resp.status_code == 503  # glm's own failure; claude was never sent the request
    assert stand_ins.claude.request_count == 0
    lines = [json.loads(line) for line in gateway.log().splitlines() if line.startswith("{")]
    assert lines[-1]["error"] == "overloaded"
