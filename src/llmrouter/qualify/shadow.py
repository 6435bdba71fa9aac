"""Shadows: a sample of a route's requests mirrored to candidate models in the background, each
pair (the primary's answer, the candidate's) scored and written to `experiments.store`.

Nothing of it reaches the caller. A shadow starts when the primary's answer has ended (a
stream's when its reader reached the end), in a task of its own that nobody awaits, in a fresh
context inside the request's policy scope. It runs through the same attempt stages as every
leg (the data policy, admission, accounting, inspection, the provider backstop) with state of
its own: its own circuit breakers and model health (a failing candidate never opens the
caller's breaker, and its shadows stop while its shadow breaker is open), its own latency
statistics (latency routing never sees it), its cost charged to `shadow:<route>` budgets only,
no cache. Its legs are audited with kind `shadow`, in a record of their own.

Bounds: at most `max_concurrency` shadows of a route in flight; a sampled request that finds
them all busy drops its shadows (counted), it never waits. `aclose()` cancels those in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from llmrouter.datapolicy.enforce import policy_scope
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.errors import (
    AllModelsFailedError,
    LLMRouterError,
    NoEligibleModelError,
    ProviderError,
)
from llmrouter.experiments.grading import Check, JudgeClient
from llmrouter.experiments.records import RunInfo
from llmrouter.pipeline.exchange import Exchange, LegKind
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.providers.base import Deployment
from llmrouter.qualify.outcomes import Outcome, case_id, compared, record
from llmrouter.qualify.recorder import ResultWriter
from llmrouter.qualify.status import ShadowCandidateStatus, ShadowStatus
from llmrouter.resilience.breaker import BreakerSettings
from llmrouter.resilience.guard import Guard
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.stats import ModelStats
from llmrouter.routing.table import Route
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion, RouteInfo

if TYPE_CHECKING:
    from llmrouter.budgets import BudgetBook
    from llmrouter.pipeline.chain import Handler

__all__ = ["ShadowCandidate", "ShadowCharges", "ShadowPlan", "Shadows", "candidates_of"]

logger = logging.getLogger("llmrouter")

_POLICY = frozenset({"policy", "blocked"})


@dataclass(eq=False)
class ShadowCandidate:
    """One candidate of a shadow, and its counts."""

    deployment: Deployment
    kinds: Mapping[str, LegKind]
    """`{name: "shadow"}`: its legs' kind."""
    sent: int = 0
    errors: int = 0
    refusals: int = 0
    compared: int = 0
    agreed: int = 0
    cost_usd: float = 0.0

    def status(self) -> ShadowCandidateStatus:
        return ShadowCandidateStatus(
            self.deployment.name,
            self.sent,
            self.errors,
            self.refusals,
            self.compared,
            self.agreed,
            self.cost_usd,
        )


@dataclass(eq=False)
class ShadowPlan:
    """One route's shadow: candidates, sample rate, comparators, and what happened so far."""

    route: str
    candidates: tuple[ShadowCandidate, ...]
    sample: float
    max_concurrency: int
    checks: tuple[Check, ...]
    run: RunInfo
    judge: JudgeClient | None = None
    random: Callable[[], float] = field(default_factory=lambda: random.Random().random)
    sampled: int = 0
    dropped: int = 0
    refused_by_policy: int = 0
    over_budget: int = 0
    skipped: int = 0
    in_flight: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    """The route each candidate's shadow runs under (one candidate, no retry, no hedge)."""

    def pick(self) -> bool:
        """Whether this request is mirrored (`sample` of them, at random)."""
        if self.random() >= self.sample:
            return False
        self.sampled += 1
        return True

    def status(self) -> ShadowStatus:
        candidates = {c.deployment.name: c.status() for c in self.candidates}
        return ShadowStatus(
            run_id=self.run.run_id,
            sample=self.sample,
            max_concurrency=self.max_concurrency,
            sampled=self.sampled,
            sent=sum(c.sent for c in self.candidates),
            dropped=self.dropped,
            refused_by_policy=self.refused_by_policy,
            over_budget=self.over_budget,
            skipped=self.skipped,
            errors=sum(c.errors for c in self.candidates),
            compared=sum(c.compared for c in self.candidates),
            in_flight=self.in_flight,
            candidates=candidates,
        )


