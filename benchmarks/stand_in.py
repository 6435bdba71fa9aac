"""A stand-in OpenTelemetry tracer whose spans say they record and keep nothing.

With it, llmrouter builds and sets every attribute it would for a real SDK, but no SDK work
follows: the difference to telemetry off is llmrouter's own instrumentation cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import INVALID_SPAN_CONTEXT, NonRecordingSpan, Span, SpanKind
from opentelemetry.util.types import Attributes


class _StandInSpan(NonRecordingSpan):
    def is_recording(self) -> bool:
        return True


class _StandInTracer(trace.Tracer):
    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> Span:
        return _StandInSpan(INVALID_SPAN_CONTEXT)

    @contextmanager
    def start_as_current_span(self, *args: Any, **kwargs: Any) -> Iterator[Span]:
        yield _StandInSpan(INVALID_SPAN_CONTEXT)


class StandInTracerProvider(trace.TracerProvider):
    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _StandInTracer()
