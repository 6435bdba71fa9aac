"""Cache-hit latency: in-process and Redis hits beside an uncached call to a local provider.

    python benchmarks/cache_hits.py [--quick]

The local provider runs in its own process (`python -m llmrouter.testing serve`); Redis is a
real `redis-server` on a free loopback port (skipped, and said so, when it is not installed).
Target (issue: caching): in-memory hit p50 <= 20 us of router time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")

from localserve import serve

from llmrouter import Router

MESSAGES = [{"role": "user", "content": "What is the capital of France? Answer briefly."}]


@contextmanager
def local_provider() -> Iterator[str]:
    """A local OpenAI-wire provider in its own process; yields its api_base."""
    with serve(["gpt=openai"]) as bases:
        yield bases["gpt"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="llmrouter-bench-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def config(api_base: str, cache: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "providers": {"local": {"api_base": api_base, "api_key": "${BENCH_KEY}"}},
        "models": {"gpt": {"provider": "local", "model": "openai/gpt-4o-mini"}},
        "routes": {"chat": {"models": ["gpt"]}},
    }
    if cache is not None:
        data["cache"] = cache
    return data


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def measure(router: Router, count: int, *, fresh: bool) -> list[float]:
    samples = []
    for i in range(count):
        messages = [{"role": "user", "content": f"question {i}"}] if fresh else MESSAGES
        started = time.perf_counter()
        await router.acompletion(model="chat", messages=messages)
        samples.append(time.perf_counter() - started)
    return samples


async def run(quick: bool) -> list[tuple[str, list[float]]]:
    env = {"BENCH_KEY": "bench-key"}
    rows: list[tuple[str, list[float]]] = []
    with local_provider() as api_base, redis_server() as redis_url:
        async with Router.from_dict(config(api_base, None), env=env) as router:
            await measure(router, 20, fresh=True)  # warm up litellm and the connection pool
            rows.append(
                (
                    "uncached call (native adapter)",
                    await measure(router, 100 if quick else 300, fresh=True),
                )
            )
        memory = {"backend": "memory"}
        async with Router.from_dict(config(api_base, memory), env=env) as router:
            await measure(router, 1, fresh=False)
            rows.append(
                ("memory hit", await measure(router, 5_000 if quick else 20_000, fresh=False))
            )
        if redis_url is None:
            print("redis-server not installed: Redis row skipped", file=sys.stderr)
        else:
            cache = {"backend": "redis", "url": redis_url}
            async with Router.from_dict(config(api_base, cache), env=env) as router:
                await measure(router, 1, fresh=False)
                rows.append(
                    ("redis hit", await measure(router, 2_000 if quick else 5_000, fresh=False))
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(run(args.quick))
    baseline = percentile(rows[0][1], 0.5)
    print(f"{'':32}{'p50 us':>10}{'p99 us':>10}{'n':>8}{'vs uncached p50':>18}")
    for name, samples in rows:
        p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
        ratio = p50 / baseline
        print(f"{name:32}{p50 * 1e6:>10.1f}{p99 * 1e6:>10.1f}{len(samples):>8}{ratio:>17.3f}x")
    memory = dict(rows).get("memory hit")
    if memory is not None:
        p50 = percentile(memory, 0.5) * 1e6
        print(f"\nmemory hit p50 {p50:.1f} us: target <= 20 us {'met' if p50 <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
