"""Routes: a name, candidate models and the settings for moving between them."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from llmrouter.config.resilience import CircuitBreakerConfig
from llmrouter.config.schema import RouteCacheConfig, RouteConfig, RouterConfig
from llmrouter.didyoumean import suggest
from llmrouter.errors import RouteNotFoundError
from llmrouter.fault_policy import RoutePolicy
from llmrouter.providers.base import Deployment
from llmrouter.resilience.breaker import BreakerSettings
from llmrouter.routing.checks import AnswerCheck, CheckLoadError, load_check
from llmrouter.routing.strategies import (
    Strategy,
    StrategyLoadError,
    StrategySpec,
    create_strategy,
)
from llmrouter.types import RouteInfo

__all__ = ["Route", "RouteTable"]


@dataclass(frozen=True)
class Route:  # not slotted: cached_property needs __dict__
    name: str
    candidates: tuple[Deployment, ...]
    strategy: Strategy
    policy: RoutePolicy
    retries: int
    timeout_s: float
    attempt_timeout_s: float | None
    cache: RouteCacheConfig
    breaker: BreakerSettings | None = None
    """Circuit-breaker settings of this route's models (None: no breaker)."""
    hedge_after_s: float | None = None
    check_json: bool = True
    answer_check: AnswerCheck | None = None

    @cached_property
    def hit_template(self) -> RouteInfo:
        """The RouteInfo a cache hit starts from (built once: this is the hot path)."""
        return RouteInfo(route=self.name, model="", provider="", strategy=self.strategy.name)


class RouteTable:
    """Resolves `model=` to a route; a bare model name is a one-model route with defaults."""

    def __init__(
        self,
        config: RouterConfig,
        deployments: Mapping[str, Deployment],
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`rng` and `clock` reach each route's strategy through its `StrategySpec`."""
        rng = rng or random.Random()

        def build(name: str, rc: RouteConfig) -> Route:
            spec = StrategySpec(
                route=name,
                models=tuple(rc.models),
                weights=dict(rc.weights or {}),
                explore_every=rc.explore_every,
                rng=rng,
                clock=clock,
            )
            try:
                strategy = create_strategy(rc.strategy, spec)
            except StrategyLoadError as exc:
                exc.route = name
                raise
            route = _build(name, rc, deployments, strategy)
            try:
                check = load_check(rc.answer_check) if rc.answer_check else None
            except CheckLoadError as exc:
                failure = StrategyLoadError(str(exc))
                failure.route, failure.field = name, "answer_check"
                raise failure from None
            return replace(
                route,
                breaker=_breaker(rc.circuit_breaker, config.circuit_breaker),
                hedge_after_s=rc.hedge_after_ms / 1000 if rc.hedge_after_ms else None,
                check_json=rc.check_json,
                answer_check=check,
            )

        self._routes: dict[str, Route] = {
            name: build(name, rc) for name, rc in config.routes.items()
        }
        for name in config.models:
            self._routes[name] = build(name, RouteConfig(models=[name]))
        self._route_names = list(config.routes)
        self._model_names = list(config.models)

    def resolve(self, target: str) -> Route:
        route = self._routes.get(target)
        if route is None:
            known = self._route_names + self._model_names
            raise RouteNotFoundError(target, known, suggest(target, known))
        return route

    @property
    def route_names(self) -> list[str]:
        return list(self._route_names)


def _build(
    name: str, rc: RouteConfig, deployments: Mapping[str, Deployment], strategy: Strategy
) -> Route:
    return Route(
        name=name,
        candidates=tuple(deployments[m] for m in rc.models),
        strategy=strategy,
        policy=RoutePolicy.build(rc.fault_policy),
        retries=rc.retries,
        timeout_s=rc.timeout_s,
        attempt_timeout_s=rc.attempt_timeout_s,
        cache=rc.cache_settings,
    )


def _breaker(
    route: bool | CircuitBreakerConfig | None, default: CircuitBreakerConfig
) -> BreakerSettings | None:
    if route is None or route is True:
        return default.settings()
    if route is False:
        return None
    return route.settings()