def candidates_of(deployments: tuple[Deployment, ...]) -> tuple[ShadowCandidate, ...]:
    return tuple(ShadowCandidate(d, {d.name: "shadow"}) for d in deployments)


class ShadowCharges:
    """Attempt accounting's `Charges` for shadows: `shadow:<route>` budgets, nothing else."""

    def __init__(self, book: BudgetBook) -> None:
        self._book = book

    def charge(self, route: str, model: str, tenant: str | None, cost_usd: float) -> None:
        self._book.charge_shadow(route, cost_usd)


@dataclass(frozen=True, slots=True)
class _Pair:
    plan: ShadowPlan
    candidate: ShadowCandidate
    ex: Exchange
    baseline: Outcome
    case: str


class Shadows:
    """Every route's shadow plan, the shadows' own state, and the tasks in flight."""

    def __init__(
        self,
        plans: Mapping[str, ShadowPlan],
        *,
        gate: PolicyGate,
        budgets: BudgetBook | None,
        writer: ResultWriter,
        breaker: BreakerSettings | None,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        capture_content: bool = False,
    ) -> None:
        self.plans = dict(plans)
        self.clock = clock
        self._wall = wall_clock
        self._gate = gate
        self._budgets = budgets
        self._writer = writer
        self._capture = capture_content
        self.guard = Guard(breaker=breaker, retry_budget=None, max_concurrency={}, clock=clock)
        """The shadows' own breakers: a candidate failing its shadows never trips the
        breaker of the callers' requests."""
        self.health = HealthRegistry(clock)
        self.stats = ModelStats(clock)
        self.charges = ShadowCharges(budgets) if budgets is not None else None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    # -- the request path: no I/O, nothing awaited ---------------------------------------------

    def after(
        self,
        plan: ShadowPlan,
        ex: Exchange,
        started: float,
        handler: Handler,
        ending: Ending | None = None,
        error: BaseException | None = None,
    ) -> None:
        """The sampled request `ex` ended (with `ending`, or raised `error`): start its
        shadows, unless there is nothing to compare with. Never raises."""
        try:
            self._after(plan, ex, self.clock() - started, handler, ending, error)
        except Exception as exc:  # the caller's answer, or error, must stay what it is
            # The type only: an unexpected error's text may hold the answer's content.
            logger.warning(
                "llmrouter: starting the shadows of %s failed (%s); none sent",
                plan.route,
                type(exc).__name__,
            )

    def _after(
        self,
        plan: ShadowPlan,
        ex: Exchange,
        latency: float,
        handler: Handler,
        ending: Ending | None,
        error: BaseException | None,
    ) -> None:
        if ending is not None and isinstance(ending.answer, ChatCompletion):
            baseline = Outcome.answered(ending.answer, ending.route, latency)
        elif isinstance(ending, Ending) and ending.error is not None:
            baseline = Outcome.failed(ending.error, latency, ending.route.model)
        elif isinstance(error, (ProviderError, AllModelsFailedError)):
            baseline = Outcome.failed(error, latency)  # the request reached the providers
        else:  # refused before any call, or a stream abandoned by its reader
            plan.skipped += 1
            return
        case = case_id(ex.request.metadata)
        for candidate in plan.candidates:
            self._start(_Pair(plan, candidate, ex, baseline, case), handler)

    def _start(self, pair: _Pair, handler: Handler) -> None:
        plan, name = pair.plan, pair.candidate.deployment.name
        if self._gate.active and self._gate.check(pair.ex.data_class, name) is not None:
            plan.refused_by_policy += 1
            return
        if self._closed or plan.in_flight >= plan.max_concurrency:
            plan.dropped += 1
            return
        plan.in_flight += 1
        # A fresh context: none of the caller's context variables (spans, the gateway's
        # collectors) follows the shadow; its policy scope is set again inside.
        context = contextvars.Context()
        task = context.run(asyncio.get_running_loop().create_task, self._shadow(pair, handler))
        self._tasks.add(task)
        task.add_done_callback(_release(self._tasks, plan))

    # -- in the background ---------------------------------------------------------------------

    async def _shadow(self, pair: _Pair, handler: Handler) -> None:
        plan, candidate = pair.plan, pair.candidate
        try:
            if self._budgets is not None:
                spent = await self._budgets.shadow_spent(plan.route)
                if spent is not None:
                    plan.over_budget += 1
                    return
            outcome = await self._send(pair, handler)
            if outcome is not None:
                await self._compare(pair, outcome)
        except Exception as exc:  # a defect must not escape a task nobody awaits
            candidate.errors += 1
            logger.warning(
                "llmrouter: shadow of %s to %s failed unexpectedly: %s",
                plan.route,
                candidate.deployment.name,
                type(exc).__name__,
            )

    async def _send(self, pair: _Pair, handler: Handler) -> Outcome | None:
        """The candidate's outcome; None when it was not sent (policy, its breaker)."""
        ex, candidate = pair.ex, pair.candidate
        route = self._route(pair.plan, ex.route, candidate.deployment)
        shadow = Exchange(
            ex.request,
            route,
            self.clock() + route.timeout_s,
            route.timeout_s,
            estimate=ex.estimate,
            candidates=[candidate.deployment],
            data_class=ex.data_class,
            kinds=candidate.kinds,
        )
        started = self.clock()
        try:
            with policy_scope(ex.data_class):
                answer, info = await _answer(await handler(shadow), shadow, self.clock)
        except NoEligibleModelError as err:
            reasons = {a.error for a in err.attempts if a.outcome == "skipped"}
            if reasons and reasons <= _POLICY:
                pair.plan.refused_by_policy += 1
            else:
                pair.plan.skipped += 1
            return None
        except LLMRouterError as err:
            candidate.sent += 1
            outcome = Outcome.failed(err, self.clock() - started, candidate.deployment.name)
            if outcome.status == "error":
                candidate.errors += 1
            return outcome
        candidate.sent += 1
        candidate.cost_usd += info.cost_usd
        return Outcome.answered(answer, info, self.clock() - started)

    async def _compare(self, pair: _Pair, outcome: Outcome) -> None:
        plan, candidate = pair.plan, pair.candidate
        if outcome.status == "refused":
            candidate.refusals += 1
        agreed, checks, judge_cost = await compared(
            pair.baseline,
            outcome,
            plan.checks,
            messages=pair.ex.request.messages,
            judge=plan.judge,
            capture_content=self._capture,
        )
        at = self._wall()
        run_id = plan.run.run_id
        self._writer.add(
            plan.run,
            [
                record("shadow", run_id, plan.route, pair.case, pair.baseline, at=at,
                       capture_content=self._capture),
                record("shadow", run_id, candidate.deployment.name, pair.case, outcome,
                       at=at, passed=agreed, checks=checks, capture_content=self._capture,
                       judge_cost_usd=judge_cost),
            ],
        )  # fmt: skip
        candidate.compared += 1
        candidate.agreed += agreed

    def _route(self, plan: ShadowPlan, route: Route, deployment: Deployment) -> Route:
        found = plan.routes.get(deployment.name)
        if found is None:
            found = replace(route, candidates=(deployment,), retries=0, hedge_after_s=None)
            plan.routes[deployment.name] = found
        return found

    def status(self) -> dict[str, ShadowStatus]:
        return {name: plan.status() for name, plan in self.plans.items()}

    async def aclose(self) -> None:
        """Cancel the shadows in flight and wait for them to end."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _release(
    tasks: set[asyncio.Task[None]], plan: ShadowPlan
) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        plan.in_flight -= 1

    return done


async def _answer(
    reply: Reply, ex: Exchange, clock: Callable[[], float]
) -> tuple[ChatCompletion, RouteInfo]:
    """The whole answer of a shadow's reply (a stream read to its end)."""
    if not reply.is_stream:
        completion = reply.completion
        assert isinstance(completion, ChatCompletion) and completion.route is not None
        return completion, completion.route
    stream = RouterStream(
        reply, attempts=ex.attempts, deadline=ex.deadline, clock=clock, pass_usage_chunk=False
    )
    try:
        async for _ in stream:
            pass
    finally:
        await stream.aclose()
    ending = reply.ending
    assert ending is not None and isinstance(ending.answer, ChatCompletion)
    return ending.answer, ending.route
