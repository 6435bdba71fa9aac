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

from llmrouter.routing.dispatch import Dispatcher, RoutingSettings

from llmrouter.config.loader import load_dict
from llmrouter.config.secrets import ResolvedProvider
from llmrouter.pricing import price_for
from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.routing.estimate import estimate_request
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.table import RouteTable

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


def build(n: int, strategy: str, budgets: bool = False) -> tuple[Dispatcher, Any]:
    loaded = load_dict(config(n, strategy, budgets))
    provider = ResolvedProvider(
        name="p", api_base=None, api_key=None, api_key_env=None, region=None
    )
    deployments = {
        name: Deployment(name, entry.model, provider, price_for(entry, loaded.config.currencies))
        for name, entry in loaded.config.models.items()
    }
    rng = random.Random(1)
    table = RouteTable(loaded.config, deployments, rng=rng)
    health = HealthRegistry(time.monotonic)
    dispatcher = Dispatcher.from_config(
        loaded, {}, clock=time.monotonic, health=health, settings=RoutingSettings(rng=rng)
    )
    for i, name in enumerate(deployments):  # observed history, so every path has data
        dispatcher.stats.record_latency(name, 0.2 + rng.random())
        if i % 2:
            dispatcher.stats.record_completion(name, 100 + i)
    return dispatcher, table.resolve("r")


def measure(call: Callable[[], object], rounds: int, per_round: int) -> tuple[float, float]:
    """(p50, p99) over `rounds` of the mean microseconds per call in a round."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(per_round):
            call()
        samples.append((time.perf_counter_ns() - start) / per_round / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


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
            dispatcher, route = build(n, strategy)

            def decide(d: Dispatcher = dispatcher, r: Any = route) -> object:
                return d.decide(r, request, estimate_request(request))

            cells.append(measure(decide, rounds, per_round))
        rows.append((strategy, cells))
    budgeted, route = build(50, "cost", budgets=True)
    with_budgets = await measure_async(
        lambda: budgeted.plan(route, request), rounds, per_round // 4
    )

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
