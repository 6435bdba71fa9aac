"""Routing: route table, strategies, eligibility, observed stats and model health."""

from llmrouter.routing.eligibility import Capabilities, capabilities_for
from llmrouter.routing.estimate import RequestEstimate, estimate_request
from llmrouter.routing.health import HealthRegistry, ModelHealth
from llmrouter.routing.stats import ModelStats
from llmrouter.routing.strategies import (
    CostStrategy,
    LatencyStrategy,
    OrderedStrategy,
    RoutingContext,
    Strategy,
    StrategySpec,
    WeightedStrategy,
    create_strategy,
    known_strategies,
    register_strategy,
)

__all__ = [
    "Capabilities",
    "CostStrategy",
    "HealthRegistry",
    "LatencyStrategy",
    "ModelHealth",
    "ModelStats",
    "OrderedStrategy",
    "RequestEstimate",
    "RoutingContext",
    "Strategy",
    "StrategySpec",
    "WeightedStrategy",
    "capabilities_for",
    "create_strategy",
    "estimate_request",
    "known_strategies",
    "register_strategy",
]
