"""The planning stage: the route's strategy orders the eligible candidates; models marked
unhealthy (rejected credentials) are demoted to the end, not removed."""

from __future__ import annotations

from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Reply
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.stats import ModelStats
from llmrouter.routing.strategies import RoutingContext
from llmrouter.telemetry.instrument import NOOP_REQUEST

__all__ = ["Planning"]


class Planning:
    """Puts `exchange.candidates` in the order they will be tried."""

    def __init__(
        self, stats: ModelStats, health: HealthRegistry, default_output_tokens: int
    ) -> None:
        self._stats = stats
        self._health = health
        self._default_output = default_output_tokens

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        assert ex.estimate is not None  # set by the eligibility stage
        context = RoutingContext(ex.estimate, self._stats, self._default_output)
        route = ex.route
        ordered = route.strategy.order(ex.candidates, ex.request, context)
        unhealthy = self._health.unhealthy()
        if unhealthy:
            ordered = [d for d in ordered if d.name not in unhealthy] + [
                d for d in ordered if d.name in unhealthy
            ]
        ex.candidates = ordered
        if ex.telemetry is not NOOP_REQUEST:
            ex.telemetry.routing(route.strategy.name, [d.name for d in ordered])
        return await call_next(ex)
