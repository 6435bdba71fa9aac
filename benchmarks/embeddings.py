"""Router overhead per embedding call, beside a raw aiohttp POST to the same stand-in.

    python benchmarks/embeddings.py [--inputs 8] [--dimensions 1536] [--seq 400] [--rounds 3]

The stand-in (`python -m llmrouter.testing serve`) runs in its own process; every client here
sends the same request (`--inputs` texts of ~40 tokens, vectors of `--dimensions` floats) one
at a time and reads the whole answer. The floor is a raw POST whose body is parsed with
pydantic-core (the parser the native adapter uses; a JSON body of floats is mostly parsing),
with the stdlib `json.loads` beside it. Per client: p50 latency, client CPU per call
(`time.process_time()` delta / N) and that CPU minus the floor's (the client's own cost).
Medians over `--rounds`. Prints a table, then one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from localserve import serve

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS"] = "True"

KEY = "sk-bench-0123456789abcdef"
MODEL = "text-embedding-3-small"
Call = Callable[[], Awaitable[Any]]
Factory = Callable[[str, list[str], int], Awaitable[tuple[Call, Call]]]


def texts(n: int) -> list[str]:
    return [f"document {i}: the quarterly report of project bluebird, page {i}" for i in range(n)]


async def raw_post(
    api_base: str, inputs: list[str], dims: int, decode: Callable[[bytes], Any]
) -> tuple[Call, Call]:
    import aiohttp

    session = aiohttp.ClientSession()
    body = json.dumps({"model": MODEL, "input": inputs, "dimensions": dims}).encode()
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}

    async def call() -> Any:
        async with session.post(f"{api_base}/embeddings", data=body, headers=headers) as resp:
            return decode(await resp.read())

    return call, session.close


async def raw_fast(api_base: str, inputs: list[str], dims: int) -> tuple[Call, Call]:
    import pydantic_core

    return await raw_post(api_base, inputs, dims, pydantic_core.from_json)


async def raw_stdlib(api_base: str, inputs: list[str], dims: int) -> tuple[Call, Call]:
    return await raw_post(api_base, inputs, dims, json.loads)


def config(api_base: str, adapter: str, cache: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "providers": {"oa": {"api_base": api_base, "api_key": "${K}", "adapter": adapter}},
        "models": {"small": {"provider": "oa", "model": f"openai/{MODEL}"}},
        "routes": {"embed": {"models": ["small"], "retries": 0}},
    }
    if cache:
        out["cache"] = {"backend": "memory", "ttl_s": 3600}
    return out


async def router(
    api_base: str, inputs: list[str], dims: int, encoding: str = "float", **how: Any
) -> tuple[Call, Call]:
    from llmrouter import Router

    r = Router.from_dict(config(api_base, **how), env={"K": KEY})
    await r.__aenter__()

    async def call() -> Any:
        return await r.aembedding(
            model="embed", input=inputs, dimensions=dims, encoding_format=encoding
        )

    return call, r.aclose


async def router_native(api_base: str, inputs: list[str], dims: int) -> tuple[Call, Call]:
    return await router(api_base, inputs, dims, adapter="native")


async def router_base64(api_base: str, inputs: list[str], dims: int) -> tuple[Call, Call]:
    return await router(api_base, inputs, dims, "base64", adapter="native")


async def router_cache_hit(api_base: str, inputs: list[str], dims: int) -> tuple[Call, Call]:
    return await router(api_base, inputs, dims, adapter="native", cache=True)


async def router_litellm(api_base: str, inputs: list[str], dims: int) -> tuple[Call, Call]:
    return await router(api_base, inputs, dims, adapter="litellm")


async def litellm_direct(api_base: str, inputs: list[str], dims: int) -> tuple[Call, Call]:
    import litellm

    litellm.suppress_debug_info = True

    async def call() -> Any:
        return await litellm.aembedding(
            model=f"openai/{MODEL}",
            input=inputs,
            dimensions=dims,
            api_base=api_base,
            api_key=KEY,
            max_retries=0,
        )

    async def close() -> None:
        return None

    return call, close


CLIENTS: dict[str, tuple[Factory, float]] = {  # the share of --seq each one gets
    "raw aiohttp POST + pydantic_core (floor)": (raw_fast, 1.0),
    "raw aiohttp POST + json.loads": (raw_stdlib, 0.5),
    "llmrouter Router (native)": (router_native, 1.0),
    "llmrouter Router (native, base64)": (router_base64, 1.0),
    "llmrouter Router (cache hit)": (router_cache_hit, 1.0),
    "llmrouter Router (litellm path)": (router_litellm, 0.25),
    "litellm.aembedding": (litellm_direct, 0.25),
}


async def measure(factory: Factory, api_base: str, args: argparse.Namespace, n: int) -> Any:
    call, close = await factory(api_base, texts(args.inputs), args.dimensions)
    try:
        for _ in range(20):  # warm-up: imports, pools, validators
            await call()
        rounds = []
        for _ in range(args.rounds):
            latencies = []
            cpu0 = time.process_time()
            for _ in range(n):
                t0 = time.perf_counter()
                await call()
                latencies.append(time.perf_counter() - t0)
            cpu = (time.process_time() - cpu0) / n * 1e6
            rounds.append((statistics.median(latencies) * 1e3, cpu))
        return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
    finally:
        await close()


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    out = []
    for name, (factory, share) in CLIENTS.items():
        with serve(["gpt=openai"]) as bases:  # a fresh stand-in: it records every request
            p50, cpu = await measure(factory, bases["gpt"], args, max(20, int(args.seq * share)))
        out.append({"client": name, "p50_ms": p50, "cpu_us": cpu})
    floor = out[0]["cpu_us"]
    for row in out:
        row["cpu_over_floor_us"] = row["cpu_us"] - floor
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=8)
    parser.add_argument("--dimensions", type=int, default=1536)
    parser.add_argument("--seq", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    print(f"{args.inputs} inputs x {args.dimensions} floats per call, sequential, 2-core machine")
    print(f"{'client':42} {'p50 ms':>8} {'CPU us/call':>12} {'CPU over floor':>15}")
    for row in rows:
        print(
            f"{row['client']:42} {row['p50_ms']:8.2f} {row['cpu_us']:12.0f} "
            f"{row['cpu_over_floor_us']:+15.0f}"
        )
    print(json.dumps({"inputs": args.inputs, "dimensions": args.dimensions, "results": rows}))


if __name__ == "__main__":
    main()
