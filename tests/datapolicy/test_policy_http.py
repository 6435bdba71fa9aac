"""Over loopback HTTP against local providers: a Router refuses every leg its data policy
forbids before a byte is sent (first choice, fallback and hedge alike), records each skip in
`route.attempts`, and the backstop under the policy stage refuses a call made outside any
policy scope. The audit record of real requests never holds the prompt, the completion or a
key (the audit stage's own tests are in tests/e2e/test_data_policy_http.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from llmrouter import (
    BadRequestError,
    LLMRouterError,
    NoEligibleModelError,
    RequestValidationError,
    Router,
)
from llmrouter.config import load_dict
from llmrouter.config.secrets import Redactor
from llmrouter.datapolicy import (
    AuditTrail,
    EnforcingProvider,
    JsonlAuditFile,
    PolicyGate,
    add_audit_event,
    policy_scope,
)
from llmrouter.providers.base import ProviderCall
from llmrouter.providers.dispatch import AdapterDispatch
from llmrouter.testing import Fault, LocalProvider, LocalProviderServer
from support import CANARY_KEY

PROMPT = "Employee 4471 Jana Novak, salary 81,000 EUR, medical leave in March"
ENV = {
    "ZHIPU_API_KEY": CANARY_KEY,
    "ANTHROPIC_API_KEY": CANARY_KEY + "-anthropic",
    "ANTHROPIC_US_KEY": CANARY_KEY + "-us",
}


class Fleet:
    def __init__(self, server: LocalProviderServer) -> None:
        self.glm: LocalProvider = server.add_provider("glm", wire="openai", flavor="zhipu")
        self.claude_eu: LocalProvider = server.add_provider("claude-eu", wire="anthropic")
        self.claude_us: LocalProvider = server.add_provider("claude-us", wire="anthropic")

    def config(self, **route: Any) -> dict[str, Any]:
        return {
            "providers": {
                "zhipu": {
                    "api_base": self.glm.api_base,
                    "api_key": "${ZHIPU_API_KEY}",
                    "region": "cn",
                },
                "anthropic-eu": {
                    "api_base": self.claude_eu.api_base,
                    "api_key": "${ANTHROPIC_API_KEY}",
                    "region": "eu",
                    "vendor": "anthropic",
                    "zero_data_retention": True,
                },
                "anthropic-us": {
                    "api_base": self.claude_us.api_base,
                    "api_key": "${ANTHROPIC_US_KEY}",
                    "vendor": "anthropic",  # no region: never satisfies a region-bound class
                },
            },
            "models": {
                "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
                "claude-eu": {"provider": "anthropic-eu", "model": "anthropic/claude-sonnet-4-5"},
                "claude-us": {"provider": "anthropic-us", "model": "anthropic/claude-sonnet-4-5"},
            },
            "routes": {
                "chat": {"models": ["glm", "claude-eu"], "timeout_s": 10, "retries": 0},
                "hr": {
                    "models": ["claude-eu", "claude-us"],
                    "data_class": "pii-eu",
                    "timeout_s": 10,
                    **route,
                },
            },
            "data_policy": {
                "default_class": "public",
                "classes": {
                    "public": {},
                    "pii-eu": {
                        "regions": ["eu"],
                        "vendors": ["anthropic"],
                        "zero_data_retention": True,
                    },
                    "eu": {"regions": ["eu"]},
                },
            },
        }

    def counts(self) -> tuple[int, int, int]:
        return self.glm.request_count, self.claude_eu.request_count, self.claude_us.request_count


@pytest.fixture
async def fleet() -> AsyncIterator[Fleet]:
    async with LocalProviderServer() as server:
        yield Fleet(server)


def meta(data_class: str) -> dict[str, str]:
    return {"data_class": data_class}


def user(text: str = PROMPT) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def test_a_forbidden_first_choice_is_skipped_before_any_byte_is_sent(fleet: Fleet) -> None:
    async with Router(load_dict(fleet.config()), env=ENV) as router:
        resp = await router.acompletion(model="chat", messages=user(), metadata=meta("pii-eu"))
        assert fleet.counts() == (0, 1, 0)
        assert resp.route is not None and resp.route.model == "claude-eu"
        skipped = resp.route.attempts[0]
        assert (skipped.model, skipped.outcome, skipped.error) == ("glm", "skipped", "policy")
        assert skipped.detail is not None and skipped.detail.startswith("region:")
        with pytest.raises(NoEligibleModelError) as info:
            await router.acompletion(model="glm", messages=user(), metadata=meta("pii-eu"))
        assert fleet.counts() == (0, 1, 0)
        assert "data class 'pii-eu'" in str(info.value)
        [attempt] = info.value.attempts
        assert (attempt.model, attempt.error) == ("glm", "policy")
        resp = await router.acompletion(model="chat", messages=user("hello"))  # public default
        assert resp.route is not None and resp.route.model == "glm"
        assert fleet.counts() == (1, 1, 0)


async def test_a_provider_without_region_is_refused_for_a_region_bound_class(
    fleet: Fleet,
) -> None:
    async with Router(load_dict(fleet.config()), env=ENV) as router:
        with pytest.raises(NoEligibleModelError) as info:
            await router.acompletion(model="claude-us", messages=user(), metadata=meta("eu"))
        assert "sets no region" in str(info.value)
        assert fleet.claude_us.request_count == 0


async def test_a_hedge_never_goes_to_a_forbidden_model(fleet: Fleet) -> None:
    fleet.claude_eu.set_latency(0.3)  # slow first choice: a hedge would fire after 50 ms
    async with Router(load_dict(fleet.config(hedge_after_ms=50)), env=ENV) as router:
        resp = await router.acompletion(model="hr", messages=user())  # the route's pii-eu
        assert resp.route is not None and resp.route.model == "claude-eu"
        assert fleet.claude_us.request_count == 0
        assert fleet.claude_eu.request_count == 1
        assert [(a.model, a.error) for a in resp.route.attempts if a.outcome == "skipped"] == [
            ("claude-us", "policy")
        ]
        # the control: public data may be hedged there, and the hedge wins
        resp = await router.acompletion(model="hr", messages=user("hi"), metadata=meta("public"))
        assert resp.route is not None and resp.route.model == "claude-us"
        assert fleet.claude_us.request_count == 1


async def test_a_fallback_into_a_forbidden_region_is_skipped(fleet: Fleet) -> None:
    """The first choice fails; its fallback is in a region the class forbids: skipped and
    recorded, the error is the first choice's, and the forbidden provider saw nothing."""
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    fleet.claude_eu.fail_next(Fault.http(529, overloaded), times=5)
    config = fleet.config()
    config["routes"]["hr"]["retries"] = 0
    async with Router(load_dict(config), env=ENV) as router:
        with pytest.raises(LLMRouterError) as info:
            await router.acompletion(model="hr", messages=user())
    assert type(info.value).__name__ == "AllModelsFailedError"  # every allowed one failed
    assert fleet.claude_us.request_count == 0
    outcomes = [(a.model, a.outcome, a.error) for a in info.value.attempts]
    assert ("claude-us", "skipped", "policy") in outcomes


