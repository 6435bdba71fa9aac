"""`/metrics`: Prometheus text, from the Router's typed callbacks, its `health()` and the
gateway's own request counts (prometheus_client, one registry per gateway).

Counters: `llmrouter_gateway_requests_total{format,status}`, `llmrouter_requests_total{route,
model,outcome}`, `llmrouter_attempts_total{model,outcome}`, `llmrouter_fallbacks_total{route,
from_model,to_model,error}`, `llmrouter_tokens_total{model,kind}` (prompt / completion, as
the backends reported them), `llmrouter_cost_usd_total{route,model}`,
`llmrouter_cache_hits_total{route}`. Gauges, read from `router.health()` at each scrape:
`llmrouter_circuit_state{model}` (0 closed, 1 half-open, 2 open), `llmrouter_model_healthy`,
`llmrouter_model_error_rate`, `llmrouter_model_in_flight`; plus
`llmrouter_gateway_in_flight`. Histogram: `llmrouter_gateway_request_duration_seconds{format}`.
Shadows and canaries, read from `router.experiments()` at each scrape:
`llmrouter_shadow_total{route,outcome}` (sampled, sent, dropped, refused_by_policy,
over_budget, skipped, errors, compared), `llmrouter_shadow_in_flight{route}`,
`llmrouter_shadow_agreement{route,model}`, `llmrouter_canary_active{route,model}` (1 active, 0
rolled back), `llmrouter_canary_samples{route,side}`, `llmrouter_canary_error_rate{route,side}`,
`llmrouter_canary_refusal_rate{route,side}`, `llmrouter_canary_latency_p95_seconds{route,side}`
(sides: canary, control; pooled over every router sharing the `state:`).
Each worker process keeps its own figures (see docs/gateway.md, "Scaling out").
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from llmrouter.qualify.status import CanaryStatus, RouteExperiments, ShadowStatus
from llmrouter.routing.health import ModelHealth
from llmrouter.telemetry.events import (
    AttemptEvent,
    FailureEvent,
    FallbackEvent,
    RouterCallbacks,
    SuccessEvent,
)
from llmrouter.types import Attempt, Usage

__all__ = ["CONTENT_TYPE", "GatewayMetrics", "collect_attempts"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_CIRCUIT = {"closed": 0.0, "half_open": 1.0, "open": 2.0}

_attempts: contextvars.ContextVar[list[Attempt] | None] = contextvars.ContextVar(
    "llmrouter_gateway_attempts", default=None
)


def collect_attempts() -> list[Attempt]:
    """Start collecting this request's attempts (read them before a stream's end, when its
    route record is not yet there)."""
    found: list[Attempt] = []
    _attempts.set(found)
    return found


class _Labelled:
    """A labelled metric whose children are looked up once per label set (prometheus_client's
    `labels()` takes a lock and builds a tuple each call)."""

    def __init__(self, metric: Any) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], Any] = {}

    def labels(self, *values: str) -> Any:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self._metric.labels(*values)
        return child


class _Callbacks(RouterCallbacks):
    def __init__(self, metrics: GatewayMetrics) -> None:
        self._m = metrics

    async def on_attempt(self, event: AttemptEvent) -> None:
        found = _attempts.get()
        if found is not None:
            found.append(event.attempt)
        outcome = event.attempt.outcome if event.attempt.outcome == "ok" else event.attempt.error
        self._m.attempts.labels(event.attempt.model, outcome or "error").inc()

    async def on_fallback(self, event: FallbackEvent) -> None:
        self._m.fallbacks.labels(
            event.route, event.from_model, event.to_model, event.error_kind
        ).inc()

    async def on_success(self, event: SuccessEvent) -> None:
        info = event.route
        self._m.requests.labels(info.route, info.model, "ok").inc()
        self._m.cost.labels(info.route, info.model).inc(info.cost_usd)
        if info.cache_hit:
            self._m.cache_hits.labels(info.route).inc()

    async def on_failure(self, event: FailureEvent) -> None:
        self._m.requests.labels(event.route, "", event.error_type).inc()


class _HealthCollector(Collector):
    def __init__(self, health: Callable[[], Mapping[str, ModelHealth]]) -> None:
        self._health = health

    def collect(self) -> Iterator[GaugeMetricFamily]:
        circuit = GaugeMetricFamily(
            "llmrouter_circuit_state", "0 closed, 1 half-open, 2 open", labels=["model"]
        )
        healthy = GaugeMetricFamily("llmrouter_model_healthy", "1 healthy", labels=["model"])
        errors = GaugeMetricFamily(
            "llmrouter_model_error_rate", "recent error rate", labels=["model"]
        )
        in_flight = GaugeMetricFamily(
            "llmrouter_model_in_flight", "requests in flight", labels=["model"]
        )
        for name, state in self._health().items():
            circuit.add_metric([name], _CIRCUIT.get(str(state.circuit), 0.0))
            healthy.add_metric([name], 1.0 if state.healthy else 0.0)
            errors.add_metric([name], float(state.error_rate or 0.0))
            in_flight.add_metric([name], float(state.in_flight or 0))
        yield from (circuit, healthy, errors, in_flight)


_SHADOW_OUTCOMES = (
    "sampled",
    "sent",
    "dropped",
    "refused_by_policy",
    "over_budget",
    "skipped",
    "errors",
    "compared",
)


class _ExperimentsCollector(Collector):
    def __init__(self, experiments: Callable[[], Mapping[str, RouteExperiments]]) -> None:
        self._experiments = experiments

    def collect(self) -> Iterator[Metric]:
        shadow = CounterMetricFamily(
            "llmrouter_shadow", "shadows, by what became of them", labels=["route", "outcome"]
        )
        in_flight = GaugeMetricFamily(
            "llmrouter_shadow_in_flight", "shadows in flight", labels=["route"]
        )
        agreement = GaugeMetricFamily(
            "llmrouter_shadow_agreement", "compared pairs agreed", labels=["route", "model"]
        )
        canary = _CanaryFamilies()
        for route, state in self._experiments().items():
            if state.shadow is not None:
                _shadow_metrics(route, state.shadow, shadow, in_flight, agreement)
            if state.canary is not None:
                canary.add(route, state.canary)
        yield from (shadow, in_flight, agreement, *canary.families())


def _shadow_metrics(
    route: str,
    status: ShadowStatus,
    shadow: CounterMetricFamily,
    in_flight: GaugeMetricFamily,
    agreement: GaugeMetricFamily,
) -> None:
    for outcome in _SHADOW_OUTCOMES:
        shadow.add_metric([route, outcome], float(getattr(status, outcome)))
    in_flight.add_metric([route], float(status.in_flight))
    for model, candidate in status.candidates.items():
        if candidate.agreement is not None:
            agreement.add_metric([route, model], candidate.agreement)


class _CanaryFamilies:
    def __init__(self) -> None:
        sides = ["route", "side"]
        self.active = GaugeMetricFamily(
            "llmrouter_canary_active", "1 active, 0 rolled back", labels=["route", "model"]
        )
        self.samples = GaugeMetricFamily("llmrouter_canary_samples", "samples", labels=sides)
        self.errors = GaugeMetricFamily("llmrouter_canary_error_rate", "errors", labels=sides)
        self.refusals = GaugeMetricFamily("llmrouter_canary_refusal_rate", "refusals", labels=sides)
        self.p95 = GaugeMetricFamily(
            "llmrouter_canary_latency_p95_seconds", "p95 latency", labels=sides
        )

    def add(self, route: str, status: CanaryStatus) -> None:
        self.active.add_metric([route, status.model], 1.0 if status.state == "active" else 0.0)
        for name, side in (("canary", status.canary), ("control", status.control)):
            self.samples.add_metric([route, name], float(side.samples))
            self.errors.add_metric([route, name], side.error_rate or 0.0)
            self.refusals.add_metric([route, name], side.refusal_rate or 0.0)
            if side.latency_p95_s is not None:
                self.p95.add_metric([route, name], side.latency_p95_s)

    def families(self) -> tuple[GaugeMetricFamily, ...]:
        return (self.active, self.samples, self.errors, self.refusals, self.p95)


class GatewayMetrics:
    """The gateway's registry; `callbacks` goes to `Router(callbacks=[...])`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http = _Labelled(
            Counter("llmrouter_gateway_requests", "HTTP requests", ["format", "status"], registry=r)
        )
        self.duration = _Labelled(
            Histogram(
                "llmrouter_gateway_request_duration_seconds",
                "time to the last byte",
                ["format"],
                registry=r,
            )
        )
        self.in_flight = Gauge("llmrouter_gateway_in_flight", "requests in flight", registry=r)
        self.requests = _Labelled(
            Counter(
                "llmrouter_requests", "router requests", ["route", "model", "outcome"], registry=r
            )
        )
        self.attempts = _Labelled(
            Counter("llmrouter_attempts", "upstream attempts", ["model", "outcome"], registry=r)
        )
        self.fallbacks = _Labelled(
            Counter(
                "llmrouter_fallbacks",
                "moves to the next model",
                ["route", "from_model", "to_model", "error"],
                registry=r,
            )
        )
        self.tokens = _Labelled(
            Counter("llmrouter_tokens", "tokens", ["model", "kind"], registry=r)
        )
        self.cost = _Labelled(
            Counter("llmrouter_cost_usd", "cost in USD", ["route", "model"], registry=r)
        )
        self.cache_hits = _Labelled(
            Counter("llmrouter_cache_hits", "cache hits", ["route"], registry=r)
        )
        self.callbacks: RouterCallbacks = _Callbacks(self)

    def watch_health(self, health: Callable[[], Mapping[str, Any]]) -> None:
        """Report `router.health()` at each scrape."""
        self.registry.register(_HealthCollector(health))

    def watch_experiments(self, experiments: Callable[[], Mapping[str, Any]]) -> None:
        """Report `router.experiments()` (shadows and canaries) at each scrape."""
        self.registry.register(_ExperimentsCollector(experiments))

    def count_tokens(self, model: str, usage: Usage | None) -> None:
        if usage is None:
            return
        self.tokens.labels(model, "prompt").inc(usage.prompt_tokens)
        self.tokens.labels(model, "completion").inc(usage.completion_tokens)

    def render(self) -> bytes:
        return generate_latest(self.registry)
