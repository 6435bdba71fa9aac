"""Canaries: `percent` of a route's requests are served by a candidate first, the route's own
models behind it as fallbacks, so a canary failure falls back and the caller sees no extra
error. An equal slice (the control group) is served as usual and measured the same way.

Assignment is sticky by `metadata["tenant"]` or `metadata["user"]` (a CRC32 of the key,
salted by the route and the canary's settings, so each canary picks its own slice), or at
random with `sticky_by: none`. A side's sample is the outcome of its first leg: the canary's
(kind `canary`), or the control request's first (kind `first`): an error of a fault kind, a
refusal (a content filter counts as one), or an answer with its latency. A leg its circuit
breaker refused counts as an error (the breaker opened on that model's faults: a canary
failing hard would otherwise stop being measured); a leg never sent for another reason (the
data policy, a block, a budget, its concurrency limit) is no sample.

Once the canary has `min_samples` (pooled over every router sharing the `state:`), a breach of
a guardrail (`llmrouter.qualify.window.breach`) rolls it back: traffic returns to the primary,
one WARNING line and an `on_canary_rollback` event say why, and with a Redis `state:` the
rollback is shared (`llmrouter.qualify.board`): every router follows within `state.sync_s`,
and a router started later never starts it, until a reset (`llmrouter canary reset`,
`Router.reset_canary`) resumes it everywhere from no samples. Promotion is a config change.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import random
import zlib
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from llmrouter.budgets import BudgetBook
from llmrouter.config.qualify import CanaryConfig
from llmrouter.errors import RequestValidationError
from llmrouter.experiments.records import RunInfo
from llmrouter.pipeline.exchange import Exchange, LegKind
from llmrouter.pipeline.reply import Ending
from llmrouter.providers.base import Deployment
from llmrouter.qualify.board import CanaryBoard, Shared, decode_rollback, epoch_of, new_epoch
from llmrouter.qualify.outcomes import case_id, leg_outcome, record
from llmrouter.qualify.recorder import ResultWriter
from llmrouter.qualify.status import CanaryState, CanaryStatus
from llmrouter.qualify.window import Side, breach, pooled
from llmrouter.request import CompletionRequest
from llmrouter.routing.eligibility import Capabilities, ineligibility
from llmrouter.telemetry.events import CanaryRollbackEvent, RouterCallbacks

__all__ = ["Canaries", "CanaryPlan", "SideName", "leg_outcome"]

logger = logging.getLogger("llmrouter")

SideName = Literal["canary", "control"]
_SIDES: tuple[SideName, ...] = ("canary", "control")
_SCALE = 10_000
"""Assignment buckets: percent is honoured to 0.01%."""
_JUDGE_EVERY = 10
"""The relative guardrails (refusals, p95) are judged every this many canary samples (and at
each sync); the error rate at every one."""


@dataclass(eq=False)
class CanaryPlan:
    """One route's canary: who is assigned, what was measured, whether it still runs."""

    route: str
    config: CanaryConfig
    deployment: Deployment
    caps: Capabilities
    key: str
    """`<route>:<fingerprint>`: its field in the shared state."""
    run: RunInfo
    random: Callable[[], float] = field(default_factory=lambda: random.Random().random)
    state: CanaryState = "active"
    reason: str | None = None
    at: float | None = None
    epoch: str = ""
    """Since which reset it runs (`""`: never reset); see `llmrouter.qualify.board`."""
    assigned: int = 0
    unkeyed: int = 0
    ineligible: int = 0
    local: dict[SideName, Side] = field(
        default_factory=lambda: {"canary": Side(), "control": Side()}
    )
    others: dict[SideName, Side] = field(
        default_factory=lambda: {"canary": Side(), "control": Side()}
    )
    """The other routers' samples, as last read from the shared state."""

    def __post_init__(self) -> None:
        self.kinds: Mapping[str, LegKind] = {self.deployment.name: "canary"}
        self._salt = zlib.crc32(self.key.encode())
        self._cut = round(self.config.percent * _SCALE / 100)
        self._control_cut = min(2 * self._cut, _SCALE)

    def assign(self, request: CompletionRequest) -> SideName | None:
        """The side of this request: `canary`, `control`, or None (served as usual)."""
        if self.state != "active":
            return None
        sticky = self.config.sticky_by
        if sticky == "none":
            bucket = int(self.random() * _SCALE)
        else:
            key = request.tenant if sticky == "tenant" else request.metadata.get("user")
            if not isinstance(key, str) or not key:
                self.unkeyed += 1
                return None
            bucket = zlib.crc32(key.encode("utf-8", "surrogatepass"), self._salt) % _SCALE
        if bucket < self._cut:
            return "canary"
        return "control" if bucket < self._control_cut else None

    def lead(self, ex: Exchange) -> bool:
        """Put the canary first in `ex`'s candidates; False when it cannot serve the request
        (context window, tools, vision, its vendor's limits)."""
        canary = self.deployment
        if ex.estimate is not None and ineligibility(
            ex.estimate, canary.context_window, self.caps, canary.ref.vendor.limits
        ):
            self.ineligible += 1
            return False
        ex.candidates = [canary, *(d for d in ex.candidates if d is not canary)]
        ex.kinds = self.kinds
        self.assigned += 1
        return True

    def pooled(self, side: SideName) -> Side:
        out = Side()
        out.absorb(self.local[side])
        out.absorb(self.others[side])
        return out

    def snapshot(self) -> bytes:
        data: dict[str, Any] = {side: self.local[side].to_json() for side in _SIDES}
        data["epoch"] = self.epoch
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()

    def restart(self, epoch: str) -> None:
        """Run afresh from a reset: active, and no sample of before it."""
        self.state, self.reason, self.at, self.epoch = "active", None, None, epoch
        self.local = {"canary": Side(), "control": Side()}
        self.others = {"canary": Side(), "control": Side()}

    def status(self) -> CanaryStatus:
        return CanaryStatus(
            run_id=self.run.run_id,
            model=self.deployment.name,
            percent=self.config.percent,
            sticky_by=self.config.sticky_by,
            min_samples=self.config.min_samples,
            state=self.state,
            reason=self.reason,
            rolled_back_at=self.at,
            canary=self.pooled("canary").status(),
            control=self.pooled("control").status(),
            assigned=self.assigned,
            unkeyed=self.unkeyed,
            ineligible=self.ineligible,
        )


