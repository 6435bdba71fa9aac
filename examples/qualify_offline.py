"""Qualify GLM on live traffic, offline: a shadow (half of the requests to `chat`, which Claude
serves, mirrored to GLM in the background and compared), then a canary (a fifth of the
tenants served by GLM first) that rolls itself back, against local stand-ins.

    python examples/qualify_offline.py [DIR]
    llmrouter report --config DIR/llmrouter.yaml

DIR (default: a temporary directory) receives the config and its results store, so
`llmrouter report` can read them afterwards. The GLM stand-in answers two of twelve questions
wrongly and fails some requests; the Claude stand-in is slower. The stand-ins answer at once:
the latency each draws is added to the router's clock instead of waited for, and the requests
go one at a time, sampled by a seeded generator, so a run takes seconds and prints the same
figures every time (the report in docs/switching-vendors.md is this run's). Against the real
vendors, drop the stand-ins and the simulated clock, and point the config at them (see docs:
Switching vendors safely).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from llmrouter import Router, RoutingSettings
from llmrouter.qualify import ShadowStatus
from llmrouter.testing import Fault, LocalProvider, LocalProviderServer

CAPITALS = {
    "France": "Paris",
    "Japan": "Tokyo",
    "Kenya": "Nairobi",
    "Peru": "Lima",
    "Canada": "Ottawa",
    "Norway": "Oslo",
    "Egypt": "Cairo",
    "Chile": "Santiago",
    "Nepal": "Kathmandu",
    "Ghana": "Accra",
    "Austria": "Vienna",
    "Vietnam": "Hanoi",
}
WRONG = {"Canada": "Toronto", "Nepal": "Pokhara"}  # where the GLM stand-in slips
ENV = {"ZHIPU_API_KEY": "offline", "ANTHROPIC_API_KEY": "offline"}
BOOM = {"error": {"message": "upstream failure", "type": "server_error"}}


class SimulatedClock:
    """The router's clock: the stand-ins move it on by the latency they draw."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_767_225_600.0 + self.now  # 2026-01-01, as Unix time


def _replier(
    provider: LocalProvider, mistakes: dict[str, str], typical_s: float, clock: SimulatedClock
) -> None:
    rng = random.Random(typical_s)

    def reply(body: dict[str, Any]) -> str:
        clock.now += rng.lognormvariate(math.log(typical_s), 0.4)
        question = str(body["messages"][-1]["content"])
        country = next(c for c in CAPITALS if c in question)
        return f"The capital of {country} is {mistakes.get(country, CAPITALS[country])}."

    provider.set_reply(reply)


def _config(server: LocalProviderServer, directory: Path, **route: Any) -> dict[str, Any]:
    return {
        "providers": {
            "zhipu": {"api_base": server.providers["glm"].api_base, "api_key": "${ZHIPU_API_KEY}"},
            "anthropic": {
                "api_base": server.providers["claude"].api_base,
                "api_key": "${ANTHROPIC_API_KEY}",
            },
        },
        "models": {
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {"chat": {"models": ["claude"], "retries": 0, **route}},
        "budgets": [{"scope": "shadow:chat", "limit_usd": 1.0, "window": "1d"}],
        "experiments": {
            "store": f"sqlite:///{directory / 'llmrouter-experiments.sqlite'}",
            "switch_criteria": {"min_samples": 100, "max_p95_latency_ratio": 1.5},
        },
    }


async def _traffic(router: Router, count: int, tenants: int = 60) -> None:
    """`count` requests from `tenants` tenants, one at a time (each request's shadows ended
    before the next starts, so no two share the simulated clock)."""
    countries = list(CAPITALS)
    for n in range(count):
        question = f"What is the capital of {countries[n % len(countries)]}?"
        metadata = {"tenant": f"tenant-{n % tenants}", "request_id": f"req-{n:04d}"}
        await router.acompletion(
            model="chat", messages=[{"role": "user", "content": question}], metadata=metadata
        )
        if router.experiments()["chat"].shadow is not None:
            await _settled(router)


async def _settled(router: Router) -> ShadowStatus:
    """The shadow's state once its last shadows have ended."""
    for _ in range(1000):
        state = router.experiments()["chat"].shadow
        assert state is not None
        if not state.in_flight:
            return state
        await asyncio.sleep(0.01)
    raise RuntimeError("shadows still in flight")


def _router(config: dict[str, Any], clock: SimulatedClock, seed: int) -> Router:
    routing = RoutingSettings(rng=random.Random(seed), wall_clock=clock.wall)
    return Router(config, env=ENV, clock=clock, routing=routing)


async def main(directory: Path) -> None:
    clock = SimulatedClock()
    async with LocalProviderServer() as server:
        glm = server.add_provider("glm", wire="openai", flavor="zhipu")
        claude = server.add_provider("claude", wire="anthropic")
        _replier(glm, WRONG, 0.03, clock)
        _replier(claude, {}, 0.05, clock)
        glm.fail_rate(0.02, Fault.http(500, BOOM), seed=1)

        shadow = {
            "models": ["glm"],
            "sample": 0.5,
            "max_concurrency": 8,
            "compare": [{"similarity": 0.95}],
        }
        async with _router(_config(server, directory, shadow=shadow), clock, 1) as router:
            await _traffic(router, 400)
            state = await _settled(router)
            glm_state = state.candidates["glm"]
            print(
                f"shadow: {state.sampled} of 400 requests mirrored to glm, {state.compared} "
                f"compared, agreement {glm_state.agreement or 0:.1%}, {state.dropped} dropped"
            )

        glm.fail_rate(0.1, Fault.http(500, BOOM), seed=2)  # the candidate gets worse
        canary = {"model": "glm", "percent": 20, "sticky_by": "tenant", "min_samples": 100}
        config = _config(server, directory, canary=canary)
        async with _router(config, clock, 2) as router:
            await _traffic(router, 800, tenants=200)
            status = router.experiments()["chat"].canary
            assert status is not None
            print(f"canary: {status.state} after {status.canary.samples} canary samples "
                  f"({status.reason})")  # fmt: skip
        (directory / "llmrouter.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    print(f"results in {directory}; now: llmrouter report --config {directory}/llmrouter.yaml")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="qualify-"))
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))
