"""Observability: OpenTelemetry (GenAI semantic conventions) and async callbacks."""

from llmrouter.telemetry.events import (
    AttemptEvent,
    FailureEvent,
    FallbackEvent,
    RouterCallbacks,
    SuccessEvent,
)
from llmrouter.telemetry.instrument import AttemptScope, Instrumentation, RequestScope

__all__ = [
    "AttemptEvent",
    "AttemptScope",
    "FailureEvent",
    "FallbackEvent",
    "Instrumentation",
    "RequestScope",
    "RouterCallbacks",
    "SuccessEvent",
]
