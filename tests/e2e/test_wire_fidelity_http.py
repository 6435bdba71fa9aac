"""What the caller gets is what the provider meant, through both adapters: refusals are
answers unless the route falls back on them; a JSON answer that fails its schema, an empty
answer, or one a route's own check rejects is a fault of that model; GLM's thinking switch and
OpenAI's reasoning effort come from either control; cache writes are priced at their own rate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llmrouter import AllModelsFailedError, Router
from llmrouter.testing import Fault
from support import FAST_BACKOFF, Local, user

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city", "days"],
    "additionalProperties": False,
}
JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "trip", "schema": SCHEMA}}


def answer(content: Any) -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {
        "id": "x",
        "object": "chat.completion",
        "model": "glm-4.6",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def build(local: Local, **route: Any) -> Router:
    return Router.from_dict(local.config(**route), env=local.env, retry=FAST_BACKOFF)


def with_gpt(local: Local, model: str = "openai/gpt-4o-mini", **route: Any) -> tuple[Any, Router]:
    """An OpenAI-flavoured provider first, Claude as the fallback."""
    gpt = local.server.add_provider("gpt", wire="openai", flavor="openai")
    config = local.config()
    config["providers"]["openai"] = {
        "api_base": gpt.api_base,
        "api_key": "${ZHIPU_API_KEY}",
        "adapter": local.adapter,
    }
    config["models"]["gpt"] = {"provider": "openai", "model": model}
    config["routes"]["gpt_first"] = {"models": ["gpt", "claude"], "timeout_s": 10, **route}
    return gpt, Router.from_dict(config, env=local.env, retry=FAST_BACKOFF)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_refusal_is_an_answer_by_default(local: Local, stream: bool) -> None:
    gpt, router = with_gpt(local)
    gpt.fail_next(Fault.refusal("I can't help with that."))
    if stream:
        answer = await router.acompletion(model="gpt_first", messages=user(), stream=True)
        refusal = "".join([c.choices[0].delta.refusal or "" async for c in answer if c.choices])
        route = answer.route
    else:
        resp = await router.acompletion(model="gpt_first", messages=user())
        refusal, route = resp.choices[0].message.refusal or "", resp.route
    assert refusal == "I can't help with that."
    assert route is not None and route.model == "gpt" and route.cost_usd > 0  # billed
    assert local.claude.request_count == 0


async def test_claudes_refusal_is_an_answer_too(local: Local) -> None:
    local.claude.fail_next(Fault.refusal())
    resp = await build(local).acompletion(model="claude_first", messages=user())
    assert resp.choices[0].finish_reason == "refusal" and resp.route.model == "claude"


@pytest.mark.parametrize("stream", [False, True])
async def test_a_route_that_falls_back_on_content_filter_falls_back_on_a_refusal(
    local: Local, stream: bool
) -> None:
    gpt, router = with_gpt(local, fault_policy={"content_filter": {"fallback": True}})
    gpt.fail_next(Fault.refusal("I can't help with that."))
    if stream:
        answer = await router.acompletion(model="gpt_first", messages=user(), stream=True)
        async for _ in answer:
            pass
        route = answer.route
    else:
        route = (await router.acompletion(model="gpt_first", messages=user())).route
    assert route is not None and route.model == "claude"
    first = route.attempts[0]
    assert (first.model, first.error) == ("gpt", "content_filter")


@pytest.mark.parametrize(
    "bad",
    [
        "this is not json",
        json.dumps({"city": "Paris"}),  # misses "days"
        json.dumps({"city": "Paris", "days": "three"}),  # wrong type
    ],
)
async def test_an_answer_failing_its_schema_falls_back(local: Local, bad: str) -> None:
    gpt, router = with_gpt(local)
    gpt.fail_next(Fault.http(200, answer(bad)))
    resp = await router.acompletion(
        model="gpt_first", messages=user("Paris, 3 days"), response_format=JSON_SCHEMA
    )
    assert resp.route.model == "claude"
    first = resp.route.attempts[0]
    assert (first.model, first.error) == ("gpt", "invalid_response")
    assert "three" not in (first.detail or "")  # the detail never quotes the answer
    assert json.loads(resp.text)["city"]


async def test_check_json_false_hands_the_answer_over(local: Local) -> None:
    local.glm.fail_next(Fault.http(200, answer("not json")))
    resp = await build(local, check_json=False).acompletion(
        model="chat", messages=user(), response_format={"type": "json_object"}
    )
    assert resp.route.model == "glm" and resp.text == "not json"


@pytest.mark.parametrize("empty", [answer(None), answer(""), {**answer("x"), "choices": []}])
async def test_an_empty_answer_is_a_fault_and_not_cached(local: Local, empty: Any) -> None:
    local.glm.fail_next(Fault.http(200, empty))
    router = Router.from_dict(
        {**local.config(), "cache": {"backend": "memory"}}, env=local.env, retry=FAST_BACKOFF
    )
    resp = await router.acompletion(model="chat", messages=user("same"))
    assert resp.route.model == "claude"
    assert resp.route.attempts[0].error == "invalid_response"


def reject_short(request: Any, answer: Any) -> str | None:
    return "too short" if len(answer.text) < 1000 else None


async def test_a_routes_own_answer_check(local: Local) -> None:
    router = build(local, answer_check="test_wire_fidelity_http:reject_short")
    with pytest.raises(AllModelsFailedError) as info:
        await router.acompletion(model="chat", messages=user())
    assert [a.detail for a in info.value.attempts] == ["too short", "too short"]
    assert local.glm.request_count == 1 and local.claude.request_count == 1


@pytest.mark.parametrize(
    ("params", "thinking"),
    [
        ({"reasoning_effort": "high"}, {"type": "enabled"}),
        ({"reasoning_effort": "minimal"}, {"type": "disabled"}),
        ({"thinking": {"type": "enabled", "budget_tokens": 2000}}, {"type": "enabled"}),
    ],
)
async def test_glm_gets_its_own_thinking_switch(
    local: Local, params: dict[str, Any], thinking: dict[str, str]
) -> None:
    await build(local).acompletion(model="glm", messages=user(), **params)
    body = local.glm.requests[-1].body
    assert body["thinking"] == thinking and "reasoning_effort" not in body


async def test_seed_makes_claude_ineligible_instead_of_being_dropped(local: Local) -> None:
    resp = await build(local).acompletion(model="claude_first", messages=user(), seed=7)
    assert resp.route.model == "glm"
    skip = resp.route.attempts[0]
    assert (skip.model, skip.outcome, skip.error) == ("claude", "skipped", "unsupported_param")
    assert "seed" in (skip.detail or "")


async def test_n_choices_make_claude_ineligible_instead_of_ending_the_route(
    local: Local,
) -> None:
    """The Messages API returns one choice: a route [claude, glm] asked for n=2 is served by
    GLM, never ended by Claude's 400."""
    resp = await build(local).acompletion(model="claude_first", messages=user(), n=2)
    assert resp.route.model == "glm" and len(resp.choices) == 2
    skip = resp.route.attempts[0]
    assert (skip.model, skip.outcome, skip.error) == ("claude", "skipped", "vendor_limit")
    assert local.claude.request_count == 0


