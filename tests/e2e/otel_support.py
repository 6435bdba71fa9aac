"""OpenTelemetry SDK in-memory exporter and metric reader, for the tracing tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind


@dataclass
class Otel:
    tracer_provider: TracerProvider
    spans: InMemorySpanExporter
    meter_provider: MeterProvider
    metrics: InMemoryMetricReader

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def requests(self) -> list[ReadableSpan]:
        return [s for s in self.finished() if s.name.startswith("llmrouter.route")]

    def attempts(self) -> list[ReadableSpan]:
        return [s for s in self.finished() if s.kind == SpanKind.CLIENT]

    def metric_points(self) -> dict[str, tuple[str, list[Any]]]:
        data = self.metrics.get_metrics_data()
        out: dict[str, tuple[str, list[Any]]] = {}
        assert data is not None
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    out[metric.name] = (metric.unit or "", list(metric.data.data_points))
        return out


def make_otel() -> Iterator[Otel]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Otel(tracer_provider, exporter, meter_provider, reader)
    tracer_provider.shutdown()
    meter_provider.shutdown()


def circuits(otel: Otel) -> dict[str, int]:
    """The `llmrouter.circuit.state` gauge, per model."""
    points = otel.metric_points()["llmrouter.circuit.state"][1]
    return {p.attributes["llmrouter.model"]: p.value for p in points}
