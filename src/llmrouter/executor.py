"""Runs a request's attempts: same-model retries (tenacity), fallback, one deadline.

The decision for each fault comes from the route's `RoutePolicy`; this module only applies it:
- before every attempt the `Guard` admits the model or not (open circuit, concurrency limit):
  a refused model is skipped without a call;
- retry the same model while the policy allows, `retries` lasts, the retry budget has room,
  and the wait (the larger of the provider's Retry-After and a jittered exponential backoff)
  fits before the deadline;
- otherwise fall back to the next candidate if the policy allows, else raise the fault;
- with `hedge_after_ms`, the first two candidates race once the first is slow;
- raise `AllModelsFailedError` (or `NoEligibleModelError` when every candidate was skipped)
  when no candidate, or no time, is left.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from llmrouter import attempt_records as records
from llmrouter._timeouts import within
from llmrouter.errors import ProviderError, ProviderTimeoutError
from llmrouter.policy import RoutePolicy
from llmrouter.providers.base import Deployment
from llmrouter.resilience.guard import Admission, Guard
from llmrouter.resilience.hedging import HedgeFailed, race
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.table import Route
from llmrouter.telemetry.instrument import NOOP_REQUEST, AttemptScope, RequestScope
from llmrouter.types import Attempt

__all__ = ["AttemptFn", "Executor", "Outcome", "RetrySettings"]

logger = logging.getLogger("llmrouter")

T = TypeVar("T")
AttemptFn = Callable[[Deployment, float], Awaitable[T]]
"""Makes one upstream attempt at a deployment within a timeout (seconds)."""


@dataclass(frozen=True)
class RetrySettings:
    """Backoff between attempts on the same model (full jitter, capped)."""

    backoff_initial_s: float = 0.25
    backoff_max_s: float = 8.0


@dataclass(frozen=True)
class Outcome(Generic[T]):
    result: T
    deployment: Deployment
    attempts: list[Attempt]
    attempt_scope: AttemptScope
    """The telemetry scope of the answering attempt, still open: the caller ends it."""


class _Skip(Exception):
    """The guard refused the model: skip it without a call."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass
class _Plan:
    route: Route
    policy: RoutePolicy
    deadline: float
    scope: RequestScope
    attempts: list[Attempt]


