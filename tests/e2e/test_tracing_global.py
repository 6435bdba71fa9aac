"""The global OpenTelemetry providers, set after the Router is built, are picked up.

Global providers can be set once per process, so the scenario runs in a child interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCENARIO = textwrap.dedent(
    """
    import asyncio, time

    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from llmrouter import Router
    from llmrouter.testing import LocalProviderServer

    async def main() -> None:
        async with LocalProviderServer() as server:
            glm = server.add_provider("glm", wire="openai", flavor="zhipu")
            config = {
                "providers": {"zhipu": {"api_base": glm.api_base, "api_key": "${KEY}"}},
                "models": {"glm": {"provider": "zhipu", "model": "zai/glm-4.6"}},
                "routes": {"chat": {"models": ["glm"]}},
            }
            async with Router.from_dict(config, env={"KEY": "k"}) as router:
                messages = [{"role": "user", "content": "hi"}]
                await router.acompletion(model="chat", messages=messages)  # nothing set yet
                spans = InMemorySpanExporter()
                tracer_provider = TracerProvider()
                tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
                trace.set_tracer_provider(tracer_provider)
                reader = InMemoryMetricReader()
                metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
                time.sleep(1.1)  # llmrouter looks again for global providers once a second
                await router.acompletion(model="chat", messages=messages)
        names = sorted(s.name for s in spans.get_finished_spans())
        assert names == ["chat glm-4.6", "llmrouter.route chat"], names
        data = reader.get_metrics_data()
        recorded = {
            m.name for r in data.resource_metrics for s in r.scope_metrics for m in s.metrics
        }
        assert {"gen_ai.client.token.usage", "llmrouter.cost"} <= recorded, recorded
        print("ok")

    asyncio.run(main())
    """
)


def test_global_providers_set_after_the_router_are_used() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
