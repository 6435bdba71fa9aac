"""Throughput and tail latency under a flaky primary, beside litellm's Router.

    python benchmarks/resilience_load.py [--quick]

Local providers run in their own process; GLM-like answers 503 to 30% of requests (seeded),
Claude-like is healthy. Both routers send 1,000 requests at concurrency 200 to "GLM first,
Claude as the fallback, one retry". Caller-visible errors, requests per second and p50/p99
latency are printed side by side, and llmrouter's upstream attempts per request.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")

from localserve import serve

from llmrouter import Router

KEY = "bench-key"


def flaky_providers() -> AbstractContextManager[dict[str, str]]:
    """GLM-like (OpenAI wire) answering 503 to 30% of requests, and a healthy Claude-like."""
    return serve(["glm=openai", "claude=anthropic"], ["--fail-rate", "glm=0.3"])


async def load(
    call: Callable[[int], Awaitable[Any]], count: int, concurrency: int
) -> dict[str, Any]:
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors = 0
    results: list[Any] = []

    async def one(i: int) -> None:
        nonlocal errors
        async with semaphore:
            started = time.perf_counter()
            try:
                results.append(await call(i))
            except Exception:
                errors += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": count / wall,
        "p50_ms": latencies[len(latencies) // 2] * 1e3,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1e3,
        "errors": errors,
        "results": results,
    }


def messages(i: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"question {i}"}]


async def llmrouter_run(bases: dict[str, str], count: int, concurrency: int) -> dict[str, Any]:
    config = {
        "providers": {
            "zhipu": {"api_base": bases["glm"], "api_key": "${KEY}"},
            "anthropic": {"api_base": bases["claude"], "api_key": "${KEY}"},
        },
        "models": {
            "glm": {"provider": "zhipu", "model": "openai/glm-4.6"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {"chat": {"models": ["glm", "claude"], "retries": 1, "timeout_s": 30}},
    }
    async with Router.from_dict(config, env={"KEY": KEY}) as router:
        await load(lambda i: router.acompletion(model="chat", messages=messages(i)), 50, 10)
        out = await load(
            lambda i: router.acompletion(model="chat", messages=messages(i)), count, concurrency
        )
    attempts = sum(
        sum(1 for a in r.route.attempts if a.outcome != "skipped") for r in out.pop("results")
    )
    out["attempts_per_request"] = attempts / max(1, count - out["errors"])
    return out


async def litellm_run(bases: dict[str, str], count: int, concurrency: int) -> dict[str, Any]:
    import litellm

    litellm.suppress_debug_info = True
    logging.getLogger("LiteLLM").setLevel(logging.CRITICAL)
    logging.getLogger("LiteLLM Router").setLevel(logging.CRITICAL)
    router = litellm.Router(
        model_list=[
            {
                "model_name": "glm",
                "litellm_params": {
                    "model": "openai/glm-4.6", "api_base": bases["glm"], "api_key": KEY,
                },
            },
            {
                "model_name": "claude",
                "litellm_params": {
                    "model": "anthropic/claude-sonnet-4-5",
                    "api_base": bases["claude"],
                    "api_key": KEY,
                },
            },
        ],
        fallbacks=[{"glm": ["claude"]}],
        num_retries=1,
        retry_after=0,
    )  # fmt: skip

    async def call(i: int) -> Any:
        return await router.acompletion(model="glm", messages=messages(i))

    await load(call, 50, 10)
    out = await load(call, count, concurrency)
    out.pop("results")
    out["attempts_per_request"] = None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 300 if args.quick else 1000
    with flaky_providers() as bases:
        ours = asyncio.run(llmrouter_run(bases, count, 200))
        theirs = asyncio.run(litellm_run(bases, count, 200))
    print(f"{count} requests at concurrency 200, primary failing 30% (503)")
    print(f"{'':22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'attempts/req':>14}")
    for name, row in (("llmrouter", ours), ("litellm Router", theirs)):
        attempts = row["attempts_per_request"]
        shown = f"{attempts:.2f}" if attempts is not None else "-"
        print(
            f"{name:22}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['errors']:>8}{shown:>14}"
        )
    print(f"\nthroughput ratio llmrouter / litellm Router: {ours['rps'] / theirs['rps']:.2f}x")


if __name__ == "__main__":
    main()
