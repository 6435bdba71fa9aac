"""The audit record: its stable JSON form, legs and exclusions, refused requests, the callback
sink and the span event."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from llmrouter import NoEligibleModelError, RequestValidationError
from llmrouter.config import load_dict, load_text
from llmrouter.datapolicy import (
    AuditLog,
    AuditRecord,
    AuditTrail,
    CandidateFacts,
    Exclusion,
    JsonlAuditFile,
    add_audit_event,
)
from llmrouter.datapolicy.audit_sinks import audit_log_path
from llmrouter.telemetry import RouterCallbacks
from llmrouter.types import Attempt

FACTS = {
    "claude-eu": CandidateFacts("claude-eu", "anthropic-eu", "anthropic", "eu", True),
    "claude": CandidateFacts("claude", "anthropic", "anthropic", "us", False),
    "glm": CandidateFacts("glm", "zhipu", "zhipu", "cn", False),
}
T0 = 1_750_000_000.25  # 2025-06-15T15:06:40.250Z


def trail(**kwargs: object) -> AuditTrail:
    return AuditTrail(
        FACTS,
        route="hr",
        tenant="acme",
        data_class="pii-eu",
        request_id="r-1",
        wall_clock=lambda: T0,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_json_form_is_stable_and_complete() -> None:
    t = trail()
    t.exclude(Exclusion("glm", "zhipu", "policy", "region", "region: provider 'zhipu' is in cn"))
    t.leg("first", "claude-eu", "overloaded", status_code=529, latency_s=0.5)
    t.leg("retry", "claude-eu", "ok", latency_s=0.25)
    record = t.finish(served_model="claude-eu", cost_usd=0.0042)
    assert json.loads(record.to_json()) == {
        "v": 1,
        "time": "2025-06-15T15:06:40.250Z",
        "request_id": "r-1",
        "tenant": "acme",
        "route": "hr",
        "data_class": "pii-eu",
        "outcome": "ok",
        "error": None,
        "served_model": "claude-eu",
        "served_provider": "anthropic-eu",
        "cache_hit": False,
        "cost_usd": 0.0042,
        "excluded": [
            {
                "model": "glm",
                "provider": "zhipu",
                "reason": "policy",
                "rule": "region",
                "detail": "region: provider 'zhipu' is in cn",
            }
        ],
        "legs": [
            {
                "kind": "first",
                "model": "claude-eu",
                "provider": "anthropic-eu",
                "vendor": "anthropic",
                "region": "eu",
                "outcome": "overloaded",
                "status_code": 529,
                "latency_s": 0.5,
            },
            {
                "kind": "retry",
                "model": "claude-eu",
                "provider": "anthropic-eu",
                "vendor": "anthropic",
                "region": "eu",
                "outcome": "ok",
                "status_code": None,
                "latency_s": 0.25,
            },
        ],
    }
    line = record.to_json()
    assert b"\n" not in line
    assert list(json.loads(line)) == list(record.to_dict())  # key order is the stable form


def test_route_attempts_become_exclusions_and_legs_with_their_kinds() -> None:
    t = trail()
    t.attempts(
        [
            Attempt(model="glm", provider="zhipu", outcome="skipped", error="policy",
                    detail="region: provider 'zhipu' is in cn"),
            Attempt(model="claude", provider="anthropic", outcome="skipped", error="blocked",
                    detail="vendor anthropic blocked: hold"),
            Attempt(model="claude-eu", provider="anthropic-eu", outcome="error",
                    error="timeout", detail="the provider said: <prompt text>"),
            Attempt(model="claude-eu", provider="anthropic-eu", outcome="error", error="quota"),
            Attempt(model="claude", provider="anthropic", outcome="ok"),
        ]
    )  # fmt: skip
    record = t.finish(served_model="claude")
    assert [(e.model, e.reason, e.rule) for e in record.excluded] == [
        ("glm", "policy", "region"),
        ("claude", "blocked", "vendor"),
    ]
    assert [(leg.kind, leg.model, leg.outcome) for leg in record.legs] == [
        ("first", "claude-eu", "timeout"),
        ("retry", "claude-eu", "quota"),
        ("fallback", "claude", "ok"),
    ]
    assert b"prompt text" not in record.to_json()  # a fault's detail is never kept
    hedged = trail()
    hedged.attempts(
        [
            Attempt(model="claude-eu", provider="anthropic-eu", outcome="error", error="timeout"),
            Attempt(model="claude", provider="anthropic", outcome="ok"),
        ],
        kinds=["first", "hedge"],
    )
    assert [leg.kind for leg in hedged.finish(served_model="claude").legs] == ["first", "hedge"]


def test_a_refused_request_has_a_record_naming_its_error_class_only() -> None:
    t = AuditTrail(FACTS, route="hr", tenant=None)
    refusal = RequestValidationError("metadata.data_class", "unknown data class 'secret-x'")
    record = t.finish(error=refusal)
    data = json.loads(record.to_json())
    assert (data["outcome"], data["error"], data["legs"], data["served_model"]) == (
        "error",
        "RequestValidationError",
        [],
        None,
    )
    assert "secret-x" not in record.to_json().decode()  # the message is not recorded
    assert len(data["request_id"]) == 24
    nothing = trail()
    nothing.exclude(Exclusion("glm", "zhipu", "policy", "region", "region: ..."))
    failed = nothing.finish(error=NoEligibleModelError("no model"))
    assert failed.error == "NoEligibleModelError" and failed.served_provider is None


def test_span_event_carries_the_record_as_documented() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    t = trail()
    t.exclude(Exclusion("glm", "zhipu", "policy", "region", "region: ..."))
    t.leg("first", "claude-eu", "ok")
    with provider.get_tracer("test").start_as_current_span("llmrouter.route hr") as span:
        add_audit_event(span, t.finish(served_model="claude-eu", cost_usd=0.01))
    [finished] = exporter.get_finished_spans()
    [event] = finished.events
    assert event.name == "llmrouter.audit"
    attributes = dict(event.attributes or {})
    assert attributes["llmrouter.request_id"] == "r-1"
    assert attributes["llmrouter.data_class"] == "pii-eu"
    assert attributes["llmrouter.tenant"] == "acme"
    assert attributes["llmrouter.model"] == "claude-eu"
    assert attributes["llmrouter.cost_usd"] == 0.01
    assert tuple(attributes["llmrouter.audit.excluded.model"]) == ("glm",)
    assert tuple(attributes["llmrouter.audit.excluded.rule"]) == ("region",)
    assert tuple(attributes["llmrouter.audit.legs.kind"]) == ("first",)
    assert tuple(attributes["llmrouter.audit.legs.vendor"]) == ("anthropic",)
    assert tuple(attributes["llmrouter.audit.legs.region"]) == ("eu",)
    assert "llmrouter.audit.error" not in attributes
    add_audit_event(None, t.finish())  # no span: nothing to do


class Collect(RouterCallbacks):
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    async def on_audit(self, record: AuditRecord) -> None:
        self.records.append(record)


class Broken(RouterCallbacks):
    async def on_audit(self, record: AuditRecord) -> None:
        raise RuntimeError("boom")


async def test_audit_log_delivers_to_the_file_and_callbacks_and_survives_a_broken_one(
    tmp_path: Path,
) -> None:
    text = """\
