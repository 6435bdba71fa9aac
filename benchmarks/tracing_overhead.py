"""Tracing overhead: router CPU per request with telemetry off and on, under five set-ups.

    python benchmarks/tracing_overhead.py [--quick]

Set-ups, all in one process, measured in interleaved rounds (the median round is reported):
  off         `telemetry.enabled: false` (twice, two routers: the difference is the noise)
  no SDK      telemetry on, OpenTelemetry not configured (the API's no-op providers)
  llmrouter   telemetry on, with a stand-in tracer whose spans say they record and keep
              nothing: what llmrouter's own instrumentation costs, without the SDK's work
  SDK 10%     the OpenTelemetry SDK, head sampling 10% of traces (ParentBased(TraceIdRatio)),
              every metric recorded, spans through a BatchSpanProcessor
  SDK 100%    the same, every trace sampled: the harshest set-up

Two request paths: a real call through the default (native) adapter to a local provider in its
own process (the CPU this process spends per routed request: the denominator of the target),
and llmrouter's in-process `FunctionProvider` (a canned answer, no I/O at all: shown for
completeness, the harshest denominator).
Target (issue: tracing): tracing on < 15% of router CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Sequence
from typing import Any

from cache_hits import local_provider

MODES = {
    "off": "off (telemetry.enabled: false)",
    "off-again": "off, a second router (the noise floor)",
    "no-sdk": "on, OTel not configured (no-op API)",
    "own": "on, llmrouter's own work (stand-in SDK)",
    "sdk-10": "on, OTel SDK, 10% of traces sampled",
    "sdk-all": "on, OTel SDK, every trace sampled",
}
MESSAGES = [{"role": "user", "content": "Summarise this contract in one line."}]


def _providers(mode: str) -> dict[str, Any]:
    """Tracer and meter providers for `mode` (the SDK is imported only here)."""
    if mode == "own":
        from opentelemetry.metrics import NoOpMeterProvider
        from stand_in import StandInTracerProvider

        return {"tracer_provider": StandInTracerProvider(), "meter_provider": NoOpMeterProvider()}
    if not mode.startswith("sdk"):
        return {}
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, TraceIdRatioBased

    class DropExporter(SpanExporter):
        """Receives finished spans (the SDK did all its work) and throws them away."""

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    sampler = ALWAYS_ON if mode == "sdk-all" else ParentBased(TraceIdRatioBased(0.1))
    tracer_provider = TracerProvider(sampler=sampler)
    tracer_provider.add_span_processor(BatchSpanProcessor(DropExporter()))
    return {
        "tracer_provider": tracer_provider,
        "meter_provider": MeterProvider(metric_readers=[InMemoryMetricReader()]),
    }


def _router(mode: str, api_base: str | None) -> tuple[Any, Any]:
    """The Router of `mode`, and its tracer provider (None: none passed)."""
    from llmrouter import Router
    from llmrouter.providers import FunctionProvider

    config: dict[str, Any] = {
        "providers": {"local": {}},
        "models": {
            "glm": {"provider": "local", "model": "zai/glm-4.6"},
            "claude": {"provider": "local", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {"chat": {"models": ["glm", "claude"]}},
        "telemetry": {"enabled": not mode.startswith("off")},
    }
    kwargs: dict[str, Any] = _providers(mode)
    if api_base is None:
        kwargs["provider"] = FunctionProvider()
    else:
        config["providers"] = {"local": {"api_base": api_base, "api_key": "${BENCH_KEY}"}}
        config["models"] = {"glm": {"provider": "local", "model": "openai/glm-4.6"}}
        config["routes"] = {"chat": {"models": ["glm"]}}
        kwargs["env"] = {"BENCH_KEY": "bench-key"}
    return Router.from_dict(config, **kwargs), kwargs.get("tracer_provider")


async def _cpu_per_request(router: Any, tracer_provider: Any, count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        await router.acompletion(model="chat", messages=MESSAGES)
    cpu = (time.process_time() - started) / count
    if hasattr(tracer_provider, "force_flush"):
        tracer_provider.force_flush()
    gc.collect()  # the next set-up pays for no garbage left by this one
    return cpu


async def _run(api_base: str | None, count: int, rounds: int) -> dict[str, float]:
    """Every set-up in one process, interleaved round by round (a machine hiccup hits all of
    them alike); the median round of each is reported."""
    routers = {mode: _router(mode, api_base) for mode in MODES}
    results: dict[str, list[float]] = {mode: [] for mode in MODES}
    try:
        for router, tracer_provider in routers.values():
            await _cpu_per_request(router, tracer_provider, 300)
        for _ in range(rounds):
            for mode, (router, tracer_provider) in routers.items():
                results[mode].append(await _cpu_per_request(router, tracer_provider, count))
    finally:
        for router, _tracer_provider in routers.values():
            await router.aclose()
    return {mode: statistics.median(values) for mode, values in results.items()}


def _sdk_floor(count: int) -> float:
    """CPU per request of the OpenTelemetry SDK alone, every trace sampled: the two spans and
    three histogram points llmrouter records for an answered request, with attributes of the
    same number and kind, created directly with no router around them."""
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind

    providers = _providers("sdk-all")
    tracer = providers["tracer_provider"].get_tracer("floor")
    meter = providers["meter_provider"].get_meter("floor")
    tokens = meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
    duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s")
    common = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "glm-4.6",
        "server.address": "127.0.0.1",
        "server.port": 8080,
    }
    answered = {**common, "gen_ai.response.model": "glm-4.6"}
    input_set = {**answered, "gen_ai.token.type": "input"}
    output_set = {**answered, "gen_ai.token.type": "output"}

    def one_request() -> None:
        request = tracer.start_span(
            "llmrouter.route chat",
            kind=SpanKind.INTERNAL,
            attributes={
                "gen_ai.operation.name": "chat",
                "llmrouter.route": "chat",
                "gen_ai.request.stream": False,
            },
        )
        attempt = tracer.start_span(
            "chat glm-4.6",
            context=trace.set_span_in_context(request),
            kind=SpanKind.CLIENT,
            attributes={
                **common,
                "llmrouter.model": "glm",
                "llmrouter.provider": "local",
                "gen_ai.request.stream": False,
                "llmrouter.attempt": 1,
            },
        )
        attempt.set_attributes(
            {
                "gen_ai.response.model": "glm-4.6",
                "gen_ai.response.id": "chatcmpl-1",
                "gen_ai.response.finish_reasons": ["stop"],
                "gen_ai.usage.input_tokens": 12,
                "gen_ai.usage.output_tokens": 9,
            }
        )
        attempt.end()
        tokens.record(12, input_set)
        tokens.record(9, output_set)
        duration.record(0.004, answered)
        request.set_attributes(
            {
                "llmrouter.model": "glm",
                "llmrouter.provider": "local",
                "llmrouter.cache_hit": False,
                "llmrouter.cost_usd": 0.00001,
                "llmrouter.attempts": 1,
                "llmrouter.skipped": [],
                "llmrouter.strategy": "ordered",
                "llmrouter.candidates": ["glm"],
            }
        )
        request.end()

    for _ in range(count // 10):
        one_request()
    started = time.process_time()
    for _ in range(count):
        one_request()
    cpu = (time.process_time() - started) / count
    providers["tracer_provider"].shutdown()
    return cpu


def _report(title: str, figures: dict[str, float]) -> dict[str, float]:
    base = figures["off"]
    print(f"\n{title}")
    print(f"{'telemetry':42}{'CPU us/request':>16}{'vs off':>10}")
    for mode, label in MODES.items():
        value = figures[mode]
        print(f"{label:42}{value * 1e6:>16.1f}{(value / base - 1) * 100:>9.1f}%")
    return {mode: figures[mode] / base - 1 for mode in MODES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 7 if args.quick else 21
    with local_provider() as api_base:
        whole = _report(
            "default (native) adapter over loopback HTTP: the whole request (the target's base)",
            asyncio.run(_run(api_base, 200 if args.quick else 500, rounds)),
        )
    router_only = _report(
        "router only (FunctionProvider, no I/O): the harshest base",
        asyncio.run(_run(None, 1_000 if args.quick else 3_000, rounds)),
    )
    floor = statistics.median(_sdk_floor(20_000) for _ in range(5))
    print(
        f"\nthe OpenTelemetry SDK alone, every trace sampled (the same 2 spans and 3 histogram"
        f" points, no router): {floor * 1e6:.1f} us per request\n"
    )
    for name, overheads in (("whole request", whole), ("router only", router_only)):
        for mode in ("own", "sdk-10", "sdk-all"):
            value = overheads[mode]
            verdict = "met" if value < 0.15 else "NOT met"
            print(f"{name:14} {MODES[mode]:42} {value * 100:6.1f}%  (< 15%: {verdict})")


if __name__ == "__main__":
    main()
