"""One benchmark client kind in its own process: latency, client CPU and throughput against a
local provider already running in another process.

    python benchmarks/clients.py CLIENT [--seq N] [--conc N] [--rounds R] [--warmup N]
        [--only openai:json,anthropic:stream,...]

Each (wire, mode) pair gets a fresh local provider in its own process (`python -m
llmrouter.testing serve`): the server records every request, and a server grown by tens of
thousands of them answers more slowly. Prints one JSON object (a list of results) on its last
line; `benchmarks/run.py` drives it. CLIENT is one of CLIENTS below.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from localserve import serve

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS"] = "True"

KEY = "sk-bench-0123456789abcdef"
MESSAGES = [{"role": "user", "content": "hello there, how are you doing today"}]
MAX_TOKENS = 256
CONCURRENCY = 100
MODELS = {"openai": "openai/gpt-4o-mini", "anthropic": "anthropic/claude-sonnet-4-5"}

Call = Callable[[], Awaitable[Any]]


def local_provider() -> contextlib.AbstractContextManager[dict[str, str]]:
    """A fresh local provider process; yields the api_base of `gpt` (OpenAI) and `claude`."""
    return serve(["gpt=openai", "claude=anthropic"])


@dataclass(frozen=True)
class Target:
    wire: str  # "openai" | "anthropic"
    stream: bool
    api_base: str

    @property
    def model(self) -> str:
        return MODELS[self.wire]

    @property
    def bare_model(self) -> str:
        return self.model.split("/", 1)[1]


# -- raw floors ---------------------------------------------------------------------------------


def raw_request(t: Target) -> tuple[str, dict[str, str], bytes]:
    """URL, headers and body of a plain POST in the target's wire format."""
    body: dict[str, Any] = {"model": t.bare_model, "messages": MESSAGES, "max_tokens": MAX_TOKENS}
    if t.wire == "openai":
        url = t.api_base + "/chat/completions"
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        if t.stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
    else:
        url = t.api_base + "/v1/messages"
        headers = {
            "x-api-key": KEY,
            "anthropic-version": "2023-06-01",
            "Content-Type": "application/json",
        }
        if t.stream:
            body["stream"] = True
    return url, headers, json.dumps(body).encode()


async def make_aiohttp(t: Target) -> tuple[Call, Call]:
    import aiohttp

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000))
    url, headers, body = raw_request(t)

    async def call() -> Any:
        async with session.post(url, data=body, headers=headers) as resp:
            if not t.stream:
                data = await resp.read()
                assert resp.status == 200, data
                return json.loads(data)
            assert resp.status == 200
            return await _read_events(resp.content)

    return call, session.close


async def _read_events(content: Any) -> list[Any]:
    """The streaming floor: every SSE `data:` line read as it arrives and decoded, which any
    client that shows a stream must do (reading the whole body at once is not streaming)."""
    events = []
    async for line in content:
        if line.startswith(b"data: ") and not line.startswith(b"data: [DONE]"):
            events.append(json.loads(line[6:]))
    return events


async def make_httpx(t: Target) -> tuple[Call, Call]:
    import httpx

    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    client = httpx.AsyncClient(limits=limits, timeout=60)
    url, headers, body = raw_request(t)

    async def call() -> Any:
        if t.stream:
            async with client.stream("POST", url, content=body, headers=headers) as resp:
                data = await resp.aread()
                assert resp.status_code == 200, data
                return data
        resp = await client.post(url, content=body, headers=headers)
        assert resp.status_code == 200, resp.text
        return resp.json()

    return call, client.aclose


# -- litellm ------------------------------------------------------------------------------------


def quiet_litellm() -> Any:
    import litellm

    litellm.suppress_debug_info = True
    litellm.set_verbose = False
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm", "httpx"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return litellm


async def drain_litellm(result: Any, stream: bool) -> Any:
    if not stream:
        return result
    text = []
    async for chunk in result:
        if chunk.choices and chunk.choices[0].delta.content:
            text.append(chunk.choices[0].delta.content)
    return "".join(text)


async def make_litellm(t: Target) -> tuple[Call, Call]:
    litellm = quiet_litellm()
    kwargs = {
        "model": t.model,
        "api_base": t.api_base,
        "api_key": KEY,
        "messages": MESSAGES,
        "max_tokens": MAX_TOKENS,
        "max_retries": 0,
        "stream": t.stream,
    }

    async def call() -> Any:
        return await drain_litellm(await litellm.acompletion(**kwargs), t.stream)

    async def close() -> None:
        return None

    return call, close


async def make_litellm_router(t: Target) -> tuple[Call, Call]:
    litellm = quiet_litellm()
    params = {"model": t.model, "api_base": t.api_base, "api_key": KEY, "max_retries": 0}
    router = litellm.Router(
        model_list=[{"model_name": "bench", "litellm_params": params}], num_retries=0
    )

    async def call() -> Any:
        result = await router.acompletion(
            model="bench", messages=MESSAGES, max_tokens=MAX_TOKENS, stream=t.stream
        )
        return await drain_litellm(result, t.stream)

    async def close() -> None:
        return None

    return call, close


# -- llmrouter ----------------------------------------------------------------------------------


def router_config(t: Target) -> dict[str, Any]:
    return {
        "providers": {"bench": {"api_base": t.api_base, "api_key": "${BENCH_KEY}"}},
        "models": {"bench": {"provider": "bench", "model": t.model}},
    }


