"""The executor: the innermost request stage. It sends the request to the candidates in order
under the route's fault policy (`llmrouter.fault_policy`), within one deadline:

- each attempt goes through the attempt stages (admission, span, accounting, inspection, the
  provider call); a candidate that admission refuses is skipped without a call;
- the same model is tried again while the policy allows, `retries` lasts, the retry budget has
  room, and the wait (the larger of the provider's Retry-After and a jittered exponential
  backoff) ends before the deadline;
- otherwise the next candidate is tried if the policy allows, else the fault is raised;
- with `hedge_after_ms` the first two candidates race once the first is slow;
- `AllModelsFailedError` (or `NoEligibleModelError` when every candidate was skipped) when no
  candidate, or no time, is left.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

from tenacity import RetryCallState, wait_random_exponential

from llmrouter import attempt_records as records
from llmrouter.errors import ProviderError
from llmrouter.pipeline.attempt.admission import Skipped
from llmrouter.pipeline.chain import LegHandler
from llmrouter.pipeline.exchange import Exchange, Leg, LegKind
from llmrouter.pipeline.reply import Reply
from llmrouter.providers.base import Deployment
from llmrouter.resilience.guard import Guard
from llmrouter.resilience.hedging import HedgeFailed, race
from llmrouter.routing.estimate import CHARS_PER_TOKEN
from llmrouter.routing.health import HealthRegistry
from llmrouter.types import RouteInfo, Usage

__all__ = ["Execution", "RetrySettings"]

logger = logging.getLogger("llmrouter")


@dataclass(frozen=True)
class RetrySettings:
    """Backoff between attempts on the same model (full jitter, capped)."""

    backoff_initial_s: float = 0.25
    backoff_max_s: float = 8.0


class Execution:
    """Applies the fault policy to an exchange's ordered candidates."""

    def __init__(
        self,
        *,
        attempt: LegHandler,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        guard: Guard,
        health: HealthRegistry,
        retry: RetrySettings | None = None,
    ) -> None:
        self.attempt = attempt
        self.clock = clock
        self.sleep = sleep
        self.guard = guard
        self.health = health
        settings = retry or RetrySettings()
        self._backoff = wait_random_exponential(
            multiplier=settings.backoff_initial_s, max=settings.backoff_max_s
        )

    def backoff(self, retry_number: int) -> float:
        """The jittered wait before retry number `retry_number` (1-based)."""
        return self._backoff(cast(RetryCallState, _RetryNumber(retry_number)))

    async def __call__(self, ex: Exchange) -> Reply:
        return await _Run(self, ex).run()


class _RetryNumber:
    """The one field of tenacity's `RetryCallState` its wait strategies read."""

    __slots__ = ("attempt_number",)

    def __init__(self, number: int) -> None:
        self.attempt_number = number


