"""Routing decision time per request: the request estimate, eligibility (context window and
capabilities), the strategy's order and the health demotion. No I/O, no upstream call.

    python benchmarks/routing_decision.py [--quick]

Each strategy is timed over routes of 2 and 50 candidate models with distinct prices, observed
latencies and completion sizes. A last row adds 50 model budgets counted in the in-process
store (one awaited `Store.incr` read per budgeted candidate).
Target (issue: cost-aware routing): <= 30 us per decision for 50 models.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from llmrouter import Router
from llmrouter.pipeline.chain import compose
from llmrouter.pipeline.eligibility import Eligibility
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.planning import Planning
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.providers import FunctionProvider
from llmrouter.request import CompletionRequest
from llmrouter.types import RouteInfo

STRATEGIES = ("ordered", "cost", "latency", "weighted")
SIZES = (2, 50)
MESSAGES = [
    {"role": "system", "content": "You are a careful assistant for contract review. " * 3},
    {"role": "user", "content": "Summarise the termination clause in three bullet points. " * 4},
]


def config(n: int, strategy: str, budgets: bool = False) -> dict[str, Any]:
    models = {
        f"m{i:02d}": {
            "provider": "p",
            "model": f"openai/bench-{i}",
            "input_cost_per_mtok": round(0.1 + (i * 0.37) % 5, 3),
            "output_cost_per_mtok": round(0.4 + (i * 1.31) % 20, 3),
            "context_window": 32_000 if i % 7 else 8_000,
        }
        for i in range(n)
    }
    route: dict[str, Any] = {"models": list(models), "strategy": strategy}
    if strategy == "weighted":
        route["weights"] = {m: 1 + i % 4 for i, m in enumerate(models)}
    out: dict[str, Any] = {"providers": {"p": {}}, "models": models, "routes": {"r": route}}
    if budgets:
        out["budgets"] = [{"scope": f"model:{m}", "limit_usd": 1000} for m in models]
    return out


ENDED = Ending(RouteInfo(route="r", model="m00", provider="p", strategy="-"), None)
Decide = Callable[[CompletionRequest], Awaitable[list[str]]]


def build(n: int, strategy: str, budgets: bool = False) -> Decide:
    """The request path's own deciding stages (eligibility, then planning) of a Router built
    from the config, over a terminal that only reads the order they produced."""
    router = Router.from_dict(config(n, strategy, budgets), provider=FunctionProvider())
    parts = router._assembly.parts
    stages = [
        Eligibility(parts.capabilities, parts.budgets, parts.default_output_tokens, parts.gate),
        Planning(parts.stats, parts.health, parts.default_output_tokens),
    ]
    rng = random.Random(1)
    for i, name in enumerate(router._assembly.deployments):  # observed history on every path
        parts.stats.record_latency(name, 0.2 + rng.random())
        if i % 2:
            parts.stats.record_completion(name, 100 + i)
    order: list[str] = []

    async def terminal(ex: Exchange) -> Reply:
        order[:] = [d.name for d in ex.candidates]
        return Reply(None)

    handler = compose(stages, terminal)
    route = router._assembly.routes.resolve("r")

    async def decide(request: CompletionRequest) -> list[str]:
        reply = await handler(Exchange(request, route, time.monotonic() + 60, 60))
        await reply.end(ENDED)  # budgets: the hold is released, as the executor's end does
        return order

    return decide


async def measure_async(
    call: Callable[[], Awaitable[object]], rounds: int, per_round: int
) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(per_round):
            await call()
        samples.append((time.perf_counter_ns() - start) / per_round / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds, per_round = (20, 200) if args.quick else (100, 1000)
    request = CompletionRequest.build("r", MESSAGES, params={})
    rows = []
    for strategy in STRATEGIES:
        cells = []
        for n in SIZES:
            decide = build(n, strategy)
            cells.append(await measure_async(lambda d=decide: d(request), rounds, per_round))
        rows.append((strategy, cells))
    budgeted = build(50, "cost", budgets=True)
    with_budgets = await measure_async(lambda: budgeted(request), rounds, per_round // 4)

    print(f"Routing decision per request (µs; p50 / p99 of {rounds} rounds x {per_round} calls)")
    print(f"{'strategy':<28}{'2 models':>18}{'50 models':>18}")
    print("-" * 64)
    for strategy, cells in rows:
        text = "".join(f"{p50:>10.1f} / {p99:>5.1f}" for p50, p99 in cells)
        print(f"{strategy:<28}{text}")
    p50, p99 = with_budgets
    print(f"{'cost + 50 model budgets':<28}{'-':>18}{p50:>10.1f} / {p99:>5.1f}")
    worst = max(cell[0] for _, cells in rows for cell in cells[1:])
    verdict = "meets" if worst <= 30 else "MISSES"
    print(f"\nslowest 50-model decision: {worst:.1f} µs p50, which {verdict} the 30 µs target")


if __name__ == "__main__":
    asyncio.run(main())
