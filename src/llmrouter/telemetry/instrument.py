"""One facade over OpenTelemetry and user callbacks, used by the router and the executor.

`Instrumentation.request()` opens a `RequestScope` per `acompletion` call; the executor opens an
`AttemptScope` per upstream attempt. With telemetry off (or no OpenTelemetry provider configured)
and no callbacks both are shared no-op objects, so the request path pays nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.telemetry.events import (
    AttemptEvent,
    FailureEvent,
    FallbackEvent,
    RouterCallbacks,
    SuccessEvent,
)
from llmrouter.types import Answer, Attempt, RouteInfo

__all__ = ["NOOP_REQUEST", "AttemptScope", "Instrumentation", "RequestScope"]

logger = logging.getLogger("llmrouter")


async def _notify(
    callbacks: Sequence[RouterCallbacks], call: Callable[[RouterCallbacks], Awaitable[None]]
) -> None:
    for callback in callbacks:
        try:
            await call(callback)
        except Exception:  # a broken callback must never break a request
            logger.exception("llmrouter: callback %r raised; ignored", callback)


class AttemptScope:
    """One upstream attempt. The no-op base is what runs when nothing observes."""

    async def answered(self, attempt: Attempt) -> None:
        """The attempt succeeded (for a stream: its first content arrived)."""

    async def failed(self, error: BaseException, attempt: Attempt | None) -> None:
        """The attempt failed (`attempt` is None when it was cancelled)."""

    def completed(self, resp: Answer) -> None:
        """The answer is whole (for a stream: it was read to the end)."""

    def broke(self, error: BaseException | None) -> None:
        """A stream that had answered broke or was abandoned."""


class RequestScope:
    """One `acompletion` call. The no-op base is what runs when nothing observes."""

    def routing(self, strategy: str, candidates: Sequence[str]) -> None:
        """The candidates, in the order they will be tried."""

    def attempt(self, deployment: Deployment, number: int) -> AttemptScope:
        return _NOOP_ATTEMPT

    async def fallback(self, from_model: str, to_model: str, error_kind: str) -> None:
        """The request moves on to the next model."""

    async def succeeded(self, info: RouteInfo) -> None:
        """The request was answered."""

    async def failed(self, error: BaseException | None) -> None:
        """The request failed (`None`: a stream's reader stopped before its end)."""

    def model_unhealthy(self, model: str, reason: str) -> None:
        """A model was marked unhealthy."""

    def span_event(self, name: str, attributes: Mapping[str, Any]) -> None:
        """An event on the request span (the audit record)."""

    @property
    def records_events(self) -> bool:
        """Whether `span_event` records anything (a sampled request span)."""
        return False


_NOOP_ATTEMPT = AttemptScope()
NOOP_REQUEST = RequestScope()


class Instrumentation:
    """Builds scopes for `otel` (an `OtelTelemetry`, or None) and `callbacks`."""

    def __init__(self, otel: Any | None, callbacks: Sequence[RouterCallbacks] = ()) -> None:
        self._otel = otel
        self._callbacks = list(callbacks)

    def observe_circuits(self, owner: object, states: Callable[[], Mapping[str, str]]) -> None:
        """Export circuit-breaker states (a gauge read at collection time) while `owner`
        lives; `states` must not hold `owner`."""
        if self._otel is not None:
            self._otel.observe_circuits(owner, states)

    def request(self, route: str, request: CompletionRequest) -> RequestScope:
        otel = self._otel if self._otel is not None and self._otel.live() else None
        if otel is None and not self._callbacks:
            return NOOP_REQUEST  # OTel not configured: nothing runs per request
        return _LiveRequest(otel, self._callbacks, route, request)


class _LiveRequest(RequestScope):
    def __init__(
        self,
        otel: Any | None,
        callbacks: list[RouterCallbacks],
        route: str,
        request: CompletionRequest,
    ) -> None:
        self._otel = otel
        self._callbacks = callbacks
        self._route = route
        self._request = request
        self._span = otel.start_request(route, request) if otel is not None else None
        self._routing: tuple[str, Sequence[str]] | None = None
        self._ended = False

    def routing(self, strategy: str, candidates: Sequence[str]) -> None:
        self._routing = (strategy, candidates)  # set on the span once, when it ends

    def attempt(self, deployment: Deployment, number: int) -> AttemptScope:
        return _LiveAttempt(self, deployment, number)

    def model_unhealthy(self, model: str, reason: str) -> None:
        if self._otel is not None:
            self._otel.exports.unhealthy.add(1, model, reason)

    def span_event(self, name: str, attributes: Mapping[str, Any]) -> None:
        span = self._span
        if span is not None and span.is_recording():
            span.add_event(name, dict(attributes))

    @property
    def records_events(self) -> bool:
        span = self._span
        return span is not None and span.is_recording()

    async def fallback(self, from_model: str, to_model: str, error_kind: str) -> None:
        if self._otel is not None:
            self._otel.exports.fallbacks.add(1, self._route, from_model)
        if self._callbacks:
            event = FallbackEvent(self._route, from_model, to_model, error_kind)
            await _notify(self._callbacks, lambda cb: cb.on_fallback(event))

    async def succeeded(self, info: RouteInfo) -> None:
        if self._ended:
            return
        self._ended = True
        if self._otel is not None:
            self._otel.end_request_ok(self._span, info, self._routing)
        if self._callbacks:
            await _notify(self._callbacks, lambda cb: cb.on_success(SuccessEvent(info)))

    async def failed(self, error: BaseException | None) -> None:
        if self._ended:
            return
        self._ended = True
        error = error if error is not None else _Abandoned()
        if self._otel is not None:
            self._otel.end_request_error(self._span, error, self._routing)
        if not self._callbacks:
            return
        event = FailureEvent(
            route=self._route,
            error_type=type(error).__name__,
            message=str(error),
            attempts=tuple(getattr(error, "attempts", ()) or ()),
        )
        await _notify(self._callbacks, lambda cb: cb.on_failure(event))


class _LiveAttempt(AttemptScope):
    def __init__(self, parent: _LiveRequest, deployment: Deployment, number: int) -> None:
        self._parent = parent
        self._number = number
        self._otel = parent._otel
        self._ended = False
        if self._otel is not None:
            self._span, self._shared = self._otel.start_attempt(
                parent._span, deployment, parent._request, number
            )
        self._started = time.monotonic()  # after the span starts: TTFT never exceeds it

    async def answered(self, attempt: Attempt) -> None:
        if self._otel is not None and self._parent._request.stream:
            self._otel.first_chunk(self._span, self._shared, time.monotonic() - self._started)
        if self._parent._callbacks:
            event = AttemptEvent(self._parent._route, self._number, attempt)
            await _notify(self._parent._callbacks, lambda cb: cb.on_attempt(event))

    async def failed(self, error: BaseException, attempt: Attempt | None) -> None:
        self.broke(error)
        if attempt is not None and self._parent._callbacks:
            event = AttemptEvent(self._parent._route, self._number, attempt)
            await _notify(self._parent._callbacks, lambda cb: cb.on_attempt(event))

    def completed(self, resp: Answer) -> None:
        if self._ended:
            return
        self._ended = True
        if self._otel is not None:
            self._otel.end_attempt_ok(self._span, self._shared, resp, self._started)

    def broke(self, error: BaseException | None) -> None:
        if self._ended:
            return
        self._ended = True
        if self._otel is not None:
            reason = error if error is not None else _Abandoned()
            self._otel.end_attempt_error(self._span, self._shared, reason, self._started)


class _Abandoned(Exception):
    """The caller stopped reading the stream before its end."""

    def __str__(self) -> str:
        return "the caller stopped reading the stream"