class Executor:
    """Applies the fault policy to a sequence of candidates."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        health: HealthRegistry,
        retry: RetrySettings | None = None,
        guard: Guard | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._health = health
        self._guard = guard
        settings = retry or RetrySettings()
        self._backoff = wait_random_exponential(
            multiplier=settings.backoff_initial_s, max=settings.backoff_max_s
        )

    async def run(
        self,
        route: Route,
        candidates: Sequence[Deployment],
        attempt_fn: AttemptFn[T],
        *,
        timeout_s: float,
        scope: RequestScope = NOOP_REQUEST,
        skipped: Sequence[Attempt] = (),
    ) -> Outcome[T]:
        """Try `candidates` (the route's models, in the strategy's order) within `timeout_s`.

        `skipped` (candidates left out before any call) start the attempts record, so they
        appear on the outcome and on every error raised."""
        plan = _Plan(route, route.policy, self._clock() + timeout_s, scope, list(skipped))
        attempts = plan.attempts
        last_error: ProviderError | None = None
        window_floor: int | None = None  # set after a context-window fault
        pending = list(candidates)
        while pending:
            if window_floor is not None:
                for d in [d for d in pending if not _larger_window(d, window_floor)]:
                    attempts.append(records.skipped(d, "context_window", "window not larger"))
                pending = [d for d in pending if _larger_window(d, window_floor)]
                if not pending:
                    break
            if self._clock() >= plan.deadline:
                break
            hedged = route.hedge_after_s is not None and len(pending) >= 2
            contenders = pending[:2] if hedged else pending[:1]
            try:
                winner, (result, answered) = await self._step(contenders, attempt_fn, plan)
            except _Skip as skip:
                attempts.append(records.skipped(pending[0], skip.reason, skip.detail))
                pending = pending[1:]
                continue
            except HedgeFailed as failure:
                errors = failure.errors
            except ProviderError as single:
                errors = [single]
            else:
                return Outcome(result, contenders[winner], attempts, answered)
            for deployment, err in zip(contenders, errors, strict=False):
                if isinstance(err, _Skip):
                    attempts.append(records.skipped(deployment, err.reason, err.detail))
                    continue
                assert isinstance(err, ProviderError)
                last_error = err
                rule = plan.policy.for_kind(err.kind)
                if rule.mark_unhealthy:
                    self._report_unhealthy(deployment, err)
                    scope.model_unhealthy(deployment.name, err.kind)
                if not rule.fallback:
                    err.attempts = attempts
                    raise err from None
                if rule.larger_window_only:
                    window_floor = deployment.context_window or 0
            pending = pending[len(errors) :]
            if pending and last_error is not None:
                failed_model = contenders[len(errors) - 1].name
                logger.info(  # routine under load; auth failures are logged at ERROR
                    "llmrouter: %s failed (%s), falling back to %s",
                    failed_model,
                    last_error.kind,
                    pending[0].name,
                )
                await scope.fallback(failed_model, pending[0].name, last_error.kind)
        raise records.no_answer(attempts, last_error, timeout_s, self._clock() >= plan.deadline)

    async def _step(
        self, contenders: list[Deployment], attempt_fn: AttemptFn[T], plan: _Plan
    ) -> tuple[int, tuple[T, AttemptScope]]:
        """One candidate, or a hedged race of two."""
        if len(contenders) == 1:
            return 0, await self._with_retries(contenders[0], attempt_fn, plan)
        assert plan.route.hedge_after_s is not None

        async def discard(loser: tuple[T, AttemptScope]) -> None:
            result, scope = loser
            scope.broke(None)
            closer = getattr(result, "aclose", None)
            if closer is not None:
                await closer()

        def fatal(error: BaseException) -> bool:
            return (
                isinstance(error, ProviderError) and not plan.policy.for_kind(error.kind).fallback
            )

        return await race(
            lambda: self._with_retries(contenders[0], attempt_fn, plan),
            lambda: self._with_retries(contenders[1], attempt_fn, plan),
            plan.route.hedge_after_s,
            fatal=fatal,
            discard=discard,
        )

    async def _with_retries(
        self, deployment: Deployment, attempt_fn: AttemptFn[T], plan: _Plan
    ) -> tuple[T, AttemptScope]:
        guard = self._guard
        if guard is not None:
            guard.first_attempt(deployment.name)

        def retryable(exc: BaseException) -> bool:
            if not isinstance(exc, ProviderError) or not plan.policy.for_kind(exc.kind).retry:
                return False
            return guard is None or guard.try_retry(deployment.name)

        retrying = AsyncRetrying(
            stop=stop_any(
                stop_after_attempt(plan.route.retries + 1),
                _StopPastDeadline(self._clock, plan.deadline),
            ),
            wait=self._wait,
            retry=retry_if_exception(retryable),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(deployment, attempt_fn, plan)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        retry_after = exc.retry_after_s if isinstance(exc, ProviderError) else None
        return max(backoff, retry_after or 0.0)

    async def _admit(self, deployment: Deployment, plan: _Plan) -> Admission | None:
        if self._guard is None:
            return None
        admission = await self._guard.admit(deployment.name, plan.route.breaker)
        if isinstance(admission, str):
            stats = self._guard.stats(deployment.name)
            detail = (
                f"circuit open, probe in {stats.retry_in_s:.1f}s"
                if admission == "circuit_open"
                else f"{stats.in_flight} requests in flight"
            )
            raise _Skip(admission, detail)
        return admission

    async def _attempt(
        self, deployment: Deployment, attempt_fn: AttemptFn[T], plan: _Plan
    ) -> tuple[T, AttemptScope]:
        admission = await self._admit(deployment, plan)
        attempts = plan.attempts
        remaining = plan.deadline - self._clock()
        timeout = min(remaining, plan.route.attempt_timeout_s or math.inf)
        started = self._clock()
        number = sum(1 for a in attempts if a.outcome != "skipped") + 1
        scope = plan.scope.attempt(deployment, number)
        verdict: str | None = "cancelled"
        try:
            result = await within(attempt_fn(deployment, timeout), timeout)
        except asyncio.TimeoutError:
            err: ProviderError = ProviderTimeoutError(
                f"no answer within {timeout:.2f}s",
                model=deployment.name,
                provider=deployment.provider_name,
            )
            verdict = err.kind
            attempts.append(records.failed(deployment, err, self._clock() - started))
            await scope.failed(err, attempts[-1])
            raise err from None
        except ProviderError as exc:
            verdict = exc.kind
            attempts.append(records.failed(deployment, exc, self._clock() - started))
            await scope.failed(exc, attempts[-1])
            raise
        except BaseException as exc:  # cancelled: end the span, record no attempt
            await asyncio.shield(scope.failed(exc, None))
            raise
        else:
            verdict = None
            attempts.append(records.succeeded(deployment, self._clock() - started))
            await scope.answered(attempts[-1])
            return result, scope
        finally:
            if self._guard is not None and admission is not None:
                self._guard.release(admission, verdict, self._clock() - started)

    def _report_unhealthy(self, deployment: Deployment, err: ProviderError) -> None:
        self._health.mark_unhealthy(deployment.name, err.kind)
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


class _StopPastDeadline(stop_base):
    """Stop when the coming wait would end at or after the deadline (then fall back)."""

    def __init__(self, clock: Callable[[], float], deadline: float) -> None:
        self._clock = clock
        self._deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._clock() + (retry_state.upcoming_sleep or 0.0) >= self._deadline


def _larger_window(deployment: Deployment, floor: int) -> bool:
    window = deployment.context_window
    return window is None or window > floor


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    if isinstance(exc, ProviderError):
        logger.info(
            "llmrouter: retrying %s after %s in %.2fs",
            exc.model,
            exc.kind,
            state.upcoming_sleep,
        )
