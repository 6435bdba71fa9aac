"""Cost of an idle shadow and canary on the request path: a route with a `shadow:` whose sample
skips the request, a `canary:` whose sticky assignment leaves the tenant on the primary (not in
the canary nor in its control group), and both, beside the same route without either.

    python benchmarks/qualify_idle.py [--quick]

Through `Router.acompletion` over an in-process provider with a canned answer (no I/O), in
interleaved rounds, in µs of this process's CPU per request (steadier than wall time on a
shared machine); the differences are what an idle experiment costs a request. For scale, the
sampled cases too: a mirrored request (what the caller's path pays to start its shadow; the
shadow itself runs after, in the background, and its CPU is in the figure) and a request of
the canary's control group (measured, and its result queued for the store).
Target (issue: shadow traffic and canaries): under 5 µs per request when not sampled.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from llmrouter import Router
from llmrouter.config.qualify import CanaryConfig
from llmrouter.providers import FunctionProvider, make_completion
from llmrouter.providers.base import ProviderCall
from llmrouter.qualify.setup import fingerprint
from llmrouter.types import ChatCompletion

MESSAGES = [{"role": "user", "content": "Summarise the termination clause. " * 8}]
NEVER = 1e-12
"""A sample rate that never picks a request in a benchmark's lifetime."""
CANARY = {"model": "m1", "percent": 5, "sticky_by": "tenant"}
ALL = {"max_concurrency": 10_000}
"""Every sampled request's shadow runs (none dropped), so its whole cost is counted."""


def config(store: Path, **route: Any) -> dict[str, Any]:
    providers = {f"p{i}": {"api_base": "http://127.0.0.1:9", "api_key": "${K}"} for i in range(2)}
    models = {f"m{i}": {"provider": f"p{i}", "model": f"openai/bench-{i}"} for i in range(2)}
    return {
        "providers": providers,
        "models": models,
        "routes": {"r": {"models": ["m0"], **route}},
        "experiments": {"store": f"sqlite:///{store}"},
    }


def tenant_in(low: int, high: int) -> str:
    """A tenant whose assignment bucket (see `llmrouter.qualify.canary`) is in [low, high)."""
    salt = zlib.crc32(f"r:{fingerprint(CanaryConfig.model_validate(CANARY))}".encode())
    for n in range(100_000):
        tenant = f"tenant-{n}"
        if low <= zlib.crc32(tenant.encode(), salt) % 10_000 < high:
            return tenant
    raise RuntimeError("no such tenant")


async def settled(router: Router) -> None:
    """Wait for the router's shadows in flight to end."""
    for _ in range(100_000):
        await asyncio.sleep(0.001 if _ else 0)
        states = router.experiments().values()
        if not any(s.shadow is not None and s.shadow.in_flight for s in states):
            return


async def through_router(rounds: int, per_round: int, tmp: Path) -> list[tuple[str, float, float]]:
    """Per set-up: the median CPU µs per request, and the median over rounds of its
    difference with the baseline measured in the same round (paired: steadier)."""
    canned = make_completion("Hello.", model="bench-0")

    async def complete(call: ProviderCall) -> ChatCompletion:
        return canned.model_copy()

    shadow_idle = {"models": ["m1"], "sample": NEVER}
    outside, control = tenant_in(1000, 10_000), tenant_in(500, 1000)
    setups: dict[str, tuple[dict[str, Any], str]] = {
        "no shadow, no canary": (config(tmp / "a.sqlite"), outside),
        "shadow, not sampled": (config(tmp / "b.sqlite", shadow=shadow_idle), outside),
        "canary, tenant not assigned": (config(tmp / "c.sqlite", canary=CANARY), outside),
        "both, neither applies": (
            config(tmp / "d.sqlite", shadow=shadow_idle, canary=CANARY),
            outside,
        ),
        "(sampled) shadow, every request": (
            config(tmp / "e.sqlite", shadow={"models": ["m1"], "sample": 1.0, **ALL}),
            outside,
        ),
        "(sampled) canary control group": (config(tmp / "f.sqlite", canary=CANARY), control),
    }
    provider = FunctionProvider(complete=complete)
    routers = {
        label: (Router.from_dict(cfg, env={"K": "sk-bench"}, provider=provider), {"tenant": t})
        for label, (cfg, t) in setups.items()
    }
    samples: dict[str, list[float]] = {label: [] for label in routers}
    for round_ in range(rounds + 2):  # two rounds to warm up, not counted
        for label, (router, metadata) in routers.items():
            start = time.process_time_ns()
            for _ in range(per_round):
                await router.acompletion("r", MESSAGES, max_tokens=64, metadata=metadata)
            await settled(router)  # the shadows run (in the background), and are counted
            if round_ >= 2:
                samples[label].append((time.process_time_ns() - start) / per_round / 1000)
    for router, _ in routers.values():
        await router.aclose()
    base = samples["no shadow, no canary"]
    return [
        (
            label,
            statistics.median(values),
            statistics.median(v - b for v, b in zip(values, base, strict=True)),
        )
        for label, values in samples.items()
    ]


