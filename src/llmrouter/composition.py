"""The composition step: a loaded config and the seams (clock, wall clock, sleep, rng,
provider) become the parts of the request path. `Router` calls `assemble` once; nothing else
builds these objects, so every seam is injected in one place and every shared store is opened
once per URL (docs/architecture.md, "Composition")."""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmrouter.budgets import Budget, BudgetBook
from llmrouter.config.loader import LoadedConfig
from llmrouter.config.schema import RouterConfig
from llmrouter.config.secrets import Redactor, ResolvedProvider
from llmrouter.datapolicy.audit_sinks import AuditLog
from llmrouter.datapolicy.blocks import BlockSet
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.datapolicy.rules import DataPolicy
from llmrouter.errors import ConfigError, RequestValidationError
from llmrouter.pipeline.build import Parts, build_pipeline
from llmrouter.pipeline.caching import CacheStage
from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.execution import RetrySettings
from llmrouter.pricing import price_for
from llmrouter.providers.base import Deployment, Provider
from llmrouter.providers.dispatch import AdapterDispatch, can_serve_natively
from llmrouter.providers.litellm_adapter import LiteLLMProvider
from llmrouter.resilience.guard import Guard
from llmrouter.resilience.shared import SharedBreakers
from llmrouter.routing.eligibility import Capabilities, capabilities_for
from llmrouter.routing.health import HealthRegistry
from llmrouter.routing.settings import RoutingSettings
from llmrouter.routing.stats import ModelStats
from llmrouter.routing.strategies import StrategyLoadError
from llmrouter.routing.table import RouteTable
from llmrouter.state.base import Store
from llmrouter.state.memory import MemoryStore
from llmrouter.state.registry import Stores
from llmrouter.telemetry.events import RouterCallbacks
from llmrouter.telemetry.setup import build_instrumentation

if TYPE_CHECKING:
    from llmrouter.qualify.setup import Qualification
    from llmrouter.qualify.status import RouteExperiments

__all__ = ["Assembly", "Options", "Seams", "assemble", "default_provider"]


@dataclass(frozen=True)
class Seams:
    """Everything a test or an embedder may replace."""

    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    provider: Provider | None = None
    """Serves every model (tests); None: native adapters, litellm for the rest."""


@dataclass(frozen=True)
class Options:
    """The Router's keyword settings that shape the path (see `Router.__init__`)."""

    retry: RetrySettings | None = None
    routing: RoutingSettings = field(default_factory=RoutingSettings)
    callbacks: Sequence[RouterCallbacks] = ()
    tracer_provider: Any | None = None
    meter_provider: Any | None = None


@dataclass(eq=False)
class Assembly:
    """The built request path and what it is made of."""

    handler: Handler
    routes: RouteTable
    deployments: dict[str, Deployment]
    stores: Stores
    parts: Parts

    async def start(self) -> None:
        """Read the shared state the first request must see: blocks, canary rollbacks."""
        await self.parts.gate.start()
        if self.parts.qualify is not None:
            await self.parts.qualify.start()

    def experiments(self) -> dict[str, RouteExperiments]:
        """Each route's shadow and canary, as they stand (see `Router.experiments`)."""
        return self.parts.qualify.status() if self.parts.qualify is not None else {}

    async def reset_canary(self, route: str) -> bool:
        """Resume `route`'s canary from no samples (see `Router.reset_canary`)."""
        canaries = self.parts.qualify.canaries if self.parts.qualify is not None else None
        if canaries is None:
            raise RequestValidationError("route", f"{route!r} has no canary (canaries: none)")
        return await canaries.reset(route)

    async def aclose(self) -> None:
        """Close the adapters' connections and every shared store, each once."""
        if self.parts.qualify is not None:  # first: no shadow may outlive the adapters
            await self.parts.qualify.aclose()
        await self.parts.gate.aclose()
        await self.parts.audit.aclose()
        await self.parts.provider.aclose()
        if self.parts.budgets is not None:
            await self.parts.budgets.aclose()  # queued charges: one last write
        if self.parts.cache is not None:
            await self.parts.cache.aclose()
        await self.stores.aclose()


def assemble(
    loaded: LoadedConfig, env: Mapping[str, str], seams: Seams, options: Options
) -> Assembly:
    """Build the request path of `loaded` (environment references resolved from `env`)."""
    config = loaded.config
    resolved = loaded.resolve_providers(env)
    deployments = _deployments(config, resolved)
    stores = Stores(seams.clock)
    state_store = _state_store(loaded, env, stores)
    routing = options.routing
    gate = _gate(config, state_store)
    budgets = _budgets(config, state_store, routing.wall_clock)
    capabilities = {name: capabilities_for(m) for name, m in config.models.items()}
    parts = Parts(
        provider=seams.provider or default_provider(config, resolved, deployments.values()),
        instrumentation=build_instrumentation(
            config.telemetry,
            callbacks=options.callbacks,
            tracer_provider=options.tracer_provider,
            meter_provider=options.meter_provider,
            env=env,
        ),
        cache=_cache(loaded, env, stores, seams.clock),
        capabilities=capabilities,
        budgets=budgets,
        stats=ModelStats(
            seams.clock, alpha=routing.latency_alpha, failure_floor_s=routing.failure_floor_s
        ),
        health=HealthRegistry(seams.clock),
        guard=_guard(config, state_store, seams),
        default_output_tokens=routing.default_output_tokens,
        clock=seams.clock,
        sleep=seams.sleep,
        retry=options.retry,
        gate=gate,
        audit=AuditLog.from_config(loaded, options.callbacks),
        qualify=_qualification(
            loaded, env, seams, options, deployments, capabilities, gate, budgets, state_store
        ),
    )
    routes = _routes(loaded, deployments, routing.rng or seams.rng, seams.clock)
    assembly = Assembly(build_pipeline(parts), routes, deployments, stores, parts)
    if parts.qualify is not None:
        parts.qualify.bind(assembly.handler, routes, seams.clock)
    states = functools.partial(parts.guard.circuit_states, tuple(deployments))
    parts.instrumentation.observe_circuits(assembly, states)
    return assembly


