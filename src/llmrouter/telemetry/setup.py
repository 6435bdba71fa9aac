"""Build the router's instrumentation from the `telemetry:` config section."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from typing import Any

from llmrouter.config.schema import TelemetryConfig
from llmrouter.telemetry.events import RouterCallbacks
from llmrouter.telemetry.instrument import Instrumentation

__all__ = ["CAPTURE_CONTENT_ENV", "build_instrumentation"]

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


def build_instrumentation(
    config: TelemetryConfig,
    *,
    callbacks: Sequence[RouterCallbacks],
    tracer_provider: Any | None,
    meter_provider: Any | None,
    env: Mapping[str, str],
) -> Instrumentation:
    """OpenTelemetry when enabled and `opentelemetry-api` is installed, plus the callbacks."""
    otel = None
    if config.enabled and importlib.util.find_spec("opentelemetry") is not None:
        from llmrouter.telemetry.otel import OtelTelemetry

        capture = config.capture_content or env.get(CAPTURE_CONTENT_ENV, "").lower() == "true"
        otel = OtelTelemetry(
            capture_content=capture,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
        )
    return Instrumentation(otel, callbacks)