providers: {p: {region: eu}}
models: {m: {provider: p, model: openai/x}}
data_policy: {audit_log: logs/audit.jsonl}
"""
    config_path = tmp_path / "conf" / "llmrouter.yaml"
    config_path.parent.mkdir()
    (config_path.parent / "logs").mkdir()
    loaded = load_text(text, source=str(config_path))
    assert audit_log_path(loaded) == config_path.parent / "logs" / "audit.jsonl"
    collect = Collect()
    log = AuditLog.from_config(loaded, [RouterCallbacks(), Broken(), collect])
    assert [type(s).__name__ for s in log.sinks] == ["JsonlAuditFile", "CallbackAuditSink"]
    record = trail().finish(served_model="claude-eu")
    await log.emit(record)
    await log.aclose()
    assert collect.records == [record]
    lines = (config_path.parent / "logs" / "audit.jsonl").read_bytes().splitlines()
    assert lines == [record.to_json()]
    from_dict = load_dict(
        {"providers": {"p": {}}, "models": {"m": {"provider": "p", "model": "x/y"}}}
    )
    assert audit_log_path(from_dict) is None
    assert not AuditLog.from_config(from_dict, [RouterCallbacks()]).enabled


def test_a_file_that_cannot_be_written_drops_records_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = JsonlAuditFile(tmp_path / "missing-dir" / "audit.jsonl")
    record = trail().finish()
    assert not sink.write(record)
    assert not sink.write(record)
    (tmp_path / "missing-dir").mkdir()
    assert sink.write(record)
    sink.close()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "cannot write" in errors[0].message
    assert any("2 records were dropped" in r.message for r in caplog.records)
