"""OpenTelemetry spans and histograms, named by the GenAI semantic conventions.

Only `opentelemetry-api` is used: with no SDK configured nothing runs per request (see `live`).
Attribute and metric names come from the `opentelemetry-semantic-conventions` package;
llmrouter's own live under `llmrouter.*`. Prompts and completions are recorded only with
`capture_content`; API keys and headers never are (nothing here reads them). Counters and the
circuit gauge are observable instruments over in-process totals (`exports`). An embedding
request's spans say `embeddings` (span `embeddings {model}`): input tokens, no output tokens,
no finish reasons, and never the inputs' text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import metrics, trace
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics
from opentelemetry.semconv.attributes import error_attributes, http_attributes, server_attributes
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.telemetry.exports import MeterExports, exports_for
from llmrouter.types import Answer, ChatCompletion, RouteInfo
from llmrouter.vendors import model_ref

__all__ = ["OtelTelemetry", "Routing", "provider_name"]

_CHAT = gen_ai.GenAiOperationNameValues.CHAT.value
_EMBEDDINGS = gen_ai.GenAiOperationNameValues.EMBEDDINGS.value
_INPUT = gen_ai.GenAiTokenTypeValues.INPUT.value
_OUTPUT = gen_ai.GenAiTokenTypeValues.OUTPUT.value
_MAX_CACHED = 1024  # response models kept per model entry; few in practice

# OpenAI request parameter -> GenAI request attribute.
_REQUEST_PARAMS = {
    "temperature": gen_ai.GEN_AI_REQUEST_TEMPERATURE,
    "top_p": gen_ai.GEN_AI_REQUEST_TOP_P,
    "max_tokens": gen_ai.GEN_AI_REQUEST_MAX_TOKENS,
    "max_completion_tokens": gen_ai.GEN_AI_REQUEST_MAX_TOKENS,
    "frequency_penalty": gen_ai.GEN_AI_REQUEST_FREQUENCY_PENALTY,
    "presence_penalty": gen_ai.GEN_AI_REQUEST_PRESENCE_PENALTY,
    "seed": gen_ai.GEN_AI_REQUEST_SEED,
    "n": gen_ai.GEN_AI_REQUEST_CHOICE_COUNT,
}

Routing = tuple[str, Sequence[str]]  # strategy, candidates in the order they are tried
Attributes = dict[str, Any]


def provider_name(model: str) -> str:
    """`gen_ai.provider.name` for a model string, from its vendor (`zai/glm-4.6` -> `zai`)."""
    vendor = model_ref(model).vendor
    return vendor.telemetry_name or vendor.name


def _server(api_base: str | None) -> dict[str, Any]:
    if not api_base:
        return {}
    parts = urlsplit(api_base)
    out: dict[str, Any] = {}
    if parts.hostname:
        out[server_attributes.SERVER_ADDRESS] = parts.hostname
    if parts.port:
        out[server_attributes.SERVER_PORT] = parts.port
    return out


def _unset_global(provider: object) -> bool:
    """True for the API's placeholder providers: nothing was configured (yet)."""
    return (
        isinstance(
            provider,
            (trace.ProxyTracerProvider, trace.NoOpTracerProvider, metrics.NoOpMeterProvider),
        )
        or type(provider).__name__ == "_ProxyMeterProvider"
    )


def _operation(request: CompletionRequest) -> str:
    """`gen_ai.operation.name` of a request."""
    return _EMBEDDINGS if request.operation == "embedding" else _CHAT


class _EntryAttributes:
    """What every attempt of one operation on one model entry shares: span name, attributes,
    metric sets."""

    def __init__(self, deployment: Deployment, operation: str = _CHAT) -> None:
        model = deployment.model_id
        self.operation = operation
        self.span_name = f"{operation} {model}"
        self.common: dict[str, Any] = {
            gen_ai.GEN_AI_OPERATION_NAME: operation,
            gen_ai.GEN_AI_PROVIDER_NAME: provider_name(deployment.model),
            gen_ai.GEN_AI_REQUEST_MODEL: model,
            **_server(deployment.provider.api_base),
        }
        self.span_base: dict[str, Any] = {
            **self.common,
            "llmrouter.model": deployment.name,
            "llmrouter.provider": deployment.provider_name,
        }
        self._answered: dict[str, tuple[Attributes, Attributes, Attributes]] = {}

    def answered(self, response_model: str) -> tuple[Attributes, Attributes, Attributes]:
        """Metric attributes for (input tokens, output tokens, duration) of an answer."""
        found = self._answered.get(response_model)
        if found is None:
            if len(self._answered) >= _MAX_CACHED:
                self._answered.clear()
            base = {**self.common, gen_ai.GEN_AI_RESPONSE_MODEL: response_model}
            found = self._answered[response_model] = (
                {**base, gen_ai.GEN_AI_TOKEN_TYPE: _INPUT},
                {**base, gen_ai.GEN_AI_TOKEN_TYPE: _OUTPUT},
                base,
            )
        return found


