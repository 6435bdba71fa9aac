"""Routing: route table, strategies and model health."""

from llmrouter.routing.health import HealthRegistry, ModelHealth
from llmrouter.routing.strategies import (
    OrderedStrategy,
    Strategy,
    create_strategy,
    known_strategies,
    register_strategy,
)

__all__ = [
    "HealthRegistry",
    "ModelHealth",
    "OrderedStrategy",
    "Strategy",
    "create_strategy",
    "known_strategies",
    "register_strategy",
]
