"""Routes: a name, candidate models and the settings for moving between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from llmrouter.config.loader import suggest
from llmrouter.config.schema import RouteCacheConfig, RouteConfig, RouterConfig
from llmrouter.errors import RouteNotFoundError
from llmrouter.policy import RoutePolicy
from llmrouter.providers.base import Deployment
from llmrouter.routing.strategies import Strategy, create_strategy
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

    @cached_property
    def hit_template(self) -> RouteInfo:
        """The RouteInfo a cache hit starts from (built once: this is the hot path)."""
        return RouteInfo(route=self.name, model="", provider="", strategy=self.strategy.name)


class RouteTable:
    """Resolves `model=` to a route; a bare model name is a one-model route with defaults."""

    def __init__(self, config: RouterConfig, deployments: Mapping[str, Deployment]) -> None:
        self._routes: dict[str, Route] = {
            name: _build(name, rc, deployments) for name, rc in config.routes.items()
        }
        for name in config.models:
            self._routes[name] = _build(name, RouteConfig(models=[name]), deployments)
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


def _build(name: str, rc: RouteConfig, deployments: Mapping[str, Deployment]) -> Route:
    return Route(
        name=name,
        candidates=tuple(deployments[m] for m in rc.models),
        strategy=create_strategy(rc.strategy),
        policy=RoutePolicy.build(rc.fault_policy),
        retries=rc.retries,
        timeout_s=rc.timeout_s,
        attempt_timeout_s=rc.attempt_timeout_s,
        cache=rc.cache_settings,
    )
