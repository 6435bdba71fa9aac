"""Resilience: circuit breakers, retry budgets, bulkheads, hedging, shared breaker state."""

from llmrouter.resilience.breaker import BreakerSettings, CircuitBreaker
from llmrouter.resilience.guard import Guard, ModelStats
from llmrouter.resilience.retry_budget import RetryBudget, RetryBudgetSettings

__all__ = [
    "BreakerSettings",
    "CircuitBreaker",
    "Guard",
    "ModelStats",
    "RetryBudget",
    "RetryBudgetSettings",
]
