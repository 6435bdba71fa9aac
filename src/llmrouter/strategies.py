"""For strategy authors: what a routing strategy is given and returns.

```python
from llmrouter.strategies import RoutingContext, StrategySpec, register_strategy

class CheapestFirst:
    name = "cheapest-first"

    def order(self, candidates, request, context: RoutingContext):
        return sorted(candidates, key=lambda d: context.cost_usd(d) or float("inf"))

register_strategy("cheapest-first", CheapestFirst)   # then `strategy: cheapest-first` in YAML
```

A strategy only orders the eligible candidates; eligibility, budgets, the data policy and
health happen around it (docs/architecture.md). A factory is called once per route, with the
route's `StrategySpec` if it takes an argument; `strategy: package.module:Factory` in YAML
imports one when the Router is built.
"""

from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.routing.estimate import RequestEstimate
from llmrouter.routing.stats import ModelStats
from llmrouter.routing.strategies import (
    CostStrategy,
    LatencyStrategy,
    OrderedStrategy,
    RoutingContext,
    Strategy,
    StrategySpec,
    WeightedStrategy,
    known_strategies,
    register_strategy,
)

__all__ = [
    "CompletionRequest",
    "CostStrategy",
    "Deployment",
    "LatencyStrategy",
    "ModelStats",
    "OrderedStrategy",
    "RequestEstimate",
    "RoutingContext",
    "Strategy",
    "StrategySpec",
    "WeightedStrategy",
    "known_strategies",
    "register_strategy",
]