class _Run:
    """One exchange's way through its candidates."""

    def __init__(self, execution: Execution, ex: Exchange) -> None:
        self.x = execution
        self.ex = ex
        self.policy = ex.route.policy
        self.last_error: ProviderError | None = None
        self.window_floor: int | None = None  # set after a context-window fault
        self.sent = 0

    async def run(self) -> Reply:
        ex = self.ex
        pending = list(ex.candidates)
        kind: LegKind = "first"
        while pending:
            pending = self._larger_windows(pending)
            if not pending or self.x.clock() >= ex.deadline:
                break
            hedged = ex.route.hedge_after_s is not None and len(pending) >= 2
            contenders = pending[:2] if hedged else pending[:1]
            try:
                _, reply = await self._step(contenders, kind)
            except Skipped as skip:
                ex.attempts.append(records.skipped(pending[0], skip.reason, skip.detail))
                pending = pending[1:]
                continue
            except HedgeFailed as failure:
                errors = failure.errors
            except ProviderError as single:
                errors = [single]
            else:
                if not reply.is_stream:
                    await reply.complete()
                return reply
            self._failed(contenders, errors)
            pending = pending[len(errors) :]
            kind = "fallback"
            if pending and self.last_error is not None:
                await self._fall_back(contenders[len(errors) - 1], pending[0])
        out_of_time = self.x.clock() >= ex.deadline
        raise records.no_answer(ex.attempts, self.last_error, ex.timeout_s, out_of_time)

    def _larger_windows(self, pending: list[Deployment]) -> list[Deployment]:
        floor = self.window_floor
        if floor is None:
            return pending
        kept = []
        for deployment in pending:
            window = deployment.context_window
            if window is None or window > floor:
                kept.append(deployment)
            else:
                self.ex.attempts.append(
                    records.skipped(deployment, "context_window", "window not larger")
                )
        return kept

    async def _step(self, contenders: list[Deployment], kind: LegKind) -> tuple[int, Reply]:
        """One candidate, or a hedged race of two."""
        if len(contenders) == 1:
            return 0, await self._with_retries(contenders[0], kind)
        hedge_after = self.ex.route.hedge_after_s
        assert hedge_after is not None

        def fatal(error: BaseException) -> bool:
            return (
                isinstance(error, ProviderError) and not self.policy.for_kind(error.kind).fallback
            )

        async def discard(loser: Reply) -> None:
            await loser.abandon()

        return await race(
            lambda: self._with_retries(contenders[0], kind),
            lambda: self._with_retries(contenders[1], "hedge"),
            hedge_after,
            fatal=fatal,
            discard=discard,
        )

    async def _with_retries(self, deployment: Deployment, kind: LegKind) -> Reply:
        self.x.guard.first_attempt(deployment.name)
        kinds = self.ex.kinds
        if kinds is not None and kind == "first":
            kind = kinds.get(deployment.name, kind)
        retries = 0
        while True:
            try:
                return await self._leg(deployment, kind if retries == 0 else "retry")
            except ProviderError as err:
                wait = self._retry_wait(deployment, err, retries)
                if wait is None:
                    raise
                logger.info(
                    "llmrouter: retrying %s after %s in %.2fs", deployment.name, err.kind, wait
                )
                await self.x.sleep(wait)
                retries += 1

    def _retry_wait(self, deployment: Deployment, err: ProviderError, retries: int) -> float | None:
        """The wait before trying `deployment` again, or None to stop retrying it."""
        if retries >= self.ex.route.retries or not self.policy.for_kind(err.kind).retry:
            return None
        wait = max(self.x.backoff(retries + 1), err.retry_after_s or 0.0)
        if self.x.clock() + wait >= self.ex.deadline:
            return None  # the wait would pass the deadline: fall back instead
        if not self.x.guard.try_retry(deployment.name):
            return None
        return wait

    async def _leg(self, deployment: Deployment, kind: LegKind) -> Reply:
        ex = self.ex
        now = self.x.clock()
        timeout = min(ex.deadline - now, ex.route.attempt_timeout_s or math.inf)
        self.sent += 1
        leg = Leg(ex, deployment, kind, self.sent, timeout, now)
        try:
            reply = await self.x.attempt(leg)
        except Skipped:
            self.sent -= 1
            raise
        reply.describe = functools.partial(_describe, ex, deployment)
        return reply

    def _failed(self, contenders: list[Deployment], errors: list[BaseException]) -> None:
        """Apply the policy to each contender's fault; raise the one that stops the route."""
        for deployment, err in zip(contenders, errors, strict=False):
            if isinstance(err, Skipped):
                self.ex.attempts.append(records.skipped(deployment, err.reason, err.detail))
                continue
            if not isinstance(err, ProviderError):
                raise err
            self.last_error = err
            rule = self.policy.for_kind(err.kind)
            if rule.mark_unhealthy:
                self._unhealthy(deployment, err)
            if not rule.fallback:
                err.attempts = self.ex.attempts
                raise err
            if rule.larger_window_only:
                self.window_floor = deployment.context_window or 0

    async def _fall_back(self, failed: Deployment, to: Deployment) -> None:
        assert self.last_error is not None
        kind = self.last_error.kind
        logger.info(  # routine under load; auth failures are logged at ERROR
            "llmrouter: %s failed (%s), falling back to %s", failed.name, kind, to.name
        )
        await self.ex.telemetry.fallback(failed.name, to.name, kind)

    def _unhealthy(self, deployment: Deployment, err: ProviderError) -> None:
        self.x.health.mark_unhealthy(deployment.name, err.kind)
        self.ex.telemetry.model_unhealthy(deployment.name, err.kind)
        env = deployment.provider.api_key_env
        hint = f" (check {env})" if env else ""
        logger.error(
            "llmrouter: %s rejected the credentials of provider %r%s; model %s is marked "
            "unhealthy and tried last until the cooldown ends: %s",
            deployment.model,
            deployment.provider_name,
            hint,
            deployment.name,
            err.detail,
        )


def _describe(ex: Exchange, deployment: Deployment, usage: Usage | None, chars: int) -> RouteInfo:
    """The RouteInfo of an answer from `deployment` (see `llmrouter.pipeline.reply.Describe`)."""
    estimated = usage is None
    if usage is None:
        prompt = ex.estimate.prompt_tokens if ex.estimate is not None else 0
        completion = -(-chars // CHARS_PER_TOKEN)
        usage = Usage(
            prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
        )
    return RouteInfo(
        route=ex.route.name,
        model=deployment.name,
        provider=deployment.provider_name,
        strategy=ex.route.strategy.name,
        attempts=ex.attempts,
        cost_usd=deployment.price.cost_usd(usage),
        cost_estimated=estimated,
    )
