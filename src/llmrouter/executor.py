"""Runs a request's attempts: same-model retries (tenacity), fallback, one deadline.

The decision for each fault comes from the route's `RoutePolicy`; this module only applies it:
- retry the same model while the policy allows, `retries` lasts, and the wait (the larger of
  the provider's Retry-After and a jittered exponential backoff) fits before the deadline;
- otherwise fall back to the next candidate if the policy allows, else raise the fault;
- raise `AllModelsFailedError` when no candidate (or no time) is left.
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

from llmrouter.errors import AllModelsFailedError, ProviderError, ProviderTimeoutError
from llmrouter.policy import RoutePolicy
from llmrouter.providers.base import Deployment
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


@dataclass
class _Plan:
    policy: RoutePolicy
    retries: int
    deadline: float
    attempt_timeout_s: float | None
    scope: RequestScope
    answered: AttemptScope | None = None


class Executor:
    """Applies the fault policy to a sequence of candidates."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        health: HealthRegistry,
        retry: RetrySettings | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._health = health
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
    ) -> Outcome[T]:
        """Try `candidates` (the route's models, in the strategy's order) within `timeout_s`."""
        plan = _Plan(
            route.policy, route.retries, self._clock() + timeout_s, route.attempt_timeout_s, scope
        )
        attempts: list[Attempt] = []
        last_error: ProviderError | None = None
        window_floor: int | None = None  # set after a context-window fault
        for index, deployment in enumerate(candidates):
            if window_floor is not None and not _larger_window(deployment, window_floor):
                attempts.append(_skipped(deployment, "context window not larger"))
                continue
            if self._clock() >= plan.deadline:
                break
            try:
                result = await self._with_retries(deployment, attempt_fn, plan, attempts)
            except ProviderError as err:
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
                nxt = candidates[index + 1].name if index + 1 < len(candidates) else None
                if nxt is not None:
                    logger.warning(
                        "llmrouter: %s failed (%s), falling back to %s",
                        deployment.name,
                        err.kind,
                        nxt,
                    )
                    await scope.fallback(deployment.name, nxt, err.kind)
                continue
            assert plan.answered is not None
            return Outcome(result, deployment, attempts, plan.answered)
        raise _all_failed(attempts, last_error, timeout_s, self._clock() >= plan.deadline)

    async def _with_retries(
        self,
        deployment: Deployment,
        attempt_fn: AttemptFn[T],
        plan: _Plan,
        attempts: list[Attempt],
    ) -> T:
        def retryable(exc: BaseException) -> bool:
            return isinstance(exc, ProviderError) and plan.policy.for_kind(exc.kind).retry

        retrying = AsyncRetrying(
            stop=stop_any(
                stop_after_attempt(plan.retries + 1), _StopPastDeadline(self._clock, plan.deadline)
            ),
            wait=self._wait,
            retry=retry_if_exception(retryable),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(deployment, attempt_fn, plan, attempts)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        retry_after = exc.retry_after_s if isinstance(exc, ProviderError) else None
        return max(backoff, retry_after or 0.0)

    async def _attempt(
        self,
        deployment: Deployment,
        attempt_fn: AttemptFn[T],
        plan: _Plan,
        attempts: list[Attempt],
    ) -> T:
        remaining = plan.deadline - self._clock()
        timeout = min(remaining, plan.attempt_timeout_s or math.inf)
        started = self._clock()
        scope = plan.scope.attempt(deployment, len(attempts) + 1)
        try:
            result = await asyncio.wait_for(attempt_fn(deployment, timeout), timeout)
        except asyncio.TimeoutError:
            err: ProviderError = ProviderTimeoutError(
                f"no answer within {timeout:.2f}s",
                model=deployment.name,
                provider=deployment.provider_name,
            )
            attempts.append(_failed(deployment, err, self._clock() - started))
            await scope.failed(err, attempts[-1])
            raise err from None
        except ProviderError as exc:
            attempts.append(_failed(deployment, exc, self._clock() - started))
            await scope.failed(exc, attempts[-1])
            raise
        except BaseException as exc:  # cancelled: end the span, record no attempt
            await asyncio.shield(scope.failed(exc, None))
            raise
        attempts.append(
            Attempt(
                model=deployment.name,
                provider=deployment.provider_name,
                outcome="ok",
                latency_s=self._clock() - started,
            )
        )
        plan.answered = scope
        await scope.answered(attempts[-1])
        return result

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


def _skipped(deployment: Deployment, reason: str) -> Attempt:
    return Attempt(
        model=deployment.name, provider=deployment.provider_name, outcome="skipped", error=reason
    )


def _failed(deployment: Deployment, err: ProviderError, latency_s: float) -> Attempt:
    return Attempt(
        model=deployment.name,
        provider=deployment.provider_name,
        outcome="error",
        error=err.kind,
        status_code=err.status_code,
        latency_s=latency_s,
        detail=err.detail,
    )


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    if isinstance(exc, ProviderError):
        logger.info(
            "llmrouter: retrying %s after %s in %.2fs",
            exc.model,
            exc.kind,
            state.upcoming_sleep,
        )


def _all_failed(
    attempts: list[Attempt], last: ProviderError | None, timeout_s: float, out_of_time: bool
) -> AllModelsFailedError:
    tried = [a for a in attempts if a.outcome == "error"]
    summary = "; ".join(f"{a.model}: {a.error}" for a in tried) or "no attempt made"
    if out_of_time:
        message = f"deadline of {timeout_s:g}s exceeded after {len(tried)} attempts ({summary})"
    else:
        message = f"all models failed ({summary})"
    return AllModelsFailedError(message, attempts, last)
