"""The fault policy end to end: real HTTP on 127.0.0.1, litellm's real adapters, our server
speaking the OpenAI (Zhipu flavour) and Anthropic wire formats."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from llmrouter import (
    AllModelsFailedError,
    BadRequestError,
    ContentFilteredError,
    Router,
    StreamInterruptedError,
)
from llmrouter.testing import Fault
from support import Local, user

RouterFor = Callable[..., Router]


async def test_glm_answers(local: Local, router_for: RouterFor) -> None:
    resp = await router_for().acompletion(model="chat", messages=user("hello there"))
    assert resp.text == "Hello from glm. You said: hello there"
    assert resp.route is not None
    assert (resp.route.model, resp.route.provider) == ("glm", "zhipu")
    assert resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0
    expected = (resp.usage.prompt_tokens * 0.6 + resp.usage.completion_tokens * 2.2) / 1e6
    assert resp.route.cost_usd == pytest.approx(expected, rel=1e-12)
    assert local.glm.request_count == 1 and local.claude.request_count == 0


async def test_claude_answers(local: Local, router_for: RouterFor) -> None:
    resp = await router_for().acompletion(model="claude", messages=user("hi claude"))
    assert resp.text == "Hello from claude. You said: hi claude"
    assert resp.route is not None
    assert resp.route.provider == "anthropic"
    expected = (resp.usage.prompt_tokens * 3 + resp.usage.completion_tokens * 15) / 1e6
    assert resp.route.cost_usd == pytest.approx(expected, rel=1e-12)
    sent = local.claude.requests[0]
    assert sent.headers.get("anthropic-version")


async def test_fallback_on_503(local: Local, router_for: RouterFor) -> None:
    local.glm.fail_always(Fault.server_error(503))
    resp = await router_for(retries=1).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert [(a.model, a.error) for a in resp.route.attempts] == [
        ("glm", "unavailable"),
        ("glm", "unavailable"),
        ("claude", None),
    ]
    assert local.glm.request_count == 2


async def test_fallback_on_529_overloaded(local: Local, router_for: RouterFor) -> None:
    local.claude.fail_always(Fault.overloaded())
    resp = await router_for(retries=0).acompletion(model="claude_first", messages=user())
    assert resp.route is not None
    assert resp.route.model == "glm"
    assert resp.route.attempts[0].error == "overloaded"  # litellm says 500; the body says 529


async def test_fallback_on_timeout(local: Local, router_for: RouterFor) -> None:
    local.glm.fail_always(Fault.hang())
    started = time.monotonic()
    resp = await router_for(retries=0, attempt_timeout_s=0.5).acompletion(
        model="chat", messages=user()
    )
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert resp.route.attempts[0].error == "timeout"
    assert time.monotonic() - started < 3


async def test_429_past_deadline_falls_back_without_waiting(
    local: Local, router_for: RouterFor
) -> None:
    local.glm.fail_next(Fault.rate_limit(retry_after=60))
    started = time.monotonic()
    resp = await router_for(retries=3, timeout_s=5).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert time.monotonic() - started < 2
    assert local.glm.request_count == 1


async def test_retry_after_is_honoured(local: Local, router_for: RouterFor) -> None:
    local.glm.fail_next(Fault.rate_limit(retry_after=0.6))
    resp = await router_for(retries=1).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "glm"
    first, second = local.glm.requests
    assert second.received_at - first.received_at >= 0.6
    assert local.claude.request_count == 0


@pytest.mark.parametrize(
    "fault",
    [Fault.bad_request("Invalid parameter: temperature"), Fault.content_filter()],
    ids=["400", "content_filter_1301"],
)
async def test_exactly_one_call_on_400_and_content_filter(
    local: Local, router_for: RouterFor, fault: Fault
) -> None:
    local.glm.fail_always(fault)
    expected = BadRequestError if fault.kind == "bad_request" else ContentFilteredError
    with pytest.raises(expected):
        await router_for(retries=3).acompletion(model="chat", messages=user())
    assert local.glm.request_count == 1
    assert local.claude.request_count == 0


async def test_anthropic_content_filter_is_not_retried(local: Local, router_for: RouterFor) -> None:
    local.claude.fail_always(Fault.content_filter())
    with pytest.raises(ContentFilteredError):
        await router_for(retries=3).acompletion(model="claude_first", messages=user())
    assert local.claude.request_count == 1 and local.glm.request_count == 0


async def test_sensitive_finish_reason_is_a_content_filter(
    local: Local, router_for: RouterFor
) -> None:
    local.glm.fail_always(Fault.filtered_finish())
    with pytest.raises(ContentFilteredError):
        await router_for().acompletion(model="chat", messages=user())
    assert local.glm.request_count == 1 and local.claude.request_count == 0


async def test_quota_falls_back_without_retry(local: Local, router_for: RouterFor) -> None:
    local.glm.fail_always(Fault.quota())
    resp = await router_for(retries=3).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert resp.route.attempts[0].error == "quota"
    assert local.glm.request_count == 1


async def test_context_window_falls_back(local: Local, router_for: RouterFor) -> None:
    local.glm.context_window = 5
    config = local.config(retries=2)
    # Large enough for the router's estimate (~74 tokens), so the pre-call eligibility check
    # lets GLM through and the provider's own context-window fault is what moves on to Claude.
    config["models"]["glm"]["context_window"] = 100
    router = Router.from_dict(config, env=local.env)
    resp = await router.acompletion(model="chat", messages=user("a long prompt " * 20))
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert resp.route.attempts[0].error == "context_window"
    assert local.glm.request_count == 1


async def test_malformed_body_falls_back(local: Local, router_for: RouterFor) -> None:
    local.glm.fail_always(Fault.malformed())
    resp = await router_for(retries=0).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"


async def test_everything_down_raises_all_models_failed(
    local: Local, router_for: RouterFor
) -> None:
    local.glm.fail_always(Fault.server_error(500))
    local.claude.fail_always(Fault.overloaded())
    with pytest.raises(AllModelsFailedError) as info:
        await router_for(retries=1).acompletion(model="chat", messages=user())
    assert [a.error for a in info.value.attempts] == [
        "unavailable",
        "unavailable",
        "overloaded",
        "overloaded",
    ]


async def collect(stream: object) -> str:
    parts = []
    async for chunk in stream:  # type: ignore[attr-defined]
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts)


@pytest.mark.parametrize("model", ["glm", "claude"])
async def test_stream_answers(router_for: RouterFor, model: str) -> None:
    stream = await router_for().acompletion(model=model, messages=user("stream me"), stream=True)
    text = await collect(stream)
    assert text == f"Hello from {model}. You said: stream me"
    assert stream.route is not None
    assert stream.route.model == model
    assert stream.usage is not None and stream.usage.completion_tokens > 0
    assert stream.route.cost_usd > 0


@pytest.mark.parametrize(
    "fault", [Fault.drop_stream(after_chunks=0), Fault.server_error(503), Fault.overloaded()]
)
async def test_stream_falls_back_before_first_chunk(
    local: Local, router_for: RouterFor, fault: Fault
) -> None:
    local.glm.fail_always(fault)
    stream = await router_for(retries=0).acompletion(model="chat", messages=user(), stream=True)
    assert (await collect(stream)).startswith("Hello from claude")
    assert stream.route is not None
    assert stream.route.model == "claude"


async def test_anthropic_error_event_before_content_falls_back(
    local: Local, router_for: RouterFor
) -> None:
    local.claude.fail_always(Fault.stream_error(after_chunks=0))
    stream = await router_for(retries=0).acompletion(
        model="claude_first", messages=user(), stream=True
    )
    assert (await collect(stream)).startswith("Hello from glm")


@pytest.mark.parametrize("target", ["chat", "claude_first"])
async def test_stream_interrupted_after_first_chunk(
    local: Local, router_for: RouterFor, target: str
) -> None:
    first = local.glm if target == "chat" else local.claude
    first.fail_always(Fault.drop_stream(after_chunks=3))
    stream = await router_for().acompletion(model=target, messages=user("x"), stream=True)
    received = []
    with pytest.raises(StreamInterruptedError) as info:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert info.value.partial_text == "".join(received)
    assert info.value.partial_text.startswith("Hello from")
    assert local.glm.request_count + local.claude.request_count == 1


async def test_tool_calls_pass_through_both_wires(router_for: RouterFor) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "lookup_contract",
                "description": "Find a contract",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
            },
        }
    ]
    router = router_for()
    for model in ("glm", "claude"):
        resp = await router.acompletion(model=model, messages=user("acme"), tools=tools)
        calls = resp.choices[0].message.tool_calls
        assert calls is not None and calls[0].function.name == "lookup_contract"
        assert '"acme"' in calls[0].function.arguments
        assert resp.choices[0].finish_reason == "tool_calls"


async def test_response_format_passes_through(local: Local, router_for: RouterFor) -> None:
    resp = await router_for().acompletion(
        model="glm", messages=user("json please"), response_format={"type": "json_object"}
    )
    assert resp.text.startswith('{"reply":')
    assert local.glm.requests[0].body["response_format"] == {"type": "json_object"}


async def test_zhipu_network_error_finish_is_retried_then_falls_back(
    local: Local, router_for: RouterFor
) -> None:
    # litellm reports finish_reason "stop"; the adapter restores Z.ai's own reason.
    local.glm.fail_always(Fault.network_error_finish())
    resp = await router_for(retries=1).acompletion(model="chat", messages=user())
    assert resp.route is not None
    assert resp.route.model == "claude"
    assert [a.error for a in resp.route.attempts] == ["unavailable", "unavailable", None]


async def test_529_keeps_its_status(local: Local, router_for: RouterFor) -> None:
    local.claude.fail_always(Fault.overloaded())
    resp = await router_for(retries=0).acompletion(model="claude_first", messages=user())
    assert resp.route is not None
    assert resp.route.attempts[0].status_code == 529
