"""Router-only overhead and memory: `Router.acompletion` over an in-process provider that
returns a canned response (no I/O), so every microsecond measured is the router's own.

    python benchmarks/router_only.py [--first 10000] [--total 100000]

Prints one JSON object: microseconds per request (sequential, client CPU and wall), and the
process RSS (VmRSS from /proc/self/status) after `--first` and after `--total` requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from llmrouter import Router
from llmrouter.providers import FunctionProvider, make_completion
from llmrouter.providers.base import ProviderCall
from llmrouter.types import ChatCompletion

MESSAGES = [{"role": "user", "content": "hello there, how are you doing today"}]
CONFIG = {
    "providers": {"local": {"api_base": "http://127.0.0.1:9", "api_key": "${BENCH_KEY}"}},
    "models": {"bench": {"provider": "local", "model": "openai/gpt-4o-mini"}},
}


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def run(first: int, total: int) -> dict[str, Any]:
    canned = make_completion("Hello from the canned provider.", model="gpt-4o-mini")

    async def complete(call: ProviderCall) -> ChatCompletion:
        return canned

    provider = FunctionProvider(complete=complete)
    router = Router.from_dict(CONFIG, env={"BENCH_KEY": "sk-bench-0"}, provider=provider)

    async def many(n: int) -> None:
        for i in range(n):
            await router.acompletion("bench", MESSAGES, max_tokens=256)
            if i % 100 == 0:
                # A canned answer never suspends, so the event loop would never run and never
                # purge its cancelled deadline timers; any real provider call yields to it.
                await asyncio.sleep(0)
        provider.calls.clear()  # the test double records calls; a real adapter does not

    await many(1000)  # warm-up
    wall0, cpu0 = time.perf_counter(), time.process_time()
    await many(first)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    rss_first = rss_mb()
    done = first
    while done < total:  # in slices, so the recording list above stays small
        step = min(10_000, total - done)
        await many(step)
        done += step
    rss_total = rss_mb()
    await router.aclose()
    return {
        "router_only_us": wall / first * 1e6,
        "router_only_cpu_us": cpu / first * 1e6,
        "rss_first_mb": rss_first,
        "rss_total_mb": rss_total,
        "rss_growth_mb": rss_total - rss_first,
        "first": first,
        "total": total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=10_000)
    parser.add_argument("--total", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.first, args.total))))


if __name__ == "__main__":
    main()