async def make_native_adapter(t: Target) -> tuple[Call, Call]:
    from pydantic import SecretStr

    from llmrouter.config.secrets import Redactor, ResolvedProvider
    from llmrouter.pricing import Price
    from llmrouter.providers.anthropic_wire import AnthropicWireProvider
    from llmrouter.providers.base import Deployment, ProviderCall
    from llmrouter.providers.openai_wire import OpenAIWireProvider

    redact = Redactor([KEY])
    adapter = OpenAIWireProvider(redact) if t.wire == "openai" else AnthropicWireProvider(redact)
    provider = ResolvedProvider("bench", t.api_base, SecretStr(KEY), "BENCH_KEY", None)
    deployment = Deployment("bench", t.model, provider, Price(None, None, None, "none"))
    pc = ProviderCall(deployment, MESSAGES, {"max_tokens": MAX_TOKENS}, timeout_s=60)

    async def call() -> Any:
        if not t.stream:
            return await adapter.complete(pc)
        return "".join(
            [c.choices[0].delta.content or "" async for c in adapter.stream(pc) if c.choices]
        )

    return call, adapter.aclose


async def _llmrouter(t: Target, provider: Any) -> tuple[Call, Call]:
    from llmrouter import Router

    router = Router.from_dict(router_config(t), env={"BENCH_KEY": KEY}, provider=provider)
    await router.__aenter__()

    async def call() -> Any:
        if not t.stream:
            return await router.acompletion("bench", MESSAGES, max_tokens=MAX_TOKENS)
        stream = await router.acompletion("bench", MESSAGES, max_tokens=MAX_TOKENS, stream=True)
        return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    return call, router.aclose


async def make_router_native(t: Target) -> tuple[Call, Call]:
    from llmrouter.config.secrets import Redactor
    from llmrouter.providers.dispatch import AdapterDispatch

    return await _llmrouter(t, AdapterDispatch(Redactor([KEY])))


async def make_router_litellm(t: Target) -> tuple[Call, Call]:
    from llmrouter.config.secrets import Redactor
    from llmrouter.providers import LiteLLMProvider

    quiet_litellm()
    return await _llmrouter(t, LiteLLMProvider(Redactor([KEY])))


async def make_router_default(t: Target) -> tuple[Call, Call]:
    """Whatever `Router.from_dict(config)` picks with no `provider=` (litellm until the native
    adapters are wired in; then native)."""
    quiet_litellm()
    return await _llmrouter(t, None)


CLIENTS: dict[str, Callable[[Target], Awaitable[tuple[Call, Call]]]] = {
    "aiohttp": make_aiohttp,
    "httpx": make_httpx,
    "litellm": make_litellm,
    "litellm_router": make_litellm_router,
    "native_adapter": make_native_adapter,
    "router_native": make_router_native,
    "router_litellm": make_router_litellm,
    "router_default": make_router_default,
}


# -- measuring ----------------------------------------------------------------------------------


async def sequential(call: Call, n: int) -> tuple[list[float], float]:
    """Per-request latencies (s) and client CPU per request (us)."""
    latencies: list[float] = []
    cpu0 = time.process_time()
    for _ in range(n):
        t0 = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - t0)
    return latencies, (time.process_time() - cpu0) / n * 1e6


async def concurrent(call: Call, n: int, concurrency: int = CONCURRENCY) -> float:
    """Requests per second for `n` requests issued by `concurrency` workers."""
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - t0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def answer_text(result: Any) -> str:
    """The text of any client's answer (for a sanity check that it really answered)."""
    if isinstance(result, bytes):
        return result.decode()
    if isinstance(result, str):
        return result
    if isinstance(result, (dict, list)):
        return json.dumps(result)
    choices = getattr(result, "choices", None)
    return (choices[0].message.content or "") if choices else repr(result)


async def measure(
    client: str, t: Target, seq: int, conc: int, rounds: int, warmup: int
) -> dict[str, Any]:
    call, close = await CLIENTS[client](t)
    try:
        text = answer_text(await call())
        if "Hello" not in text:
            raise AssertionError(f"unexpected answer: {text[:200]}")
        for _ in range(warmup):
            await call()
        p50s, p99s, cpus, rpss = [], [], [], []
        for _ in range(rounds):
            latencies, cpu = await sequential(call, seq)
            p50s.append(percentile(latencies, 0.5) * 1e3)
            p99s.append(percentile(latencies, 0.99) * 1e3)
            cpus.append(cpu)
            rpss.append(await concurrent(call, conc))
    finally:
        await close()
    return {
        "client": client,
        "wire": t.wire,
        "mode": "stream" if t.stream else "json",
        "p50_ms": statistics.median(p50s),
        "p99_ms": statistics.median(p99s),
        "cpu_us": statistics.median(cpus),
        "rps": statistics.median(rpss),
        "seq_n": seq,
        "conc_n": conc,
        "rounds": rounds,
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with contextlib.ExitStack() as stack:
        shared = stack.enter_context(local_provider()) if args.shared_server else None
        for spec in args.only.split(","):
            wire, mode = spec.split(":")
            try:
                with contextlib.ExitStack() as fresh:
                    bases = shared or fresh.enter_context(local_provider())
                    base = bases["gpt" if wire == "openai" else "claude"]
                    target = Target(wire, mode == "stream", base)
                    results.append(
                        await measure(
                            args.client, target, args.seq, args.conc, args.rounds, args.warmup
                        )
                    )
            except Exception as exc:  # report, keep measuring the rest
                results.append(
                    {"client": args.client, "wire": wire, "mode": mode, "error": repr(exc)[:300]}
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("client", choices=sorted(CLIENTS))
    parser.add_argument("--seq", type=int, default=300)
    parser.add_argument("--conc", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--shared-server", action="store_true", help="one local provider for every wire and mode"
    )
    parser.add_argument(
        "--only", default="openai:json,openai:stream,anthropic:json,anthropic:stream"
    )
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    sys.stdout.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
