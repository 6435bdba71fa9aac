"""Small parts of the telemetry: when instrumentation runs at all, and the observable counters
and gauge (`telemetry/exports.py`) read by the OTel SDK's in-memory metric reader."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NoOpTracerProvider

from llmrouter.request import CompletionRequest
from llmrouter.telemetry import Instrumentation, RouterCallbacks
from llmrouter.telemetry.exports import MeterExports, exports_for
from llmrouter.telemetry.instrument import NOOP_REQUEST
from llmrouter.telemetry.otel import OtelTelemetry

REQUEST = CompletionRequest.build("chat", [{"role": "user", "content": "hi"}], params={})


def instrumentation(tracer_provider: Any, meter_provider: Any, *callbacks: Any) -> Instrumentation:
    otel = OtelTelemetry(
        capture_content=False, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    return Instrumentation(otel, callbacks)


def test_nothing_runs_per_request_without_a_recording_provider() -> None:
    unconfigured = instrumentation(NoOpTracerProvider(), NoOpMeterProvider())
    assert unconfigured.request("chat", REQUEST) is NOOP_REQUEST
    with_callbacks = instrumentation(NoOpTracerProvider(), NoOpMeterProvider(), RouterCallbacks())
    assert with_callbacks.request("chat", REQUEST) is not NOOP_REQUEST


def test_either_signal_turns_instrumentation_on() -> None:
    traces_only = instrumentation(TracerProvider(), NoOpMeterProvider())
    assert traces_only.request("chat", REQUEST) is not NOOP_REQUEST
    metrics_only = instrumentation(NoOpTracerProvider(), MeterProvider())
    assert metrics_only.request("chat", REQUEST) is not NOOP_REQUEST


def points(reader: InMemoryMetricReader) -> dict[str, list[tuple[dict[str, Any], float]]]:
    data = reader.get_metrics_data()
    out: dict[str, list[tuple[dict[str, Any], float]]] = {}
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                out[metric.name] = [(dict(p.attributes), p.value) for p in metric.data.data_points]
    return out


def exports() -> tuple[MeterExports, InMemoryMetricReader]:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    return MeterExports(provider.get_meter("test")), reader


def test_totals_are_exported_per_attribute_set() -> None:
    shared, reader = exports()
    shared.cost.add(0.25, "chat", "glm")
    shared.cost.add(0.5, "chat", "glm")
    shared.cost.add(1.0, "chat", "claude")
    assert sorted(points(reader)["llmrouter.cost"], key=lambda p: p[1]) == [
        ({"llmrouter.route": "chat", "llmrouter.model": "glm"}, 0.75),
        ({"llmrouter.route": "chat", "llmrouter.model": "claude"}, 1.0),
    ]
    shared.cost.add(0.25, "chat", "glm")
    assert ({"llmrouter.route": "chat", "llmrouter.model": "glm"}, 1.0) in points(reader)[
        "llmrouter.cost"
    ]  # cumulative, as a counter


class Owner:
    """Stands for a Router: the gauge reports its breakers while it lives."""


def test_circuit_gauge_follows_its_owners() -> None:
    shared, reader = exports()
    first, second = Owner(), Owner()
    shared.observe_circuits(first, lambda: {"glm": "open", "claude": "closed"})
    shared.observe_circuits(second, lambda: {"glm": "half_open", "gpt": "half_open"})
    gauge = dict((p[0]["llmrouter.model"], p[1]) for p in points(reader)["llmrouter.circuit.state"])
    assert gauge == {"glm": 2, "claude": 0, "gpt": 1}
    del first
    gc.collect()
    gauge = dict((p[0]["llmrouter.model"], p[1]) for p in points(reader)["llmrouter.circuit.state"])
    assert gauge == {"glm": 1, "gpt": 1}


def test_one_set_of_exports_per_meter_provider() -> None:
    one, other = MeterProvider(), MeterProvider()
    meter = one.get_meter("test")
    assert exports_for(one, meter) is exports_for(one, meter)
    assert exports_for(other, other.get_meter("test")) is not exports_for(one, meter)


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Switch threads as often as the interpreter allows, so lost updates show."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_totals_from_many_threads_add_up() -> None:
    shared, reader = exports()

    def add_many() -> None:
        for _ in range(10_000):
            shared.fallbacks.add(1, "chat", "glm")

    threads = [threading.Thread(target=add_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert points(reader)["llmrouter.fallbacks"] == [
        ({"llmrouter.route": "chat", "llmrouter.model": "glm"}, 40_000)
    ]