class OtelTelemetry:
    """Creates the request and attempt spans and records the metrics."""

    def __init__(
        self,
        *,
        capture_content: bool,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        from llmrouter import __version__

        self.capture_content = capture_content
        self._providers = (tracer_provider, meter_provider)
        self._live = False
        self._next_look = 0.0
        self._deployments: dict[tuple[str, str], _EntryAttributes] = {}
        self._request_names: dict[str, str] = {}  # per route (routes come from the config)
        self._tracer = trace.get_tracer("llmrouter", __version__, tracer_provider)
        meter = metrics.get_meter("llmrouter", __version__, meter_provider)
        self.token_usage = gen_ai_metrics.create_gen_ai_client_token_usage(meter)
        self.duration = gen_ai_metrics.create_gen_ai_client_operation_duration(meter)
        self.time_to_first_chunk = (
            gen_ai_metrics.create_gen_ai_client_operation_time_to_first_chunk(meter)
        )
        self.exports: MeterExports = exports_for(meter_provider, meter)

    def live(self) -> bool:
        """Whether a real tracer or meter provider is behind us. The global providers may be
        set after the Router is built, so this looks again at most once a second (looking
        costs microseconds: the API reads the environment); once live, always live."""
        if self._live:
            return True
        now = time.monotonic()
        if now >= self._next_look:
            self._next_look = now + 1.0
            tracer_provider, meter_provider = self._providers
            self._live = not _unset_global(
                tracer_provider or trace.get_tracer_provider()
            ) or not _unset_global(meter_provider or metrics.get_meter_provider())
        return self._live

    def observe_circuits(self, owner: object, states: Callable[[], Mapping[str, str]]) -> None:
        """Export circuit-breaker states as a gauge read at collection time."""
        self.exports.observe_circuits(owner, states)

    def _deployment(self, deployment: Deployment, operation: str) -> _EntryAttributes:
        key = (deployment.name, operation)
        found = self._deployments.get(key)
        if found is None:
            found = self._deployments[key] = _EntryAttributes(deployment, operation)
        return found

    # --- request span -------------------------------------------------------------------

    def start_request(self, route: str, request: CompletionRequest) -> Span:
        name = self._request_names.get(route)
        if name is None:
            name = self._request_names[route] = f"llmrouter.route {route}"
        return self._tracer.start_span(
            name,
            kind=SpanKind.INTERNAL,
            attributes={
                gen_ai.GEN_AI_OPERATION_NAME: _operation(request),
                "llmrouter.route": route,
                gen_ai.GEN_AI_REQUEST_STREAM: request.stream,
            },
        )

    @staticmethod
    def _routing(attributes: dict[str, Any], routing: Routing | None) -> dict[str, Any]:
        if routing is not None:
            attributes["llmrouter.strategy"] = routing[0]
            attributes["llmrouter.candidates"] = list(routing[1])
        return attributes

    def end_request_ok(self, span: Span, info: RouteInfo, routing: Routing | None) -> None:
        if span.is_recording():  # with no SDK recording, skip building what nobody records
            skipped: list[str] = []
            tried = 0
            for attempt in info.attempts:
                if attempt.outcome == "skipped":
                    skipped.append(f"{attempt.model}:{attempt.error}")
                else:
                    tried += 1
            attributes = {
                "llmrouter.model": info.model,
                "llmrouter.provider": info.provider,
                "llmrouter.cache_hit": info.cache_hit,
                "llmrouter.cost_usd": info.cost_usd,
                "llmrouter.attempts": tried,
                "llmrouter.skipped": skipped,
            }
            span.set_attributes(self._routing(attributes, routing))
        if info.cache_hit:
            self.exports.cache_hits.add(1, info.route, info.model)
        elif info.cost_usd:
            self.exports.cost.add(info.cost_usd, info.route, info.model)
        span.end()

    def end_request_error(self, span: Span, error: BaseException, routing: Routing | None) -> None:
        if span.is_recording():
            attempts = getattr(error, "attempts", None) or []
            attributes = {
                error_attributes.ERROR_TYPE: type(error).__name__,
                "llmrouter.attempts": sum(a.outcome != "skipped" for a in attempts),
            }
            span.set_attributes(self._routing(attributes, routing))
            span.set_status(Status(StatusCode.ERROR, str(error)))
        span.end()

    # --- attempt spans --------------------------------------------------------------------

    def start_attempt(
        self, parent: Span, deployment: Deployment, request: CompletionRequest, number: int
    ) -> tuple[Span, _EntryAttributes]:
        """The attempt span, and what its metrics share."""
        shared = self._deployment(deployment, _operation(request))
        attributes: dict[str, Any] = {}
        if parent.is_recording() and shared.operation == _EMBEDDINGS:
            attributes.update(shared.span_base)
            attributes["llmrouter.attempt"] = number
            attributes.update(_embedding_request(request))
        elif parent.is_recording():  # an unsampled request has unsampled attempts
            attributes.update(shared.span_base)
            attributes[gen_ai.GEN_AI_REQUEST_STREAM] = request.stream
            attributes["llmrouter.attempt"] = number
            params = request.params
            if params:
                for param, key in _REQUEST_PARAMS.items():
                    value = params.get(param)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        attributes[key] = value
                stop = params.get("stop")
                if stop:
                    attributes[gen_ai.GEN_AI_REQUEST_STOP_SEQUENCES] = (
                        [stop] if isinstance(stop, str) else list(stop)
                    )
            if self.capture_content:
                attributes[gen_ai.GEN_AI_INPUT_MESSAGES] = json.dumps(request.messages, default=str)
        span = self._tracer.start_span(
            shared.span_name,
            context=trace.set_span_in_context(parent),
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        return span, shared

    def first_chunk(self, span: Span, shared: _EntryAttributes, seconds: float) -> None:
        span.set_attribute(gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, seconds)
        self.time_to_first_chunk.record(seconds, shared.common)

    def end_attempt_ok(
        self, span: Span, shared: _EntryAttributes, resp: Answer, started: float
    ) -> None:
        if not isinstance(resp, ChatCompletion):
            self._end_embeddings_ok(span, shared, resp.model, resp.usage.prompt_tokens, started)
            return
        elapsed = time.monotonic() - started
        usage = resp.usage
        if span.is_recording():
            attributes: dict[str, Any] = {
                gen_ai.GEN_AI_RESPONSE_MODEL: resp.model,
                gen_ai.GEN_AI_RESPONSE_ID: resp.id,
                gen_ai.GEN_AI_RESPONSE_FINISH_REASONS: [
                    c.finish_reason for c in resp.choices if c.finish_reason
                ],
                gen_ai.GEN_AI_USAGE_INPUT_TOKENS: usage.prompt_tokens,
                gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS: usage.completion_tokens,
            }
            if self.capture_content:
                output = [c.message.model_dump(exclude_none=True) for c in resp.choices]
                attributes[gen_ai.GEN_AI_OUTPUT_MESSAGES] = json.dumps(output, default=str)
            span.set_attributes(attributes)
        span.end()
        input_set, output_set, duration_set = shared.answered(resp.model)
        self.token_usage.record(usage.prompt_tokens, input_set)
        self.token_usage.record(usage.completion_tokens, output_set)
        self.duration.record(elapsed, duration_set)

    def _end_embeddings_ok(
        self, span: Span, shared: _EntryAttributes, model: str, tokens: int, started: float
    ) -> None:
        elapsed = time.monotonic() - started
        if span.is_recording():
            span.set_attributes(
                {gen_ai.GEN_AI_RESPONSE_MODEL: model, gen_ai.GEN_AI_USAGE_INPUT_TOKENS: tokens}
            )
        span.end()
        input_set, _, duration_set = shared.answered(model)
        self.token_usage.record(tokens, input_set)
        self.duration.record(elapsed, duration_set)

    def end_attempt_error(
        self, span: Span, shared: _EntryAttributes, error: BaseException, started: float
    ) -> None:
        elapsed = time.monotonic() - started
        error_type = type(error).__name__
        if span.is_recording():
            attributes: dict[str, Any] = {error_attributes.ERROR_TYPE: error_type}
            kind = getattr(error, "kind", None)
            if kind:
                attributes["llmrouter.error.kind"] = kind
            status = getattr(error, "status_code", None)
            if isinstance(status, int):
                attributes[http_attributes.HTTP_RESPONSE_STATUS_CODE] = status
            span.set_attributes(attributes)
            span.set_status(Status(StatusCode.ERROR, str(error)))
        span.end()
        self.duration.record(elapsed, {**shared.common, error_attributes.ERROR_TYPE: error_type})


def _embedding_request(request: CompletionRequest) -> dict[str, Any]:
    """The request attributes of an embeddings attempt (never the inputs' text)."""
    out: dict[str, Any] = {}
    dimensions = request.params.get("dimensions")
    if isinstance(dimensions, int):
        out[gen_ai.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions
    encoding = request.params.get("encoding_format")
    out[gen_ai.GEN_AI_REQUEST_ENCODING_FORMATS] = [encoding if encoding else "float"]
    return out
