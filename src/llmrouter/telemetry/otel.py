"""OpenTelemetry spans and metrics, named by the GenAI semantic conventions.

Only `opentelemetry-api` is used: with no SDK configured every call is a no-op. Attribute and
metric names come from the `opentelemetry-semantic-conventions` package; llmrouter's own live
under `llmrouter.*`. Prompts and completions are recorded only with `capture_content`; API keys
and headers never are (nothing here reads them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics
from opentelemetry.semconv.attributes import error_attributes, http_attributes, server_attributes
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.types import ChatCompletion, RouteInfo

__all__ = ["OtelTelemetry", "provider_name"]

_CHAT = gen_ai.GenAiOperationNameValues.CHAT.value

# litellm provider prefix -> gen_ai.provider.name well-known value; others keep the prefix.
_PROVIDER_NAMES = {
    "openai": "openai",
    "anthropic": "anthropic",
    "azure": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock",
    "vertex_ai": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "cohere": "cohere",
    "mistral": "mistral_ai",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "x_ai",
    "perplexity": "perplexity",
    "watsonx": "ibm.watsonx.ai",
}

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


def provider_name(model: str) -> str:
    """`gen_ai.provider.name` for a litellm model string (`zai/glm-4.6` -> `zai`)."""
    prefix = model.split("/", 1)[0] if "/" in model else "openai"
    return _PROVIDER_NAMES.get(prefix, prefix)


def _model_id(model: str) -> str:
    return model.split("/", 1)[1] if "/" in model else model


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
        self._common: dict[str, dict[str, Any]] = {}  # per model entry
        self._tracer = trace.get_tracer("llmrouter", __version__, tracer_provider)
        meter = metrics.get_meter("llmrouter", __version__, meter_provider)
        self._meter = meter
        self.token_usage = gen_ai_metrics.create_gen_ai_client_token_usage(meter)
        self.duration = gen_ai_metrics.create_gen_ai_client_operation_duration(meter)
        self.time_to_first_chunk = (
            gen_ai_metrics.create_gen_ai_client_operation_time_to_first_chunk(meter)
        )
        self.cost = meter.create_counter(
            "llmrouter.cost", unit="USD", description="Cost of answered requests, in US dollars."
        )
        self.fallbacks = meter.create_counter(
            "llmrouter.fallbacks", unit="{fallback}", description="Moves to the next model."
        )
        self.cache_hits = meter.create_counter(
            "llmrouter.cache.hits", unit="{hit}", description="Requests answered by the cache."
        )
        self.health_changes = meter.create_counter(
            "llmrouter.model.unhealthy",
            unit="{event}",
            description="Models marked unhealthy (credentials rejected); demoted for a cooldown.",
        )

    def observe_circuits(self, states: Callable[[], Mapping[str, str]]) -> None:
        """Export each model's circuit-breaker state as a gauge, read at collection time (no
        cost per request): 0 closed, 1 half-open, 2 open."""
        levels = {"closed": 0, "half_open": 1, "open": 2}

        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            return [
                Observation(levels.get(state, 0), {"llmrouter.model": model})
                for model, state in states().items()
            ]

        self._meter.create_observable_gauge(
            "llmrouter.circuit.state",
            callbacks=[observe],
            unit="{state}",
            description="Circuit-breaker state per model: 0 closed, 1 half-open, 2 open.",
        )

    # --- request span -------------------------------------------------------------------

    def start_request(self, route: str, request: CompletionRequest) -> Span:
        return self._tracer.start_span(
            f"llmrouter.route {route}",
            kind=SpanKind.INTERNAL,
            attributes={
                gen_ai.GEN_AI_OPERATION_NAME: _CHAT,
                "llmrouter.route": route,
                gen_ai.GEN_AI_REQUEST_STREAM: request.stream,
            },
        )

    @staticmethod
    def routing(span: Span, strategy: str, candidates: Sequence[str]) -> None:
        span.set_attribute("llmrouter.strategy", strategy)
        span.set_attribute("llmrouter.candidates", list(candidates))

    def end_request_ok(self, span: Span, info: RouteInfo) -> None:
        if span.is_recording():  # with no SDK, skip building what nobody records
            skipped = [f"{a.model}:{a.error}" for a in info.attempts if a.outcome == "skipped"]
            tried = sum(1 for a in info.attempts if a.outcome != "skipped")
            span.set_attributes(
                {
                    "llmrouter.model": info.model,
                    "llmrouter.provider": info.provider,
                    "llmrouter.cache_hit": info.cache_hit,
                    "llmrouter.cost_usd": info.cost_usd,
                    "llmrouter.attempts": tried,
                    "llmrouter.skipped": skipped,
                }
            )
        attributes = {"llmrouter.route": info.route, "llmrouter.model": info.model}
        if info.cache_hit:
            self.cache_hits.add(1, attributes)
        elif info.cost_usd:
            self.cost.add(info.cost_usd, attributes)
        span.end()

    @staticmethod
    def end_request_error(span: Span, error: BaseException) -> None:
        span.set_attribute(error_attributes.ERROR_TYPE, type(error).__name__)
        attempts = getattr(error, "attempts", None) or []
        span.set_attribute("llmrouter.attempts", sum(a.outcome != "skipped" for a in attempts))
        span.set_status(Status(StatusCode.ERROR, str(error)))
        span.end()

    # --- attempt spans --------------------------------------------------------------------

    def start_attempt(
        self, parent: Span, deployment: Deployment, request: CompletionRequest, number: int
    ) -> tuple[Span, dict[str, Any]]:
        """The attempt span and the attributes its metrics share."""
        common = self._common.get(deployment.name)
        if common is None:
            common = self._common[deployment.name] = {
                gen_ai.GEN_AI_OPERATION_NAME: _CHAT,
                gen_ai.GEN_AI_PROVIDER_NAME: provider_name(deployment.model),
                gen_ai.GEN_AI_REQUEST_MODEL: _model_id(deployment.model),
                **_server(deployment.provider.api_base),
            }
        attributes: dict[str, Any] = {}
        if parent.is_recording():  # with no SDK, skip building what nobody records
            attributes.update(common)
            attributes[gen_ai.GEN_AI_REQUEST_STREAM] = request.stream
            attributes["llmrouter.model"] = deployment.name
            attributes["llmrouter.provider"] = deployment.provider_name
            attributes["llmrouter.attempt"] = number
            for param, key in _REQUEST_PARAMS.items():
                value = request.params.get(param)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    attributes[key] = value
            stop = request.params.get("stop")
            if stop:
                attributes[gen_ai.GEN_AI_REQUEST_STOP_SEQUENCES] = (
                    [stop] if isinstance(stop, str) else list(stop)
                )
            if self.capture_content:
                attributes[gen_ai.GEN_AI_INPUT_MESSAGES] = json.dumps(request.messages, default=str)
        span = self._tracer.start_span(
            f"{_CHAT} {_model_id(deployment.model)}",
            context=trace.set_span_in_context(parent),
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        return span, common

    def first_chunk(self, span: Span, common: Mapping[str, Any], seconds: float) -> None:
        span.set_attribute(gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, seconds)
        self.time_to_first_chunk.record(seconds, common)

    def end_attempt_ok(
        self, span: Span, common: Mapping[str, Any], resp: ChatCompletion, started: float
    ) -> None:
        finish_reasons = [c.finish_reason for c in resp.choices if c.finish_reason]
        span.set_attributes(
            {
                gen_ai.GEN_AI_RESPONSE_MODEL: resp.model,
                gen_ai.GEN_AI_RESPONSE_ID: resp.id,
                gen_ai.GEN_AI_RESPONSE_FINISH_REASONS: finish_reasons,
                gen_ai.GEN_AI_USAGE_INPUT_TOKENS: resp.usage.prompt_tokens,
                gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS: resp.usage.completion_tokens,
            }
        )
        if self.capture_content:
            output = [c.message.model_dump(exclude_none=True) for c in resp.choices]
            span.set_attribute(gen_ai.GEN_AI_OUTPUT_MESSAGES, json.dumps(output, default=str))
        metric_attributes = {**common, gen_ai.GEN_AI_RESPONSE_MODEL: resp.model}
        for token_type, count in (
            (gen_ai.GenAiTokenTypeValues.INPUT.value, resp.usage.prompt_tokens),
            (gen_ai.GenAiTokenTypeValues.OUTPUT.value, resp.usage.completion_tokens),
        ):
            self.token_usage.record(
                count, {**metric_attributes, gen_ai.GEN_AI_TOKEN_TYPE: token_type}
            )
        self.duration.record(time.monotonic() - started, metric_attributes)
        span.end()

    def end_attempt_error(
        self, span: Span, common: Mapping[str, Any], error: BaseException, started: float
    ) -> None:
        error_type = type(error).__name__
        span.set_attribute(error_attributes.ERROR_TYPE, error_type)
        kind = getattr(error, "kind", None)
        if kind:
            span.set_attribute("llmrouter.error.kind", kind)
        status = getattr(error, "status_code", None)
        if isinstance(status, int):
            span.set_attribute(http_attributes.HTTP_RESPONSE_STATUS_CODE, status)
        span.set_status(Status(StatusCode.ERROR, str(error)))
        self.duration.record(
            time.monotonic() - started, {**common, error_attributes.ERROR_TYPE: error_type}
        )
        span.end()