def stage_costs(count: int) -> list[tuple[str, float]]:
    """The two stages alone, idle, around a handler that answers at once (driven
    synchronously: they never suspend), beside that handler alone: µs per call."""
    from llmrouter.pipeline.canary import CanaryStage
    from llmrouter.pipeline.exchange import Exchange
    from llmrouter.pipeline.reply import Reply
    from llmrouter.pipeline.shadow import ShadowStage
    from llmrouter.request import CompletionRequest

    with tempfile.TemporaryDirectory() as tmp:
        cfg = config(
            Path(tmp) / "s.sqlite", shadow={"models": ["m1"], "sample": NEVER}, canary=CANARY
        )
        router = Router.from_dict(cfg, env={"K": "sk-bench"}, provider=FunctionProvider())
    qualify = router._assembly.parts.qualify
    assert qualify is not None and qualify.shadows is not None and qualify.canaries is not None
    reply = Reply(None, completion=make_completion("Hello.", model="bench-0"))
    request = CompletionRequest.build(
        "r", MESSAGES, metadata={"tenant": tenant_in(1000, 10_000)}, params={}
    )
    route = router._assembly.routes.resolve("r")

    async def last(ex: Exchange) -> Reply:
        return reply

    async def unused(ex: Exchange) -> Reply:  # pragma: no cover - never sampled
        return reply

    stages = {
        "the next handler alone": None,
        "shadow stage, not sampled": ShadowStage(qualify.shadows, unused),
        "canary stage, not assigned": CanaryStage(qualify.canaries),
    }
    out = []
    for label, stage in stages.items():
        ex = Exchange(request, route, 1e9, 60.0)

        def once(stage: Any = stage, ex: Exchange = ex) -> None:
            coro = last(ex) if stage is None else stage(ex, last)
            try:
                coro.send(None)
            except StopIteration:
                return
            raise RuntimeError("the stage suspended")

        best = []
        for _ in range(7):
            start = time.process_time_ns()
            for _ in range(count):
                once()
            best.append((time.process_time_ns() - start) / count / 1000)
        out.append((label, statistics.median(best)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds, per_round = (10, 300) if args.quick else (60, 500)
    with tempfile.TemporaryDirectory() as tmp:
        rows = asyncio.run(through_router(rounds, per_round, Path(tmp)))
    print("Through Router.acompletion, 1-model route, canned in-process answer (µs of CPU per")
    print(f"request: median of {rounds} interleaved rounds x {per_round} requests, and the")
    print("median of each round's difference with the baseline of the same round)")
    worst_idle = 0.0
    for index, (label, value, delta) in enumerate(rows):
        extra = "" if index == 0 else f"   {delta:+.2f} µs"
        print(f"{label:<36}{value:>10.1f}{extra}")
        if index and not label.startswith("("):
            worst_idle = max(worst_idle, delta)
    print()
    print("The stages alone, idle (µs per call, median of 7 runs)")
    stages = stage_costs(20_000 if args.quick else 200_000)
    for index, (label, value) in enumerate(stages):
        extra = "" if index == 0 else f"   {value - stages[0][1]:+.2f} µs"
        print(f"{label:<36}{value:>10.2f}{extra}")
    verdict = "meets" if worst_idle < 5 else "MISSES"
    print(
        f"idle overhead through the Router at most {worst_idle:+.2f} µs per request: {verdict} "
        "the 5 µs target"
    )


if __name__ == "__main__":
    main()
