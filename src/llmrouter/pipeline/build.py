"""The order of the stages, written once. A new concern is a new stage in its own module, added
to one of these two lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from llmrouter.budgets import BudgetBook
from llmrouter.datapolicy.audit_sinks import AuditLog
from llmrouter.datapolicy.enforce import EnforcingProvider
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.pipeline.attempt.accounting import AttemptAccounting
from llmrouter.pipeline.attempt.admission import AdmissionStage
from llmrouter.pipeline.attempt.call import ProviderCallStage
from llmrouter.pipeline.attempt.inspection import Inspection
from llmrouter.pipeline.attempt.telemetry import AttemptTelemetry
from llmrouter.pipeline.audit import AuditStage
from llmrouter.pipeline.caching import CacheStage
from llmrouter.pipeline.chain import AttemptStage, Handler, RequestStage, compose
from llmrouter.pipeline.datapolicy import DataClassStage, LegPolicy
from llmrouter.pipeline.eligibility import Eligibility
from llmrouter.pipeline.execution import Execution, RetrySettings
from llmrouter.pipeline.planning import Planning
from llmrouter.pipeline.telemetry import RequestTelemetry
from llmrouter.providers.base import Provider
from llmrouter.resilience.guard import Guard
from llmrouter.routing.eligibility import Capabilities
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.stats import ModelStats
from llmrouter.telemetry.instrument import Instrumentation

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


def build_pipeline(parts: Parts) -> Handler:
    """The request handler: request stages around the executor, attempt stages around the
    provider call."""
    attempt_stages: list[AttemptStage] = [
        LegPolicy(parts.gate),  # first: no leg of any kind is sent past the data policy
        AdmissionStage(parts.guard),
        AttemptTelemetry(),
        AttemptAccounting(parts.stats, parts.budgets, parts.clock),
        Inspection(),
    ]
    # The provider-level backstop checks every call again, inside the request's policy scope.
    provider = EnforcingProvider(parts.provider, parts.gate)
    attempt = compose(attempt_stages, ProviderCallStage(provider))
    execution = Execution(
        attempt=attempt,
        clock=parts.clock,
        sleep=parts.sleep,
        guard=parts.guard,
        health=parts.health,
        retry=parts.retry,
    )
    request_stages: list[RequestStage] = [
        RequestTelemetry(parts.instrumentation),
        AuditStage(parts.audit, parts.gate.policy.facts),
        DataClassStage(parts.gate),  # before the cache: the class is part of the key
    ]
    if parts.cache is not None:
        request_stages.append(parts.cache)
    request_stages += [
        Eligibility(parts.capabilities, parts.budgets, parts.default_output_tokens, parts.gate),
        Planning(parts.stats, parts.health, parts.default_output_tokens),
    ]
    return compose(request_stages, execution)
