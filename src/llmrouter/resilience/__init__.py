"""Resilience: circuit breakers, retry budgets, bulkheads, hedging, shared breaker state."""

from llmrouter.resilience.breaker import BreakerSettings, CircuitBreaker
from llmrouter.resilience.guard import CircuitStats, Guard
from llmrouter.resilience.retry_budget import RetryBudget, RetryBudgetSettings

__all__ = [
    "BreakerSettings",
    "CircuitBreaker",
    "CircuitStats",
    "Guard",
    "RetryBudget",
    "RetryBudgetSettings",
]
