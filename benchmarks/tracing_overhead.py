"""Tracing overhead: router CPU per request with telemetry off, on with the no-op API, and on
with the OpenTelemetry SDK recording every span and metric.

    python benchmarks/tracing_overhead.py [--quick]

Two request paths: llmrouter's in-process `FunctionProvider` (a canned answer, no I/O: the
router's own cost, the harshest denominator), and a real call through the default (native)
adapter to a local provider in its own process (client CPU of the whole request).
Target (issue: tracing): tracing on < 15% of router CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from typing import Any

from cache_hits import local_provider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

from llmrouter import Router
from llmrouter.providers import FunctionProvider

CONFIG: dict[str, Any] = {
    "providers": {"local": {}},
    "models": {
        "glm": {"provider": "local", "model": "zai/glm-4.6"},
        "claude": {"provider": "local", "model": "anthropic/claude-sonnet-4-5"},
    },
    "routes": {"chat": {"models": ["glm", "claude"]}},
}
MESSAGES = [{"role": "user", "content": "Summarise this contract in one line."}]


class DropExporter(SpanExporter):
    """Receives finished spans (the SDK did all its work) and throws them away."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def router(mode: str, api_base: str | None = None) -> Router:
    config: dict[str, Any] = {**CONFIG, "telemetry": {"enabled": mode != "off"}}
    kwargs: dict[str, Any] = {}
    if api_base is None:
        kwargs["provider"] = FunctionProvider()
    else:
        config["providers"] = {"local": {"api_base": api_base, "api_key": "${BENCH_KEY}"}}
        config["models"] = {"glm": {"provider": "local", "model": "openai/glm-4.6"}}
        config["routes"] = {"chat": {"models": ["glm"]}}
        kwargs["env"] = {"BENCH_KEY": "bench-key"}
    if mode == "sdk":
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(BatchSpanProcessor(DropExporter()))
        kwargs["tracer_provider"] = tracer_provider
        kwargs["meter_provider"] = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return Router.from_dict(config, **kwargs)


async def cpu_per_request(r: Router, count: int) -> float:
    for _ in range(200):
        await r.acompletion(model="chat", messages=MESSAGES)
    started = time.process_time()
    for _ in range(count):
        await r.acompletion(model="chat", messages=MESSAGES)
    return (time.process_time() - started) / count


async def run(count: int, rounds: int, api_base: str | None) -> dict[str, float]:
    results: dict[str, list[float]] = {"off": [], "noop-api": [], "sdk": []}
    for _ in range(rounds):
        for mode in results:
            async with router(mode, api_base) as r:
                results[mode].append(await cpu_per_request(r, count))
    return {mode: statistics.median(values) for mode, values in results.items()}


def report(title: str, figures: dict[str, float]) -> float:
    base = figures["off"]
    print(f"\n{title}")
    print(f"{'telemetry':34}{'CPU us/request':>16}{'vs off':>10}")
    labels = {
        "off": "off (telemetry.enabled: false)",
        "noop-api": "on, no SDK (no-op API)",
        "sdk": "on, SDK recording all spans",
    }
    for mode, value in figures.items():
        print(f"{labels[mode]:34}{value * 1e6:>16.1f}{(value / base - 1) * 100:>9.1f}%")
    return figures["sdk"] / base - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 2_000 if args.quick else 10_000
    overhead = report("router only (FunctionProvider, no I/O)", asyncio.run(run(count, 3, None)))
    with local_provider() as api_base:
        http = asyncio.run(run(count // 10, 3, api_base))
    http_overhead = report("default (native) adapter over loopback HTTP (whole request)", http)
    for name, value in (("router only", overhead), ("whole request", http_overhead)):
        verdict = "met" if value < 0.15 else "NOT met"
        print(f"SDK tracing overhead, {name}: {value * 100:.1f}% (target < 15%: {verdict})")


if __name__ == "__main__":
    main()
