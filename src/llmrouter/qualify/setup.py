"""`Qualification`: the shadows and canaries of a config, built once by the composition step
(only when some route has a `shadow:` or a `canary:`), started with the router, closed first
when it closes (so no shadow outlives the adapters it calls)."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llmrouter.budgets import BudgetBook
from llmrouter.config.loader import LoadedConfig
from llmrouter.config.qualify import CanaryConfig, ShadowConfig
from llmrouter.config.yaml_source import Path
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.errors import ConfigError
from llmrouter.experiments.comparators import build_comparator
from llmrouter.experiments.grading import Check
from llmrouter.experiments.records import RunInfo
from llmrouter.experiments.store import store_for
from llmrouter.pipeline.chain import Handler
from llmrouter.providers.base import Deployment
from llmrouter.qualify.board import CanaryBoard
from llmrouter.qualify.canary import Canaries, CanaryPlan
from llmrouter.qualify.judging import PipelineJudge
from llmrouter.qualify.recorder import ResultWriter
from llmrouter.qualify.shadow import ShadowPlan, Shadows, candidates_of
from llmrouter.qualify.status import RouteExperiments
from llmrouter.routing.eligibility import Capabilities
from llmrouter.routing.table import RouteTable
from llmrouter.state.base import Store
from llmrouter.telemetry.events import RouterCallbacks

__all__ = ["Qualification", "build_qualification", "check_comparators", "fingerprint"]


@dataclass(eq=False)
class Qualification:
    """Every route's shadow and canary, and the writer of their results."""

    shadows: Shadows | None
    canaries: Canaries | None
    writer: ResultWriter
    judges: list[PipelineJudge] = field(default_factory=list)

    def bind(self, handler: Handler, routes: RouteTable, clock: Callable[[], float]) -> None:
        """Give the judges the router's request path (built after this object)."""
        for judge in self.judges:
            judge.bind(handler, routes, clock)

    async def start(self) -> None:
        """Read the shared canary state before the first request (see `Canaries.start`)."""
        if self.canaries is not None:
            await self.canaries.start()

    def status(self) -> dict[str, RouteExperiments]:
        shadows = self.shadows.status() if self.shadows is not None else {}
        canaries = self.canaries.status() if self.canaries is not None else {}
        return {
            route: RouteExperiments(shadows.get(route), canaries.get(route))
            for route in sorted({*shadows, *canaries})
        }

    async def aclose(self) -> None:
        """Cancel the shadows in flight, publish the canaries' state, write the results."""
        if self.shadows is not None:
            await self.shadows.aclose()
        if self.canaries is not None:
            await self.canaries.aclose()
        await self.writer.aclose()


@dataclass(frozen=True)
class _Context:
    loaded: LoadedConfig
    deployments: Mapping[str, Deployment]
    capabilities: Mapping[str, Capabilities]
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    rng: random.Random | None = None

    def draw(self) -> Callable[[], float]:
        return (self.rng or random.Random()).random


