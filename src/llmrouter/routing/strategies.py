"""Routing strategies: small objects that order a route's candidate models.

A strategy only orders; eligibility, budgets and health happen around it (see
`llmrouter.routing.dispatch`). It reads what it needs (the request estimate, prices, observed
latency) from the `RoutingContext` it is handed, never from globals.

Built in: `ordered`, `cost`, `latency`, `weighted`. More register by name with
`register_strategy`, or are named in YAML by import path (`strategy: mypkg.routing:MyStrategy`),
imported when a Router is built, never while a config loads or is checked. A factory is called
once per route, with the route's `StrategySpec` if it takes an argument.
"""

from __future__ import annotations

import importlib
import inspect
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast, runtime_checkable

from llmrouter.config import strategy_names
from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.routing.estimate import RequestEstimate
from llmrouter.routing.stats import ModelStats

__all__ = [
    "DEFAULT_OUTPUT_TOKENS",
    "CostStrategy",
    "LatencyStrategy",
    "OrderedStrategy",
    "RoutingContext",
    "Strategy",
    "StrategyLoadError",
    "StrategySpec",
    "WeightedStrategy",
    "create_strategy",
    "known_strategies",
    "register_strategy",
]

_MTOK = 1_000_000
DEFAULT_OUTPUT_TOKENS = 256
"""Completion tokens assumed for a model with no `max_tokens` and no observed answers."""


class RoutingContext:
    """What a strategy may read about one request: its estimate and the observed stats."""

    __slots__ = ("default_output_tokens", "estimate", "stats")

    def __init__(
        self,
        estimate: RequestEstimate,
        stats: ModelStats,
        default_output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    ) -> None:
        self.estimate = estimate
        self.stats = stats
        self.default_output_tokens = default_output_tokens

    def output_tokens(self, deployment: Deployment) -> float:
        """Expected completion tokens: the request's cap, else the model's own average, else
        the average over the models observed so far, else `default_output_tokens` (256)."""
        cap = self.estimate.max_output_tokens
        if cap is not None:
            return cap
        averages = self.stats.completion_averages
        seen = averages.get(deployment.name)
        return seen if seen is not None else self._fallback_output(averages)

    def _fallback_output(self, averages: Mapping[str, float]) -> float:
        if not averages:
            return self.default_output_tokens
        return sum(averages.values()) / len(averages)

    def cost_usd(self, deployment: Deployment) -> float | None:
        """Expected USD cost of this request on `deployment`; None when its price is unknown."""
        tokens = self.output_tokens(deployment)
        return deployment.price.estimate_usd(self.estimate.prompt_tokens, tokens)

    def costs(self, candidates: Sequence[Deployment]) -> list[float | None]:
        """`cost_usd` of each candidate, computed in one pass (the cost strategy's hot loop)."""
        prompt = self.estimate.prompt_tokens
        cap = self.estimate.max_output_tokens
        averages = self.stats.completion_averages
        default = self._fallback_output(averages) if cap is None else 0.0
        out: list[float | None] = []
        for deployment in candidates:
            price = deployment.price
            tiers = price.tiers
            if not tiers:
                out.append(None)
                continue
            tier = tiers[0] if len(tiers) == 1 else price.tier_for(prompt) or tiers[-1]
            tokens = cap if cap is not None else averages.get(deployment.name, default)
            out.append((prompt * tier.input_per_mtok + tokens * tier.output_per_mtok) / _MTOK)
        return out


@dataclass(frozen=True)
class StrategySpec:
    """A route's settings for its strategy, given to the factory once."""

    route: str
    models: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=dict)
    explore_every: int = 20
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] | None = None


@runtime_checkable
class Strategy(Protocol):
    """Orders candidates; the first is tried first, each next one is a fallback."""

    name: str

    def order(
        self,
        candidates: Sequence[Deployment],
        request: CompletionRequest,
        context: RoutingContext,
    ) -> list[Deployment]: ...


class OrderedStrategy:
    """The order of the route's `models:` list."""

    name = "ordered"

    def order(
        self,
        candidates: Sequence[Deployment],
        request: CompletionRequest,
        context: RoutingContext,
    ) -> list[Deployment]:
        return list(candidates)


class CostStrategy:
    """Cheapest expected cost of this request first; unknown prices last; ties keep the
    route's order."""

    name = "cost"

    def order(
        self,
        candidates: Sequence[Deployment],
        request: CompletionRequest,
        context: RoutingContext,
    ) -> list[Deployment]:
        costs = context.costs(candidates)
        inf = float("inf")
        keyed = sorted([(inf if cost is None else cost, index) for index, cost in enumerate(costs)])
        return [candidates[index] for _, index in keyed]