async def test_the_backstop_refuses_a_call_made_outside_any_policy_scope(fleet: Fleet) -> None:
    """A leg that bypassed the policy stage (no scope) is refused by the provider wrapper
    before a byte is sent, while classes are declared: fail closed."""
    loaded = load_dict(fleet.config())
    gate = PolicyGate.from_config(loaded)
    provider = EnforcingProvider(AdapterDispatch(Redactor(ENV.values())), gate)
    async with Router(loaded, env=ENV) as router:
        deployment = router._assembly.deployments["claude-eu"]
        call = ProviderCall(deployment, user(), {"max_tokens": 16})
        with pytest.raises(NoEligibleModelError, match="outside any policy scope"):
            await provider.complete(call)
        with policy_scope("pii-eu"):
            answer = await provider.complete(call)  # the same call inside a scope: sent
        assert answer.choices[0].message.content
    await provider.aclose()
    assert fleet.counts() == (0, 1, 0)


async def test_an_unknown_class_is_refused_before_any_upstream_call(fleet: Fleet) -> None:
    async with Router(load_dict(fleet.config()), env=ENV) as router:
        with pytest.raises(RequestValidationError, match="unknown data class 'pii'"):
            await router.acompletion(model="chat", messages=user(), metadata=meta("pii"))
    assert fleet.counts() == (0, 0, 0)


