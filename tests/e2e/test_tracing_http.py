"""Tracing and metrics end to end, checked with the OpenTelemetry SDK's in-memory exporter and
metric reader. Attribute names come from opentelemetry-semantic-conventions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes import error_attributes, server_attributes
from opentelemetry.trace import StatusCode
from otel_support import Otel, circuits

from llmrouter import AllModelsFailedError, Router
from llmrouter.telemetry import (
    AttemptEvent,
    FailureEvent,
    FallbackEvent,
    RouterCallbacks,
    SuccessEvent,
)
from llmrouter.testing import Fault
from support import CANARY_KEY, FAST_BACKOFF, Local, user

PROMPT = "the quarterly numbers of project bluebird"


def traced(local: Local, otel: Otel, *, callbacks: Any = (), **config_changes: Any) -> Router:
    config = local.config(retries=0)
    config.update(config_changes)
    return Router.from_dict(
        config,
        env=local.env,
        retry=FAST_BACKOFF,
        tracer_provider=otel.tracer_provider,
        meter_provider=otel.meter_provider,
        callbacks=callbacks,
    )


async def test_glm_and_claude_attempt_spans(local: Local, otel: Otel) -> None:
    router = traced(local, otel)
    await router.acompletion(model="glm", messages=user("hi"), temperature=0.2, max_tokens=50)
    await router.acompletion(model="claude", messages=user("hi"))
    glm_span, claude_span = otel.attempts()
    a = glm_span.attributes or {}
    assert glm_span.name == "chat glm-4.6"
    assert a[gen_ai.GEN_AI_OPERATION_NAME] == "chat"
    assert a[gen_ai.GEN_AI_PROVIDER_NAME] == "zai"
    assert a[gen_ai.GEN_AI_REQUEST_MODEL] == "glm-4.6"
    assert a[gen_ai.GEN_AI_RESPONSE_MODEL] == "glm-4.6"
    assert a[gen_ai.GEN_AI_REQUEST_TEMPERATURE] == 0.2
    assert a[gen_ai.GEN_AI_REQUEST_MAX_TOKENS] == 50
    assert a[gen_ai.GEN_AI_USAGE_INPUT_TOKENS] > 0
    assert a[gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS] > 0
    assert a[gen_ai.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert a[server_attributes.SERVER_ADDRESS] == "127.0.0.1"
    assert a[server_attributes.SERVER_PORT] == local.server.port
    assert a["llmrouter.model"] == "glm"
    c = claude_span.attributes or {}
    assert c[gen_ai.GEN_AI_PROVIDER_NAME] == "anthropic"
    assert c[gen_ai.GEN_AI_REQUEST_MODEL] == "claude-sonnet-4-5"
    request_span = otel.requests()[0]
    assert glm_span.parent is not None
    assert glm_span.parent.span_id == request_span.context.span_id
    r = request_span.attributes or {}
    assert r["llmrouter.route"] == "glm"
    assert r["llmrouter.model"] == "glm"
    assert r["llmrouter.cost_usd"] > 0
    assert r["llmrouter.cache_hit"] is False


async def test_fallback_shows_two_attempts_under_one_request(local: Local, otel: Otel) -> None:
    local.glm.fail_always(Fault.overloaded())
    await traced(local, otel).acompletion(model="chat", messages=user())
    [request_span] = otel.requests()
    failed, answered = otel.attempts()
    for span in (failed, answered):
        assert span.parent is not None and span.parent.span_id == request_span.context.span_id
    assert failed.status.status_code == StatusCode.ERROR
    assert (failed.attributes or {})[error_attributes.ERROR_TYPE] == "OverloadedError"
    assert (failed.attributes or {})["llmrouter.error.kind"] == "overloaded"
    assert answered.status.status_code != StatusCode.ERROR
    r = request_span.attributes or {}
    assert r["llmrouter.candidates"] == ("glm", "claude")
    assert r["llmrouter.model"] == "claude"
    assert r["llmrouter.attempts"] == 2
    points = otel.metric_points()
    assert sum(p.value for p in points["llmrouter.fallbacks"][1]) == 1


async def test_all_failed_marks_the_request_span(local: Local, otel: Otel) -> None:
    local.glm.fail_always(Fault.server_error(503))
    local.claude.fail_always(Fault.server_error(500))
    with pytest.raises(AllModelsFailedError):
        await traced(local, otel).acompletion(model="chat", messages=user())
    [request_span] = otel.requests()
    assert request_span.status.status_code == StatusCode.ERROR
    assert (request_span.attributes or {})[error_attributes.ERROR_TYPE] == "AllModelsFailedError"


async def test_cache_hit_has_no_attempt_span(local: Local, otel: Otel) -> None:
    router = traced(local, otel, cache={"backend": "memory"})
    await router.acompletion(model="chat", messages=user())
    await router.acompletion(model="chat", messages=user())
    _first, second = otel.requests()
    assert (second.attributes or {})["llmrouter.cache_hit"] is True
    assert len(otel.attempts()) == 1
    points = otel.metric_points()
    assert sum(p.value for p in points["llmrouter.cache.hits"][1]) == 1


async def test_stream_span_covers_the_stream_with_ttft(local: Local, otel: Otel) -> None:
    local.glm.set_latency(0.05)
    stream = await traced(local, otel).acompletion(model="glm", messages=user(), stream=True)
    assert otel.attempts() == []  # still open while the caller reads
    async for _ in stream:
        pass
    [span] = otel.attempts()
    a = span.attributes or {}
    ttft = a[gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]
    assert ttft >= 0.05
    assert span.end_time is not None and span.start_time is not None
    # span times are wall-clock, TTFT is monotonic: allow a millisecond between the two clocks
    assert (span.end_time - span.start_time) / 1e9 >= ttft - 0.001
    assert a[gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS] > 0
    assert otel.requests()[0].end_time is not None
    points = otel.metric_points()
    assert points["gen_ai.client.operation.time_to_first_chunk"][0] == "s"


def everything_recorded(otel: Otel) -> str:
    parts = []
    for span in otel.finished():
        parts.append(json.dumps(dict(span.attributes or {}), default=str))
        parts.append(span.status.description or "")
        parts.extend(json.dumps(dict(e.attributes or {}), default=str) for e in span.events)
        parts.append(span.name)
    return "\n".join(parts)


async def test_no_key_and_no_prompt_by_default(local: Local, otel: Otel) -> None:
    local.glm.fail_always(Fault.auth())  # the server echoes the key in its error body
    router = traced(local, otel)
    await router.acompletion(model="chat", messages=user(PROMPT))
    stream = await router.acompletion(model="claude", messages=user(PROMPT), stream=True)
    async for _ in stream:
        pass
    recorded = everything_recorded(otel)
    assert "Hello from claude" not in recorded
    assert CANARY_KEY not in recorded
    assert PROMPT not in recorded
    assert len(otel.attempts()) == 3


@pytest.mark.parametrize("switch", ["config", "env"])
async def test_prompt_recorded_when_capture_is_on(local: Local, otel: Otel, switch: str) -> None:
    if switch == "config":
        router = traced(local, otel, telemetry={"capture_content": True})
    else:
        config = local.config()
        router = Router.from_dict(
            config,
            env={**local.env, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"},
            tracer_provider=otel.tracer_provider,
            meter_provider=otel.meter_provider,
        )
    await router.acompletion(model="glm", messages=user(PROMPT))
    a = otel.attempts()[0].attributes or {}
    assert PROMPT in str(a[gen_ai.GEN_AI_INPUT_MESSAGES])
    assert "Hello from glm" in str(a[gen_ai.GEN_AI_OUTPUT_MESSAGES])
    assert CANARY_KEY not in everything_recorded(otel)


async def test_metrics_have_the_convention_names_and_units(local: Local, otel: Otel) -> None:
    await traced(local, otel).acompletion(model="glm", messages=user())
    points = otel.metric_points()
    unit, usage = points["gen_ai.client.token.usage"]
    assert unit == "{token}"
    types = {p.attributes[gen_ai.GEN_AI_TOKEN_TYPE] for p in usage}
    assert types == {"input", "output"}
    for p in usage:
        assert p.attributes[gen_ai.GEN_AI_PROVIDER_NAME] == "zai"
        assert p.attributes[gen_ai.GEN_AI_OPERATION_NAME] == "chat"
    unit, durations = points["gen_ai.client.operation.duration"]
    assert unit == "s"
    assert durations[0].count == 1
    unit, cost = points["llmrouter.cost"]
    assert unit == "USD"
    assert cost[0].value > 0


async def test_telemetry_can_be_turned_off(local: Local, otel: Otel) -> None:
    await traced(local, otel, telemetry={"enabled": False}).acompletion(
        model="glm", messages=user()
    )
    assert otel.finished() == []


class Recorder(RouterCallbacks):
    def __init__(self) -> None:
        self.events: list[object] = []

    async def on_attempt(self, event: AttemptEvent) -> None:
        self.events.append(event)

    async def on_fallback(self, event: FallbackEvent) -> None:
        self.events.append(event)

    async def on_success(self, event: SuccessEvent) -> None:
        self.events.append(event)

    async def on_failure(self, event: FailureEvent) -> None:
        self.events.append(event)


class Broken(RouterCallbacks):
    async def on_attempt(self, event: AttemptEvent) -> None:
        raise RuntimeError("callback bug")

    async def on_success(self, event: SuccessEvent) -> None:
        raise RuntimeError("callback bug")


async def test_callbacks_receive_typed_events(local: Local, otel: Otel) -> None:
    recorder = Recorder()
    local.glm.fail_next(Fault.overloaded())
    router = traced(local, otel, callbacks=[Broken(), recorder])
    resp = await router.acompletion(model="chat", messages=user())
    assert resp.text.startswith("Hello from claude")
    kinds = [type(e).__name__ for e in recorder.events]
    assert kinds == ["AttemptEvent", "FallbackEvent", "AttemptEvent", "SuccessEvent"]
    first, fallback = recorder.events[0], recorder.events[1]
    assert isinstance(first, AttemptEvent) and first.attempt.error == "overloaded"
    assert isinstance(fallback, FallbackEvent)
    assert (fallback.from_model, fallback.to_model) == ("glm", "claude")
    local.glm.fail_always(Fault.bad_request())
    with pytest.raises(Exception, match="Invalid parameter"):
        await router.acompletion(model="chat", messages=user("other"))
    failure = recorder.events[-1]
    assert isinstance(failure, FailureEvent) and failure.error_type == "BadRequestError"


async def test_circuit_state_is_a_gauge(local: Local, otel: Otel) -> None:
    local.glm.fail_always(Fault.overloaded())
    router = traced(local, otel, circuit_breaker={"failure_threshold": 2})
    assert circuits(otel) == {"glm": 0, "claude": 0}
    for i in range(2):
        await router.acompletion(model="chat", messages=user(f"q{i}"))
    assert circuits(otel) == {"glm": 2, "claude": 0}


async def test_rejected_credentials_are_counted(local: Local, otel: Otel) -> None:
    local.glm.fail_always(Fault.auth())
    await traced(local, otel).acompletion(model="chat", messages=user())
    unit, points = otel.metric_points()["llmrouter.model.unhealthy"]
    assert unit == "{event}"
    assert [(dict(p.attributes), p.value) for p in points] == [
        ({"llmrouter.model": "glm", "llmrouter.reason": "auth"}, 1)
    ]


async def test_routers_sharing_a_meter_provider_all_export(local: Local, otel: Otel) -> None:
    # The SDK keeps only the first registration of an instrument name: llmrouter's counters
    # and gauge are shared per meter provider, so a second Router still exports its figures.
    local.glm.fail_always(Fault.overloaded())
    calm = traced(local, otel)  # built first; default breaker: one failure leaves glm closed
    tripping = traced(local, otel, circuit_breaker={"failure_threshold": 2})
    for i in range(2):
        await tripping.acompletion(model="chat", messages=user(f"a{i}"))
    await calm.acompletion(model="chat", messages=user("b"))
    points = otel.metric_points()
    assert sum(p.value for p in points["llmrouter.fallbacks"][1]) == 3
    assert circuits(otel) == {"glm": 2, "claude": 0}  # the worst state any router sees


async def test_request_span_is_a_child_of_the_callers_span(local: Local, otel: Otel) -> None:
    router = traced(local, otel)
    with otel.tracer_provider.get_tracer("caller").start_as_current_span("handle /summarise"):
        await router.acompletion(model="glm", messages=user())
    [caller] = [s for s in otel.finished() if s.name == "handle /summarise"]
    [request_span] = otel.requests()
    assert request_span.parent is not None
    assert request_span.parent.span_id == caller.context.span_id
    assert request_span.context.trace_id == caller.context.trace_id
