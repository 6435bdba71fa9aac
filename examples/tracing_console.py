"""Tracing: print llmrouter's OpenTelemetry spans to the console.

Needs the OpenTelemetry SDK (`pip install opentelemetry-sdk`); llmrouter itself only uses the
API. GLM is overloaded twice (its first try and its retry), so the trace shows one request span
with three attempt spans: two failed GLM attempts (status ERROR, error.type OverloadedError)
and the Claude attempt that answered.
For OTLP, swap ConsoleSpanExporter for OTLPSpanExporter (see docs/observability.md).
"""

import asyncio
from pathlib import Path

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

from llmrouter import Router
from llmrouter.demo import local_example
from llmrouter.testing import Fault

CONFIG = Path(__file__).with_name("llmrouter.yaml")


async def main() -> None:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    async with local_example() as local:
        local.glm.fail_next(Fault.overloaded(), times=2)
        router = Router.from_yaml(CONFIG, env=local.env, tracer_provider=tracer_provider)
        async with router:
            resp = await router.acompletion(
                model="chat", messages=[{"role": "user", "content": "Trace me."}]
            )
    assert resp.route is not None
    print(f"answered by {resp.route.model} after {len(resp.route.attempts)} attempts")
    tracer_provider.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
