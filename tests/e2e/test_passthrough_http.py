"""`Router.acompletion(passthrough=...)` over loopback HTTP, through both adapter kinds: a
native adapter of the body's wire sends it as it is and keeps what came back; litellm, and
any attempt on another wire, translates. Routing still applies: fallback, the cache (whose
key covers the body), and eligibility (vendor fields leave other wires out)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from llmrouter import RequestValidationError, Router
from llmrouter.passthrough import Passthrough, received_body
from llmrouter.testing import Fault
from support import FAST_BACKOFF, Local

MESSAGES = [{"role": "user", "content": "hello pass-through"}]
BODY: dict[str, Any] = {
    "model": "claude_first",
    "max_tokens": 256,
    "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
    "messages": [{"role": "user", "content": "hello pass-through"}],
}


def _anthropic(body: dict[str, Any] | None = None) -> Passthrough:
    return Passthrough("anthropic", copy.deepcopy(body or BODY))


def _sent(local: Local) -> dict[str, Any]:
    return local.claude.requests[-1].body


async def test_a_native_attempt_sends_the_body(local: Local) -> None:
    async with Router.from_dict(local.config(), env=local.env, retry=FAST_BACKOFF) as router:
        answer = await router.acompletion(
            "claude_first", MESSAGES, max_tokens=256, passthrough=_anthropic()
        )
    assert answer.text.endswith("You said: hello pass-through")
    if local.adapter == "native":
        assert _sent(local) == {**BODY, "model": "claude-sonnet-4-5"}
        assert received_body(answer) == local.claude.requests[-1].sent
    else:  # litellm translates: the system block's cache_control is not carried
        assert "cache_control" not in str(_sent(local))
        assert received_body(answer) is None


async def test_a_stream_keeps_the_events_as_they_came(local: Local) -> None:
    async with Router.from_dict(local.config(), env=local.env, retry=FAST_BACKOFF) as router:
        stream = await router.acompletion(
            "claude_first", MESSAGES, max_tokens=256, stream=True, passthrough=_anthropic()
        )
        events: list[tuple[str | None, bytes]] = []
        async for _ in stream:
            if stream.received is not None:
                events += stream.received.take()
        if stream.received is not None:
            events += stream.received.take()  # the events after the last chunk
    assert stream.text.endswith("You said: hello pass-through")
    assert stream.route is not None and stream.route.cost_usd > 0
    if local.adapter == "native":
        assert stream.received is not None
        framed = b"".join(f"event: {n}\ndata: ".encode() + d + b"\n\n" for n, d in events)
        assert framed == local.claude.requests[-1].sent
    else:
        assert stream.received is None


@pytest.mark.parametrize("stream", [False, True])
async def test_a_fallback_to_the_other_wire_is_translated(local: Local, stream: bool) -> None:
    local.claude.fail_always(Fault.overloaded())
    async with Router.from_dict(local.config(), env=local.env, retry=FAST_BACKOFF) as router:
        result = await router.acompletion(
            "claude_first", MESSAGES, max_tokens=256, stream=stream, passthrough=_anthropic()
        )
        if stream:
            assert result.received is None  # type: ignore[union-attr]
            _ = [chunk async for chunk in result]  # type: ignore[union-attr]
        else:
            assert received_body(result) is None  # type: ignore[arg-type]
    assert result.route.model == "glm"  # type: ignore[union-attr]
    assert local.glm.requests[-1].body["messages"][-1]["content"] == "hello pass-through"


async def test_the_cache_key_covers_the_body(local: Local) -> None:
    config = local.config()
    config["cache"] = {"backend": "memory", "ttl_s": 60}
    changed = {**BODY, "system": [{"type": "text", "text": "be brief"}]}  # same translation
    async with Router.from_dict(config, env=local.env, retry=FAST_BACKOFF) as router:
        first = await router.acompletion("claude_first", MESSAGES, passthrough=_anthropic())
        again = await router.acompletion("claude_first", MESSAGES, passthrough=_anthropic())
        other = await router.acompletion("claude_first", MESSAGES, passthrough=_anthropic(changed))
    assert not first.route.cache_hit and again.route.cache_hit and not other.route.cache_hit
    assert local.claude.request_count == 2
    assert received_body(again) is None  # a hit is the Router's stored answer


async def test_vendor_fields_leave_the_other_wire_out(local: Local) -> None:
    body = {"model": "claude_first", "messages": MESSAGES, "do_sample": False}
    passthrough = Passthrough("openai", body, exclusive=frozenset({"do_sample"}))
    async with Router.from_dict(local.config(), env=local.env, retry=FAST_BACKOFF) as router:
        answer = await router.acompletion(
            "claude_first", MESSAGES, extra_body={"do_sample": False}, passthrough=passthrough
        )
    skipped = answer.route.attempts[0]
    assert (skipped.model, skipped.outcome, skipped.error) == (
        "claude",
        "skipped",
        "unsupported_param",
    )
    assert "do_sample" in (skipped.detail or "")
    assert local.claude.request_count == 0
    assert local.glm.requests[-1].body["do_sample"] is False  # passed, or sent as extra_body


async def test_a_passthrough_must_be_one(local: Local) -> None:
    async with Router.from_dict(local.config(), env=local.env) as router:
        with pytest.raises(RequestValidationError, match="passthrough"):
            await router.acompletion("chat", MESSAGES, passthrough={"wire": "openai"})  # type: ignore[arg-type]
