"""Before a request: eligibility, budgets, the strategy's order, health. After it: latency and
size statistics, and spend charged to budgets.

The Router calls `plan` before the executor, wraps the executor's run in `track`, and calls
`settle` (or `watch` for a stream) once the answer is known.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from llmrouter.attempt_records import skipped as skipped_attempt
from llmrouter.budgets import BudgetBook, tenant_of
from llmrouter.config.loader import LoadedConfig
from llmrouter.errors import LLMRouterError, NoEligibleModelError
from llmrouter.executor import Outcome
from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.routing.eligibility import Capabilities, capabilities_for, ineligibility
from llmrouter.routing.estimate import CHARS_PER_TOKEN, RequestEstimate, estimate_request
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.stats import ModelStats
from llmrouter.routing.strategies import DEFAULT_OUTPUT_TOKENS, RoutingContext
from llmrouter.routing.table import Route
from llmrouter.streaming import RouterStream
from llmrouter.types import Attempt, ChatCompletion, Usage

__all__ = ["Dispatcher", "Plan", "RoutingSettings"]

T = TypeVar("T")
_NOTHING_BLOCKED: Mapping[str, str] = {}


@dataclass(frozen=True)
class RoutingSettings:
    """Routing knobs for embedders and tests (`Router(..., routing=RoutingSettings(...))`)."""

    rng: random.Random | None = None
    """Draws of the `weighted` strategy; seed it for reproducible splits."""
    wall_clock: Callable[[], float] = time.time
    """Unix time, for the fixed UTC windows of budgets."""
    default_output_tokens: int = DEFAULT_OUTPUT_TOKENS
    """Completion tokens assumed when a request sets no `max_tokens` and a model has no history."""
    latency_alpha: float = 0.3
    """Weight of the newest sample in the latency and completion-size averages."""
    failure_floor_s: float = 1.0
    """The least latency a failed (non-timeout) attempt counts as."""


@dataclass(frozen=True, slots=True)
class Plan:
    """The candidates to try, in order, and the ones skipped before any call."""

    order: list[Deployment]
    skipped: list[Attempt]


class Dispatcher:
    """Eligibility, budgets and ordering before a request; accounting after it."""

    def __init__(
        self,
        capabilities: Mapping[str, Capabilities],
        *,
        health: HealthRegistry,
        stats: ModelStats,
        budgets: BudgetBook | None = None,
        default_output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    ) -> None:
        self._caps = dict(capabilities)
        self._health = health
        self.stats = stats
        self.budgets = budgets
        self._default_output = default_output_tokens
        self._profiles: dict[str, tuple[tuple[Deployment, int | None, Capabilities], ...]] = {}

    @classmethod
    def from_config(
        cls,
        loaded: LoadedConfig,
        env: Mapping[str, str] | None,
        *,
        clock: Callable[[], float],
        health: HealthRegistry,
        settings: RoutingSettings | None = None,
    ) -> Dispatcher:
        """The dispatcher of a loaded config: capabilities, stats and budgets (if any)."""
        settings = settings or RoutingSettings()
        config = loaded.config
        budgets = BudgetBook.from_config(
            config.budgets,
            config.state,
            loaded.state_url(env),
            clock=clock,
            wall_clock=settings.wall_clock,
        )
        return cls(
            {name: capabilities_for(entry) for name, entry in config.models.items()},
            health=health,
            stats=ModelStats(
                clock, alpha=settings.latency_alpha, failure_floor_s=settings.failure_floor_s
            ),
            budgets=budgets,
            default_output_tokens=settings.default_output_tokens,
        )

    async def plan(self, route: Route, request: CompletionRequest) -> Plan:
        """Order the route's candidates for `request`.

        Raises `BudgetExceededError` for a spent route or tenant budget and
        `NoEligibleModelError` when every candidate is skipped.
        """
        estimate = estimate_request(request)
        blocked = _NOTHING_BLOCKED
        if self.budgets is not None:
            tenant = tenant_of(request.metadata)
            blocked = await self.budgets.check(
                route.name, tenant, (d.name for d in route.candidates)
            )
        return self.decide(route, request, estimate, blocked)

    def decide(
        self,
        route: Route,
        request: CompletionRequest,
        estimate: RequestEstimate,
        blocked: Mapping[str, str] = _NOTHING_BLOCKED,
    ) -> Plan:
        """The synchronous part of `plan`: eligibility, strategy, health (no I/O)."""
        profiles = self._profiles.get(route.name)
        if profiles is None:
            profiles = self._profiles[route.name] = tuple(
                (d, d.context_window, self._caps[d.name]) for d in route.candidates
            )
        need = estimate.prompt_tokens + (estimate.max_output_tokens or 0)
        skipped: list[Attempt] = []
        if blocked or estimate.tools or estimate.vision or estimate.json is not None:
            eligible = []
            for deployment, window, caps in profiles:
                why = ineligibility(estimate, window, caps)
                if why is None and deployment.name in blocked:
                    why = ("budget", blocked[deployment.name])
                if why is None:
                    eligible.append(deployment)
                else:
                    skipped.append(skipped_attempt(deployment, *why))
        else:  # the common case: only context windows to check
            eligible = [d for d, window, _ in profiles if window is None or need <= window]
            if len(eligible) < len(profiles):
                skipped = [
                    skipped_attempt(d, *why)
                    for d, window, caps in profiles
                    if (why := ineligibility(estimate, window, caps)) is not None
                ]
        if not eligible:
            reasons = "; ".join(f"{a.model}: {a.error} ({a.detail})" for a in skipped)
            raise NoEligibleModelError(f"no model can serve this request: {reasons}", skipped)
        context = RoutingContext(estimate, self.stats, self._default_output)
        ordered = route.strategy.order(eligible, request, context)
        unhealthy = self._health.unhealthy()
        if unhealthy:  # demoted, not removed: tried after the healthy ones
            ordered = [d for d in ordered if d.name not in unhealthy] + [
                d for d in ordered if d.name in unhealthy
            ]
        return Plan(ordered, skipped)

    async def track(self, run: Awaitable[Outcome[T]]) -> Outcome[T]:
        """Await the executor's `run`, feeding the latency stats from its attempts (failed
        ones included, also when it raises)."""
        try:
            outcome = await run
        except LLMRouterError as err:
            self.stats.observe(err.attempts)
            raise
        self.stats.observe(outcome.attempts)
        return outcome

    async def settle(
        self, route: Route, request: CompletionRequest, answer: ChatCompletion
    ) -> None:
        """Account for a finished answer: completion size, and its cost in the budgets."""
        info = answer.route
        if info is None:
            return
        if answer.usage.completion_tokens > 0:
            self.stats.record_completion(info.model, answer.usage.completion_tokens)
        if self.budgets is not None:
            await self.budgets.charge(
                route.name, info.model, tenant_of(request.metadata), info.cost_usd
            )

    def watch(
        self,
        stream: RouterStream,
        route: Route,
        request: CompletionRequest,
        deployment: Deployment,
    ) -> None:
        """Settle `stream` when it ends. A stream that breaks or is abandoned is charged what
        it used: its reported usage, else the prompt estimate plus the text delivered."""

        async def done(answer: ChatCompletion) -> None:
            await self.settle(route, request, answer)

        async def broke(reason: BaseException | None) -> None:
            if self.budgets is None:
                return
            cost = _partial_cost(stream, request, deployment)
            await self.budgets.charge(
                route.name, deployment.name, tenant_of(request.metadata), cost
            )

        stream.watch(done, broke)

    async def aclose(self) -> None:
        """Close the budget store's connections."""
        if self.budgets is not None:
            await self.budgets.aclose()


def _partial_cost(
    stream: RouterStream, request: CompletionRequest, deployment: Deployment
) -> float:
    usage: Usage | None = stream.usage
    if usage is not None:
        return deployment.price.cost_usd(usage)
    delivered = math.ceil(len(stream.text) / CHARS_PER_TOKEN)
    prompt = estimate_request(request).prompt_tokens
    return deployment.price.estimate_usd(prompt, delivered) or 0.0