def _qualification(
    loaded: LoadedConfig,
    env: Mapping[str, str],
    seams: Seams,
    options: Options,
    deployments: Mapping[str, Deployment],
    capabilities: Mapping[str, Capabilities],
    gate: PolicyGate,
    budgets: BudgetBook | None,
    state_store: Store | None,
) -> Qualification | None:
    """Shadows and canaries, when some route has one (their machinery loads only then)."""
    if not any(r.shadow or r.canary for r in loaded.config.routes.values()):
        return None
    from llmrouter.qualify.setup import build_qualification

    return build_qualification(
        loaded,
        env,
        deployments=deployments,
        capabilities=capabilities,
        gate=gate,
        budgets=budgets,
        state_store=state_store,
        callbacks=options.callbacks,
        clock=seams.clock,
        wall_clock=seams.wall_clock,
        rng=options.routing.rng,
    )


def _routes(
    loaded: LoadedConfig,
    deployments: Mapping[str, Deployment],
    rng: random.Random,
    clock: Callable[[], float],
) -> RouteTable:
    try:
        return RouteTable(loaded.config, deployments, rng=rng, clock=clock)
    except StrategyLoadError as exc:
        path = ("routes", exc.route, exc.field)
        raise ConfigError([f"{loaded.locate(path).describe(path)}: {exc}"]) from None


def _deployments(
    config: RouterConfig, resolved: Mapping[str, ResolvedProvider]
) -> dict[str, Deployment]:
    return {
        name: Deployment(
            name=name,
            model=entry.model,
            provider=resolved[entry.provider],
            price=price_for(entry, config.currencies),
        )
        for name, entry in config.models.items()
    }


def _state_store(loaded: LoadedConfig, env: Mapping[str, str], stores: Stores) -> Store | None:
    """The `state:` Redis (budgets, breakers, blocks), or None for this process only. After a
    failure it is bypassed for at most `sync_s`, so blocks are read again within that time."""
    state = loaded.config.state
    url = loaded.state_url(env)
    if state.backend != "redis" or not url:
        return None
    trip_s = min(state.trip_s, state.sync_s)
    return stores.redis(url, timeout_s=state.timeout_ms / 1000, trip_s=trip_s)


def _gate(config: RouterConfig, state_store: Store | None) -> PolicyGate:
    """The data policy and blocks (shared through the `state:` store when there is one)."""
    blocks = BlockSet(
        state_store,
        namespace=config.state.namespace,
        sync_s=config.state.sync_s,
        owns_store=False,
    )
    return PolicyGate(DataPolicy.from_config(config), blocks)


def _guard(config: RouterConfig, state_store: Store | None, seams: Seams) -> Guard:
    shared = (
        SharedBreakers(
            state_store,
            config.state.namespace,
            clock=seams.clock,
            wall_clock=seams.wall_clock,
        )
        if state_store is not None
        else None
    )
    return Guard(
        breaker=config.circuit_breaker.settings(),
        retry_budget=config.retry_budget.settings(),
        max_concurrency={
            name: entry.max_concurrency
            for name, entry in config.models.items()
            if entry.max_concurrency is not None
        },
        clock=seams.clock,
        shared=shared,
    )


def _cache(
    loaded: LoadedConfig, env: Mapping[str, str], stores: Stores, clock: Callable[[], float]
) -> CacheStage | None:
    config = loaded.config.cache
    if config is None:
        return None
    store: Store
    if config.backend == "redis":
        url = loaded.cache_url(env)
        assert url is not None  # the schema requires it
        store = stores.redis(url, timeout_s=config.timeout_ms / 1000, trip_s=config.trip_s)
    else:
        store = MemoryStore(config.max_entries)
    return CacheStage(store, config, clock)


def _budgets(
    config: RouterConfig, state_store: Store | None, wall_clock: Callable[[], float]
) -> BudgetBook | None:
    entries = [Budget.from_config(b) for b in config.budgets]
    if not entries:
        return None
    # The background writer's retries wait for real: a fake test clock must not spin them.
    return BudgetBook(entries, state_store, namespace=config.state.namespace, wall_clock=wall_clock)


def default_provider(
    config: RouterConfig,
    resolved: Mapping[str, ResolvedProvider],
    deployments: Iterable[Deployment],
) -> Provider:
    """Native adapters where they can serve (and the provider's `adapter` allows), litellm
    for every other model; litellm is imported only if some model needs it. Both scrub the
    configured keys out of every message."""
    redactor = Redactor(p.api_key.get_secret_value() for p in resolved.values() if p.api_key)
    modes = {name: p.adapter for name, p in config.providers.items()}

    def use_native(deployment: Deployment) -> bool:
        mode = modes.get(deployment.provider_name, "auto")
        return mode == "native" or (mode == "auto" and can_serve_natively(deployment))

    return AdapterDispatch(
        redactor, LiteLLMProvider(redactor), use_native=use_native, deployments=list(deployments)
    )