async def test_a_blocked_vendor_is_skipped_by_name(fleet: Fleet) -> None:
    async with Router(load_dict(fleet.config()), env=ENV) as router:
        await router.block(vendor="zhipu", reason="export review")
        with pytest.raises(NoEligibleModelError) as info:
            await router.acompletion(model="glm", messages=user())
        assert info.value.attempts[0].error == "blocked"
        assert info.value.attempts[0].detail == "vendor zhipu blocked: export review"
        resp = await router.acompletion(model="chat", messages=user())  # the next one serves
        assert resp.route is not None and resp.route.model == "claude-eu"
        await router.unblock(vendor="zhipu")
        resp = await router.acompletion(model="chat", messages=user())
        assert resp.route is not None and resp.route.model == "glm"
    assert fleet.counts() == (1, 1, 0)


async def test_audit_records_of_real_requests_hold_no_prompt_completion_or_key(
    fleet: Fleet, tmp_path: Path
) -> None:
    """A provider that echoes the prompt and the key in its error, a fallback, an answer:
    the audit line and the span event name models and outcomes only."""
    echo = f"bad input {PROMPT!r} with key {CANARY_KEY}"
    fleet.glm.fail_next(Fault.http(400, {"error": {"code": "1210", "message": echo}}))
    fleet.claude_eu.set_reply(lambda body: f"Summary for {PROMPT}")
    loaded = load_dict(fleet.config())
    gate = PolicyGate.from_config(loaded)
    sink = JsonlAuditFile(tmp_path / "audit.jsonl")
    exporter = InMemorySpanExporter()
    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(exporter))
    async with Router(loaded, env=ENV) as router:
        for route in ("chat", "hr"):
            trail = AuditTrail(gate.policy.facts, route=route, tenant="acme")
            trail.data_class = gate.resolve({}, route)
            with tracer.get_tracer("t").start_as_current_span("request") as span:
                try:
                    resp = await router.acompletion(model=route, messages=user())
                except BadRequestError as exc:
                    assert PROMPT in str(exc)  # the error really carries the prompt
                    trail.attempts(exc.attempts)
                    record = trail.finish(error=exc)
                else:
                    assert resp.route is not None and PROMPT in resp.text
                    trail.attempts(resp.route.attempts)
                    record = trail.finish(
                        served_model=resp.route.model, cost_usd=resp.route.cost_usd
                    )
                add_audit_event(span, record)
                sink.write(record)
    sink.close()
    text = (tmp_path / "audit.jsonl").read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(r["route"], r["outcome"], r["error"]) for r in lines] == [
        ("chat", "error", "BadRequestError"),
        ("hr", "ok", None),
    ]
    assert lines[0]["legs"][0]["outcome"] == "bad_request"
    assert lines[1]["legs"] == [
        {
            "kind": "first",
            "model": "claude-eu",
            "provider": "anthropic-eu",
            "vendor": "anthropic",
            "region": "eu",
            "outcome": "ok",
            "status_code": None,
            "latency_s": lines[1]["legs"][0]["latency_s"],
        }
    ]
    spans = exporter.get_finished_spans()
    assert [e.name for s in spans for e in s.events] == ["llmrouter.audit"] * 2
    events = json.dumps([dict(e.attributes or {}) for s in spans for e in s.events], default=list)
    for secret in (CANARY_KEY, "Novak", "81,000", "Summary for"):
        assert secret not in text
        assert secret not in events
