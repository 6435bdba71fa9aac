"""The order of the stages, written once. A new concern is a new stage in its own module, added
to one of these two lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmrouter.budgets import BudgetBook
from llmrouter.datapolicy.audit_sinks import AuditLog
from llmrouter.datapolicy.enforce import EnforcingProvider
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.pipeline.attempt.accounting import AttemptAccounting, Charges
from llmrouter.pipeline.attempt.admission import AdmissionStage
from llmrouter.pipeline.attempt.call import ProviderCallStage
from llmrouter.pipeline.attempt.inspection import Inspection
from llmrouter.pipeline.attempt.telemetry import AttemptTelemetry
from llmrouter.pipeline.audit import AuditStage
from llmrouter.pipeline.caching import CacheStage
from llmrouter.pipeline.canary import CanaryStage
from llmrouter.pipeline.chain import AttemptStage, Handler, LegHandler, RequestStage, compose
from llmrouter.pipeline.datapolicy import DataClassStage, LegPolicy
from llmrouter.pipeline.eligibility import Eligibility
from llmrouter.pipeline.execution import Execution, RetrySettings
from llmrouter.pipeline.planning import Planning
from llmrouter.pipeline.shadow import ShadowStage
from llmrouter.pipeline.telemetry import RequestTelemetry
from llmrouter.providers.base import Provider
from llmrouter.resilience.guard import Guard
from llmrouter.routing.eligibility import Capabilities
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.stats import ModelStats
from llmrouter.telemetry.instrument import Instrumentation

if TYPE_CHECKING:
    from llmrouter.qualify.setup import Qualification
    from llmrouter.qualify.shadow import Shadows

__all__ = ["Parts", "build_pipeline"]


@dataclass(frozen=True)
class Parts:
    """Everything the stages are made of (built by the router's composition step)."""

    provider: Provider
    instrumentation: Instrumentation
    cache: CacheStage | None
    capabilities: dict[str, Capabilities]
    budgets: BudgetBook | None
    stats: ModelStats
    health: HealthRegistry
    guard: Guard
    default_output_tokens: int
    clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]]
    retry: RetrySettings | None
    gate: PolicyGate
    audit: AuditLog
    qualify: Qualification | None = None
    """Shadows and canaries (None: no route has either)."""


def build_pipeline(parts: Parts) -> Handler:
    """The request handler: request stages around the executor, attempt stages around the
    provider call."""
    execution = _execution(parts, parts.guard, parts.health, parts.stats, parts.budgets)
    request_stages: list[RequestStage] = [
        RequestTelemetry(parts.instrumentation),
        AuditStage(parts.audit, parts.gate.policy.facts),
        DataClassStage(parts.gate),  # before the cache: the class is part of the key
    ]
    if parts.cache is not None:
        request_stages.append(parts.cache)
    qualify = parts.qualify
    if qualify is not None and qualify.shadows is not None:  # after the cache: hits are not
        request_stages.append(ShadowStage(qualify.shadows, _shadow_path(parts, qualify.shadows)))
    request_stages += [
        Eligibility(parts.capabilities, parts.budgets, parts.default_output_tokens, parts.gate),
        Planning(parts.stats, parts.health, parts.default_output_tokens),
    ]
    if qualify is not None and qualify.canaries is not None:  # reorders the planned candidates
        request_stages.append(CanaryStage(qualify.canaries))
    return compose(request_stages, execution)


def _attempts(parts: Parts, guard: Guard, stats: ModelStats, charges: Charges | None) -> LegHandler:
    """The attempt stages around the provider call, over `guard`, `stats` and `charges`."""
    attempt_stages: list[AttemptStage] = [
        LegPolicy(parts.gate),  # first: no leg of any kind is sent past the data policy
        AdmissionStage(guard),
        AttemptTelemetry(),
        AttemptAccounting(stats, charges, parts.clock),
        Inspection(),
    ]
    # The provider-level backstop checks every call again, inside the request's policy scope.
    provider = EnforcingProvider(parts.provider, parts.gate)
    return compose(attempt_stages, ProviderCallStage(provider))


def _execution(
    parts: Parts,
    guard: Guard,
    health: HealthRegistry,
    stats: ModelStats,
    charges: Charges | None,
) -> Execution:
    return Execution(
        attempt=_attempts(parts, guard, stats, charges),
        clock=parts.clock,
        sleep=parts.sleep,
        guard=guard,
        health=health,
        retry=parts.retry,
    )


def _shadow_path(parts: Parts, shadows: Shadows) -> Handler:
    """A shadow's own path: its audit record, then the same attempt stages as every leg, over
    the shadows' own breakers, health, statistics and budget scope (no cache, no canary)."""
    execution = _execution(parts, shadows.guard, shadows.health, shadows.stats, shadows.charges)
    return compose([AuditStage(parts.audit, parts.gate.policy.facts)], execution)
