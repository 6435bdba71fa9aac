"""The request path's contracts found broken by review (issue 11), over loopback HTTP through
both adapter kinds: a route's own breaker is what health and the gauge report; a stream that
breaks after its first chunk counts against its model; unknown parameters are refused by name,
`extra_body` passes through, `mock_response` answers without a call."""

from __future__ import annotations

from typing import Any

import pytest
from otel_support import Otel, circuits

from llmrouter import RequestValidationError, Router, StreamInterruptedError
from llmrouter.testing import Fault
from support import FAST_BACKOFF, Local, user


def build(local: Local, otel: Otel | None = None, **route: Any) -> Router:
    extra: dict[str, Any] = {}
    if otel is not None:
        extra = {"tracer_provider": otel.tracer_provider, "meter_provider": otel.meter_provider}
    return Router.from_dict(local.config(**route), env=local.env, retry=FAST_BACKOFF, **extra)


async def test_a_routes_own_breaker_is_what_health_and_the_gauge_report(
    local: Local, otel: Otel
) -> None:
    local.glm.fail_always(Fault.overloaded())
    router = build(local, otel, retries=0, circuit_breaker={"failure_threshold": 2})
    for i in range(2):
        resp = await router.acompletion(model="chat", messages=user(f"q{i}"))
        assert resp.route.model == "claude"
    assert router.health()["glm"].circuit == "open"
    assert not router.health()["glm"].healthy
    assert circuits(otel)["glm"] == 2  # open


async def test_a_stream_broken_after_its_first_chunk_opens_the_breaker(local: Local) -> None:
    local.glm.fail_always(Fault.drop_stream(after_chunks=2))
    router = build(local, retries=0, circuit_breaker={"failure_threshold": 3})
    for i in range(3):
        stream = await router.acompletion(model="chat", messages=user(f"s{i}"), stream=True)
        with pytest.raises(StreamInterruptedError):
            async for _ in stream:
                pass
    health = router.health()["glm"]
    assert health.circuit == "open" and health.error_rate == 1.0
    stream = await router.acompletion(model="chat", messages=user("next"), stream=True)
    async for _ in stream:
        pass
    assert stream.route is not None and stream.route.model == "claude"
    assert stream.route.attempts[0].error == "circuit_open"
    assert local.glm.request_count == 3


@pytest.mark.parametrize(
    ("name", "hint"),
    [("temperatur", "did you mean 'temperature'"), ("topp", "did you mean 'top_p'")],
)
async def test_unknown_parameters_are_refused_with_a_hint(
    local: Local, name: str, hint: str
) -> None:
    router = build(local)
    with pytest.raises(RequestValidationError, match=hint) as info:
        await router.acompletion(model="chat", messages=user(), **{name: 0.5})
    assert info.value.field == name and "extra_body" in str(info.value)
    assert local.server.total_requests == 0


@pytest.mark.parametrize(
    ("name", "instead"), [("request_timeout", "timeout="), ("caching", "cache=")]
)
async def test_litellm_call_options_point_at_ours(local: Local, name: str, instead: str) -> None:
    with pytest.raises(RequestValidationError, match=instead):
        await build(local).acompletion(model="chat", messages=user(), **{name: 1})


async def test_extra_body_reaches_the_provider_as_given(local: Local) -> None:
    router = build(local)
    await router.acompletion(
        model="glm", messages=user(), extra_body={"do_sample": False, "request_id": "r-1"}
    )
    body = local.glm.requests[-1].body
    assert body["do_sample"] is False and body["request_id"] == "r-1"
    assert "extra_body" not in body


@pytest.mark.parametrize("stream", [False, True])
async def test_mock_response_answers_without_an_upstream_call(local: Local, stream: bool) -> None:
    router = build(local)
    if stream:
        answer = await router.acompletion(
            model="chat", messages=user(), stream=True, mock_response="canned"
        )
        text = "".join([c.choices[0].delta.content or "" async for c in answer if c.choices])
        route = answer.route
    else:
        resp = await router.acompletion(model="chat", messages=user(), mock_response="canned")
        text, route = resp.text, resp.route
    assert text == "canned"
    assert route is not None and route.model == "glm" and route.cost_usd == 0.0
    assert local.server.total_requests == 0


async def test_a_stream_says_who_answers_and_after_which_attempts_before_its_first_chunk(
    local: Local,
) -> None:
    """A gateway sets its headers before the body: the answering model, its provider and the
    attempts so far are known once `acompletion` returns the stream."""
    local.glm.fail_next(Fault.http(500, {"error": {"message": "boom"}}))
    async with build(local, retries=0) as router:
        stream = await router.acompletion(model="chat", messages=user(), stream=True)
        assert (stream.model, stream.provider) == ("claude", "anthropic")
        assert [(a.model, a.outcome) for a in stream.attempts] == [
            ("glm", "error"),
            ("claude", "ok"),
        ]
        async for _ in stream:
            pass
        assert stream.route is not None and stream.route.attempts == stream.attempts