def build_qualification(
    loaded: LoadedConfig,
    env: Mapping[str, str],
    *,
    deployments: Mapping[str, Deployment],
    capabilities: Mapping[str, Capabilities],
    gate: PolicyGate,
    budgets: BudgetBook | None,
    state_store: Store | None,
    callbacks: Sequence[RouterCallbacks] = (),
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    rng: random.Random | None = None,
) -> Qualification | None:
    """The shadows and canaries of `loaded`, or None when no route has either; `rng` (else
    one unseeded per route) draws the samples and `sticky_by: none` sides. A comparator that
    does not build is a `ConfigError` naming file, line and field."""
    config = loaded.config
    context = _Context(loaded, deployments, capabilities, clock, wall_clock, rng)
    shadowed = {n: r.shadow for n, r in config.routes.items() if r.shadow is not None}
    canaried = {n: r.canary for n, r in config.routes.items() if r.canary is not None}
    if not shadowed and not canaried:
        return None
    writer = ResultWriter(store_for(loaded, env))
    qualification = Qualification(None, None, writer)
    if shadowed:
        plans = _shadow_plans(context, shadowed, qualification.judges)
        qualification.shadows = Shadows(
            plans,
            gate=gate,
            budgets=budgets,
            writer=writer,
            breaker=config.circuit_breaker.settings(),
            clock=clock,
            wall_clock=wall_clock,
            capture_content=config.experiments.capture_content,
        )
    if canaried:
        qualification.canaries = Canaries(
            {name: _canary_plan(context, name, c) for name, c in canaried.items()},
            board=CanaryBoard(state_store, namespace=config.state.namespace),
            writer=writer,
            callbacks=callbacks,
            wall_clock=wall_clock,
            sync_s=config.state.sync_s,
            budgets=budgets,
            **({"sleep": sleep} if sleep is not None else {}),
        )
    return qualification


def fingerprint(section: ShadowConfig | CanaryConfig) -> str:
    """8 hex digits of the section's settings: a changed section is a new experiment."""
    text = json.dumps(section.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _shadow_plans(
    context: _Context, shadowed: Mapping[str, ShadowConfig], judges: list[PipelineJudge]
) -> dict[str, ShadowPlan]:
    problems: list[str] = []
    plans = {}
    for route, shadow in shadowed.items():
        checks = _comparators(context.loaded, route, shadow, problems)
        judge = PipelineJudge(shadow.judge) if shadow.judge is not None else None
        if judge is not None:
            judges.append(judge)
        run = RunInfo(
            run_id=f"shadow-{route}-{fingerprint(shadow)}",
            source="shadow",
            routes=(route, *shadow.models),
            started_at=context.wall_clock(),
            label=f"live: {shadow.sample:g} of {route} mirrored to {', '.join(shadow.models)}",
        )
        plans[route] = ShadowPlan(
            route=route,
            candidates=candidates_of(tuple(context.deployments[m] for m in shadow.models)),
            sample=shadow.sample,
            max_concurrency=shadow.max_concurrency,
            checks=tuple(checks),
            run=run,
            judge=judge,
            random=context.draw(),
        )
    if problems:
        raise ConfigError(problems)
    return plans


def check_comparators(loaded: LoadedConfig) -> None:
    """Build every shadow's comparators (what `llmrouter check` adds to loading the file): a
    `ConfigError` naming file, line and field of each that does not build."""
    problems: list[str] = []
    for route, config in loaded.config.routes.items():
        if config.shadow is not None:
            _comparators(loaded, route, config.shadow, problems)
    if problems:
        raise ConfigError(problems)


def _comparators(
    loaded: LoadedConfig, route: str, shadow: ShadowConfig, problems: list[str]
) -> list[Check]:
    checks = []
    for index, entry in enumerate(shadow.compare):
        path: Path = ("routes", route, "shadow", "compare", index)
        try:
            checks.append(build_comparator(_plain(entry)))
        except ValueError as exc:
            problems.append(f"{loaded.locate(path).describe(path)}: {exc}")
    return checks


def _plain(entry: str | Mapping[str, Any]) -> Any:
    return entry if isinstance(entry, str) else dict(entry)


def _canary_plan(context: _Context, route: str, canary: CanaryConfig) -> CanaryPlan:
    key = f"{route}:{fingerprint(canary)}"
    run = RunInfo(
        run_id=f"canary-{route}-{fingerprint(canary)}",
        source="canary",
        routes=(route, canary.model),
        started_at=context.wall_clock(),
        label=f"live: {canary.percent:g}% of {route} served by {canary.model} first",
    )
    return CanaryPlan(
        route=route,
        config=canary,
        deployment=context.deployments[canary.model],
        caps=context.capabilities[canary.model],
        key=key,
        run=run,
        random=context.draw(),
    )