class LatencyStrategy:
    """Lowest latency EWMA first; models not yet measured go first so they get measured.

    Every `explore_every`-th request of the route tries the measured model with the oldest
    sample (other than the leader) first: a model that was slow and recovered wins traffic back.
    """

    name = "latency"

    def __init__(self, spec: StrategySpec | None = None) -> None:
        self._explore_every = spec.explore_every if spec is not None else 20
        self._count = 0

    def order(
        self,
        candidates: Sequence[Deployment],
        request: CompletionRequest,
        context: RoutingContext,
    ) -> list[Deployment]:
        latencies = context.stats.latencies
        fresh = [d for d in candidates if d.name not in latencies]
        measured = sorted(
            (d for d in candidates if d.name in latencies), key=lambda d: latencies[d.name]
        )
        self._count += 1
        every = self._explore_every
        if every and self._count % every == 0 and not fresh and len(measured) > 1:
            sampled_at = context.stats.sampled_at
            stale = min(measured[1:], key=lambda d: sampled_at(d.name))
            measured.remove(stale)
            measured.insert(0, stale)
        return fresh + measured


class WeightedStrategy:
    """First model drawn at random in proportion to `weights`; the rest follow by weight
    (heaviest first) as fallbacks. Weights renormalise over the eligible candidates."""

    name = "weighted"

    def __init__(self, spec: StrategySpec) -> None:
        self._weights = dict(spec.weights)
        self._rng = spec.rng

    def order(
        self,
        candidates: Sequence[Deployment],
        request: CompletionRequest,
        context: RoutingContext,
    ) -> list[Deployment]:
        weights = [self._weights.get(d.name, 0.0) for d in candidates]
        total = sum(weights)
        if total <= 0:
            return list(candidates)
        point = self._rng.random() * total
        pick = 0
        for index, weight in enumerate(weights):
            if weight > 0:
                pick = index
                point -= weight
                if point < 0:
                    break
        rest = sorted([(-w, i) for i, w in enumerate(weights) if i != pick])
        return [candidates[pick], *(candidates[i] for _, i in rest)]


StrategyFactory = Callable[..., Strategy]

_REGISTRY: dict[str, StrategyFactory] = {
    "ordered": OrderedStrategy,
    "cost": CostStrategy,
    "latency": LatencyStrategy,
    "weighted": WeightedStrategy,
}


def register_strategy(name: str, factory: StrategyFactory) -> None:
    """Make `strategy: <name>` available in configs loaded after this call.

    `factory` takes no argument, or one `StrategySpec` (the route's weights, RNG, clock).
    """
    _REGISTRY[name] = factory
    strategy_names.register_name(name)


def known_strategies() -> list[str]:
    """The registered strategy names, sorted."""
    return strategy_names.known()


def _import_factory(path: str) -> StrategyFactory:
    """Import the factory the config names. Only a class or a Python function is accepted
    (a builtin such as `os:abort` is refused before anything is called)."""
    module_name, _, attr = path.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except Exception as exc:  # any import-time failure of user code is a config problem
        raise StrategyLoadError(
            f"cannot load strategy {path!r}: {type(exc).__name__}: {exc}"
        ) from None
    if not (inspect.isclass(factory) or inspect.isfunction(factory)):
        raise StrategyLoadError(f"{path!r} is not a class or function (a strategy factory)")
    return cast(StrategyFactory, factory)


def create_strategy(name: str, spec: StrategySpec | None = None) -> Strategy:
    """Build the strategy `name` (registered, or `module:Class`) for one route. An import path
    is imported now, when the Router is built; a failure raises `StrategyLoadError`."""
    factory = _import_factory(name) if ":" in name else _REGISTRY[name]
    spec = spec or StrategySpec(route="", models=())
    strategy = factory(spec) if _takes_spec(factory) else factory()
    if not isinstance(strategy, Strategy):
        raise StrategyLoadError(f"strategy {name!r} has no `name` and `order(...)`")
    return strategy


class StrategyLoadError(Exception):
    """A route's strategy (or answer check) cannot be built; the Router turns it into a
    ConfigError located at `routes.<route>.<field>`."""

    route: str = ""
    field: str = "strategy"


def _takes_spec(factory: Any) -> bool:
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind in positional or p.kind is p.VAR_POSITIONAL for p in params)