async def test_cache_control_on_a_message_and_on_an_image_reaches_anthropic(local: Local) -> None:
    """litellm's convention, `cache_control` on a whole message, marks its last block; on an
    image part it stays on the image. Both adapters send the same breakpoints."""
    marker = {"type": "ephemeral"}
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    messages = [
        {"role": "system", "content": "You are terse. " * 20, "cache_control": marker},
        {
            "role": "user",
            "content": [{**image, "cache_control": marker}, {"type": "text", "text": "what?"}],
        },
        {"role": "assistant", "content": "A pixel."},
        {"role": "user", "content": "And now?", "cache_control": marker},
    ]
    await build(local).acompletion(model="claude", messages=messages, max_tokens=64)
    body = local.claude.requests[-1].body
    assert body["system"][-1]["cache_control"] == marker
    first, last = body["messages"][0]["content"], body["messages"][-1]["content"]
    assert first[0]["type"] == "image" and first[0]["cache_control"] == marker
    assert "cache_control" not in first[1]
    assert last[-1] == {"type": "text", "text": "And now?", "cache_control": marker}


async def test_openai_response_fields_beyond_the_text_reach_the_caller(local: Local) -> None:
    """logprobs, audio, annotations, service_tier and the audio and prediction token counts
    are accepted on the way out, so they come back as the provider sent them."""
    gpt, router = with_gpt(local)
    logprobs = {
        "content": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": []}],
        "refusal": None,
    }
    body = answer("Hi")
    body["service_tier"] = "default"
    body["choices"][0]["logprobs"] = logprobs
    body["choices"][0]["message"]["annotations"] = [
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://example.com",
                "title": "x",
                "start_index": 0,
                "end_index": 2,
            },
        }
    ]
    body["choices"][0]["message"]["audio"] = {
        "id": "audio_1",
        "data": "UklGRg==",
        "expires_at": 1,
        "transcript": "Hi",
    }
    body["usage"]["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 3}
    body["usage"]["completion_tokens_details"] = {
        "reasoning_tokens": 0,
        "audio_tokens": 2,
        "accepted_prediction_tokens": 1,
        "rejected_prediction_tokens": 0,
    }
    gpt.fail_next(Fault.http(200, body))
    resp = await router.acompletion(model="gpt_first", messages=user(), logprobs=True)
    choice = resp.choices[0]
    assert choice.logprobs == logprobs and resp.service_tier == "default"
    assert choice.message.annotations == body["choices"][0]["message"]["annotations"]
    assert choice.message.audio == body["choices"][0]["message"]["audio"]
    details = resp.usage.completion_tokens_details
    assert details is not None and (details.audio_tokens, details.accepted_prediction_tokens) == (
        2,
        1,
    )
    assert resp.usage.prompt_tokens_details is not None
    assert resp.usage.prompt_tokens_details.audio_tokens == 3


@pytest.mark.parametrize(
    ("params", "thinking"),
    [
        ({"reasoning_effort": "low"}, {"type": "enabled", "budget_tokens": 2048}),
        ({"reasoning_effort": "xhigh"}, {"type": "enabled", "budget_tokens": 32768}),
        ({"reasoning_effort": "none"}, {"type": "disabled"}),
    ],
)
async def test_claude_gets_the_same_thinking_budget_and_max_tokens_on_both_adapters(
    local: Local, params: dict[str, Any], thinking: dict[str, Any]
) -> None:
    await build(local).acompletion(model="claude", messages=user(), **params)
    body = local.claude.requests[-1].body
    assert body["thinking"] == thinking and "reasoning_effort" not in body
    assert body["max_tokens"] == 64000  # the model's own output limit, not budget + 4096


async def test_thinking_reaches_openai_as_reasoning_effort_on_both_adapters(local: Local) -> None:
    gpt, router = with_gpt(local, model="openai/o4-mini")  # a reasoning model
    await router.acompletion(
        model="gpt", messages=user(), thinking={"type": "enabled", "budget_tokens": 2000}
    )
    body = gpt.requests[-1].body
    assert body["reasoning_effort"] == "low" and "thinking" not in body


@pytest.mark.parametrize("stream", [False, True])
async def test_one_hour_cache_writes_are_priced_at_their_own_rate(
    local: Local, stream: bool
) -> None:
    """Anthropic bills a one-hour cache write at 2x input ($6/MTok for Sonnet 4.5), a
    five-minute one at 1.25x ($3.75): the split in `usage.cache_creation` is priced as billed."""
    usage = {
        "input_tokens": 100,
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 3000,
        "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
        "output_tokens": 10,
    }
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "Cached."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }
    if stream:
        events = [
            (
                "message_start",
                {
                    "type": "message_start",
                    "message": {**message, "content": [], "stop_reason": None},
                },
            ),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "Cached."},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 10},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
        body = "".join(f"event: {e}\ndata: {json.dumps(d)}\n\n" for e, d in events)
        local.claude.fail_next(Fault.http(200, body, headers={"content-type": "text/event-stream"}))
        answer_stream = await build(local).acompletion(
            model="claude", messages=user(), max_tokens=64, stream=True
        )
        async for _ in answer_stream:
            pass
        route = answer_stream.route
    else:
        local.claude.fail_next(Fault.http(200, message))
        resp = await build(local).acompletion(model="claude", messages=user(), max_tokens=64)
        route = resp.route
        details = resp.usage.prompt_tokens_details
        assert details is not None and (
            details.cache_write_tokens,
            details.cache_write_1h_tokens,
        ) == (3000, 2000)
    expected = (100 * 3.0 + 1000 * 3.75 + 2000 * 6.0 + 10 * 15.0) / 1_000_000
    assert route is not None and route.cost_usd == pytest.approx(expected)