class Canaries:
    """Every route's canary plan, their measurements, rollbacks and the shared-state sync."""

    def __init__(
        self,
        plans: Mapping[str, CanaryPlan],
        *,
        board: CanaryBoard,
        writer: ResultWriter,
        callbacks: Sequence[RouterCallbacks],
        wall_clock: Callable[[], float],
        sync_s: float,
        budgets: BudgetBook | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.plans = dict(plans)
        self._budgets = budgets
        self._board = board
        self._writer = writer
        self._callbacks = tuple(callbacks)
        self._wall = wall_clock
        self._sync_s = sync_s
        self._sleep = sleep
        self._loop: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the request path ----------------------------------------------------------------------

    async def lead(self, plan: CanaryPlan, ex: Exchange) -> bool:
        """Put the canary first for `ex` (see `CanaryPlan.lead`), unless its own `model:`
        budget is spent (the canary model leaves routing like any model)."""
        if self._budgets is not None:
            spent = await self._budgets.model_spent(plan.deployment.name)
            if spent is not None:
                plan.ineligible += 1
                return False
        return plan.lead(ex)

    def observe(
        self,
        plan: CanaryPlan,
        side: SideName,
        ex: Exchange,
        ending: Ending | None = None,
        error: BaseException | None = None,
    ) -> None:
        """One request of `side` ended: its first leg's outcome becomes a sample. Never
        raises."""
        try:
            self._observe(plan, side, ex, ending, error)
        except Exception as exc:  # the caller's answer, or error, must stay what it is
            # The type only: an unexpected error's text may hold the answer's content.
            logger.warning(
                "llmrouter: measuring the canary of %s failed: %s", plan.route, type(exc).__name__
            )

    def _observe(
        self,
        plan: CanaryPlan,
        side: SideName,
        ex: Exchange,
        ending: Ending | None,
        error: BaseException | None,
    ) -> None:
        attempts = getattr(error, "attempts", None) or ex.attempts
        outcome = leg_outcome(attempts, ending, plan.deployment.name if side == "canary" else None)
        if outcome is None:
            return
        plan.local[side].add(outcome.status, outcome.latency_s)
        name = plan.deployment.name if side == "canary" else plan.route
        case = case_id(ex.request.metadata)
        self._writer.add(
            plan.run, [record("canary", plan.run.run_id, name, case, outcome, at=self._wall())]
        )
        if side == "canary" and plan.state == "active":
            self._judge(plan, full=plan.local["canary"].n % _JUDGE_EVERY == 0)

    def _judge(self, plan: CanaryPlan, *, full: bool) -> None:
        canary = plan.pooled("canary")
        if canary.n < plan.config.min_samples:
            return
        control = plan.pooled("control") if full else Side()
        reason = breach(canary, control, plan.config)
        if reason is not None:
            self._roll_back(plan, reason, self._wall(), origin="here")

    def _roll_back(self, plan: CanaryPlan, reason: str, at: float, origin: str) -> None:
        plan.state, plan.reason, plan.at = "rolled_back", reason, at
        samples = plan.pooled("canary").n
        if origin == "here":
            logger.warning(
                "llmrouter: canary %s on route %s rolled back after %d samples: %s",
                plan.deployment.name, plan.route, samples, reason,
            )  # fmt: skip
            value = {
                "model": plan.deployment.name,
                "reason": reason,
                "at": at,
                "by": self._board.token,
                "epoch": plan.epoch,
            }
            self._board.rolled_back(plan.key, json.dumps(value).encode())
            if self._board.shared:
                self._spawn(self.sync())
        else:
            logger.warning(
                "llmrouter: canary %s on route %s rolled back by another router: %s",
                plan.deployment.name, plan.route, reason,
            )  # fmt: skip
        event = CanaryRollbackEvent(plan.route, plan.deployment.name, reason, at, samples, origin)
        self._spawn(self._announce(event))

    async def _announce(self, event: CanaryRollbackEvent) -> None:
        for callback in self._callbacks:
            try:
                await callback.on_canary_rollback(event)
            except Exception:  # a callback never breaks the router
                logger.exception("llmrouter: an on_canary_rollback callback raised; ignored")

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        # A fresh context: the request whose sample decided it has nothing to do with it.
        loop = asyncio.get_running_loop()
        task = contextvars.Context().run(loop.create_task, work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the shared state ----------------------------------------------------------------------

    async def sync(self) -> None:
        """Publish this router's samples, read the others' and every rollback, apply them."""
        plans = list(self.plans.values())
        shared = await self._board.exchange({p.key: p.snapshot() for p in plans})
        if shared is not None:
            self._apply(plans, shared)
        for plan in plans:
            if plan.state == "active":
                self._judge(plan, full=True)

    def _apply(self, plans: Iterable[CanaryPlan], shared: Shared) -> None:
        for plan in plans:
            epoch = epoch_of(shared.resets.get(plan.key))
            if epoch != plan.epoch:
                self._resumed(plan, epoch, "shared")
            others = pooled(shared.samples.get(plan.key, ()), plan.epoch)
            plan.others = {"canary": others["canary"], "control": others["control"]}
            raw_rollback = shared.rollbacks.get(plan.key)
            if raw_rollback is not None and plan.state == "active":
                reason, at, made_in = decode_rollback(raw_rollback)
                if made_in == plan.epoch:
                    self._roll_back(plan, reason, at if at is not None else self._wall(), "shared")

    def _resumed(self, plan: CanaryPlan, epoch: str, origin: str) -> None:
        was = plan.state
        plan.restart(epoch)
        if was == "rolled_back" or origin == "here":
            logger.warning(
                "llmrouter: canary %s on route %s reset%s: it serves %g%% of the route again, "
                "from no samples",
                plan.deployment.name, plan.route,
                "" if origin == "here" else " by another process", plan.config.percent,
            )  # fmt: skip

    async def reset(self, route: str) -> bool:
        """Resume `route`'s canary from no samples (rolled back or not), here and, with a
        shared `state:`, in every router sharing it within `state.sync_s`. False when the
        shared state could not be written now (it is written at the next sync)."""
        plan = self.plans.get(route)
        if plan is None:
            known = ", ".join(sorted(self.plans)) or "none"
            raise RequestValidationError("route", f"{route!r} has no canary (canaries: {known})")
        epoch = new_epoch(self._board.token, self._wall())
        self._board.reset_here(plan.key, epoch)
        self._resumed(plan, epoch, "here")
        return not self._board.shared or await self._board.reset(plan.key, epoch)

    async def start(self) -> None:
        """Read the shared state once (a rolled-back canary never starts), then keep it in
        sync every `sync_s` in the background. Idempotent."""
        if self._loop is not None:
            return
        if self._board.shared:
            await self.sync()
        self._loop = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await self._sleep(self._sync_s)
            try:
                await self.sync()
            except Exception:  # the loop must outlive any surprise
                logger.exception("llmrouter: canaries: sync failed; state as last read")

    def status(self) -> dict[str, CanaryStatus]:
        return {name: plan.status() for name, plan in self.plans.items()}

    async def aclose(self) -> None:
        """Stop syncing (one last sync publishes this router's samples and rollbacks)."""
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
            if self._board.shared:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.sync(), 5.0)
        if self._tasks:  # rollbacks being written and announced: a few seconds at most
            _, late = await asyncio.wait(list(self._tasks), timeout=5.0)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
