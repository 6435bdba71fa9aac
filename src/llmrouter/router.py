"""`Router`: wires config, routes, strategy, executor and adapters together. No logic of its own
beyond putting the request path of DESIGN.md in order."""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any, Literal, overload

from typing_extensions import Self

from llmrouter.cache.layer import ResponseCache
from llmrouter.config.loader import LoadedConfig, load_dict, load_file
from llmrouter.config.schema import RouterConfig
from llmrouter.config.secrets import Redactor
from llmrouter.executor import Executor, RetrySettings
from llmrouter.pricing import price_for
from llmrouter.providers.base import Deployment, Provider
from llmrouter.providers.litellm_adapter import LiteLLMProvider
from llmrouter.providers.native import NativeProvider, can_serve_natively
from llmrouter.request import CompletionRequest
from llmrouter.resilience.guard import Guard
from llmrouter.resilience.shared import SharedBreakers
from llmrouter.routing.dispatch import Dispatcher, RoutingSettings
from llmrouter.routing.health import HealthRegistry, ModelHealth
from llmrouter.routing.table import Route, RouteTable
from llmrouter.streaming import RouterStream
from llmrouter.telemetry.events import RouterCallbacks
from llmrouter.telemetry.instrument import RequestScope
from llmrouter.telemetry.setup import build_instrumentation
from llmrouter.types import ChatCompletion, RouteInfo
from llmrouter.upstream import Upstream, wants_usage

__all__ = ["Router"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Router:
    """One async interface over every configured model, with fallback and one retry loop.

    ```python
    async with Router.from_yaml("llmrouter.yaml") as router:
        resp = await router.acompletion(model="chat", messages=[{"role": "user", "content": "hi"}])
        resp.route.model, resp.route.attempts, resp.route.cost_usd
    ```
    """

    def __init__(
        self,
        config: RouterConfig | LoadedConfig,
        *,
        env: Mapping[str, str] | None = None,
        provider: Provider | None = None,
        retry: RetrySettings | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        callbacks: Sequence[RouterCallbacks] = (),
        tracer_provider: Any | None = None,
        meter_provider: Any | None = None,
        routing: RoutingSettings | None = None,
    ) -> None:
        """Build a router. `env` replaces `os.environ` for `${VAR}` references; `provider`
        replaces the litellm adapter for every model (tests); `clock`/`sleep` drive deadlines and
        backoff (tests inject fakes so nothing really waits). `callbacks` receive typed events;
        `tracer_provider` / `meter_provider` replace OpenTelemetry's global providers;
        `routing` injects the weighted strategy's RNG and the budgets' wall clock."""
        loaded = config if isinstance(config, LoadedConfig) else load_dict(config.model_dump())
        resolved = loaded.resolve_providers(os.environ if env is None else env)
        self._config = loaded.config
        self._redactor = Redactor(
            p.api_key.get_secret_value() for p in resolved.values() if p.api_key is not None
        )
        self._deployments = {
            name: Deployment(
                name=name,
                model=entry.model,
                provider=resolved[entry.provider],
                price=price_for(entry, loaded.config.currencies),
            )
            for name, entry in loaded.config.models.items()
        }
        self._routes = RouteTable(
            loaded.config, self._deployments, rng=routing.rng if routing else None, clock=clock
        )
        self._clock = clock
        self._health = HealthRegistry(clock)
        self._dispatch = Dispatcher.from_config(
            loaded, env, clock=clock, health=self._health, settings=routing
        )
        self._guard = Guard(
            breaker=loaded.config.circuit_breaker.settings(),
            retry_budget=loaded.config.retry_budget.settings(),
            max_concurrency={
                name: entry.max_concurrency
                for name, entry in loaded.config.models.items()
                if entry.max_concurrency is not None
            },
            clock=clock,
            shared=SharedBreakers.from_state(
                loaded.config.state.backend,
                loaded.state_url(env),
                loaded.config.state.namespace,
                timeout_s=loaded.config.state.timeout_ms / 1000,
                trip_s=loaded.config.state.trip_s,
                clock=clock,
            ),
        )
        self._executor = Executor(
            clock=clock, sleep=sleep, health=self._health, retry=retry, guard=self._guard
        )
        self._provider: Provider = provider or _default_provider(
            loaded.config, self._redactor, self._deployments.values()
        )
        self._upstream = Upstream(
            provider=self._provider, executor=self._executor, dispatch=self._dispatch, clock=clock
        )
        self._warm = False
        self._cache = (
            ResponseCache.from_config(loaded.config.cache, loaded.cache_url(env), clock)
            if loaded.config.cache is not None
            else None
        )
        self._instrument = build_instrumentation(
            loaded.config.telemetry,
            callbacks=callbacks,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            env=os.environ if env is None else env,
        )
        # A partial over the guard, not a lambda over self: the exports hold it while we live.
        self._instrument.observe_circuits(
            self, functools.partial(self._guard.circuit_states, tuple(self._deployments))
        )

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str], **kwargs: Any) -> Self:
        """Load `path` (safe YAML); a `ConfigError` names file, line and field of each problem."""
        return cls(load_file(path), **kwargs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], **kwargs: Any) -> Self:
        """Build from a mapping of the YAML shape (config built in code)."""
        return cls(load_dict(data), **kwargs)

    @property
    def config(self) -> RouterConfig:
        return self._config

    @property
    def deployments(self) -> Mapping[str, Deployment]:
        return dict(self._deployments)

    def health(self) -> dict[str, ModelHealth]:
        """Per model: healthy or not (and why, until when), circuit state, error rate,
        latency and requests in flight."""
        out = {}
        for name in self._deployments:
            marks = self._health.get(name)
            stats = self._guard.stats(name)
            out[name] = replace(
                marks,
                healthy=marks.healthy and stats.state != "open",
                reason=marks.reason or ("circuit_open" if stats.state == "open" else None),
                circuit=stats.state,
                error_rate=stats.error_rate,
                latency_s=stats.latency_s,
                in_flight=stats.in_flight,
            )
        return out

    @overload
    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: Literal[False] = False,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        cache: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion: ...

    @overload
    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: Literal[True],
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        cache: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> RouterStream: ...

    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        cache: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion | RouterStream:
        """Complete a chat with the route (or model) named `model`.

        OpenAI parameters (`temperature`, `max_tokens`, `tools`, `response_format`, ...) pass
        through. `timeout` overrides the route's deadline for this call. `metadata["tenant"]`
        isolates cache entries. `cache` takes per-call controls: `{"no-cache": True}` (skip the
        lookup), `{"no-store": True}`, `{"ttl": 30}`. With `stream=True` the result is a
        `RouterStream` of OpenAI-shaped chunks.
        """
        request = CompletionRequest.build(
            model,
            messages,
            stream=stream,
            metadata=metadata,
            timeout=timeout,
            cache=cache,
            params=params,
        )
        route = self._routes.resolve(request.target)
        if not self._warm:
            await self._warm_up()
        scope = self._instrument.request(route.name, request)
        try:
            result = await self._serve(route, request, scope)
        except BaseException as err:
            await asyncio.shield(scope.failed(err))
            raise
        if isinstance(result, RouterStream):
            result.watch(lambda answer: scope.succeeded(_info(answer)), scope.failed)
        else:
            await scope.succeeded(_info(result))
        return result

    async def _serve(
        self, route: Route, request: CompletionRequest, scope: RequestScope
    ) -> ChatCompletion | RouterStream:
        """Cache, then routing and execution."""
        decision = self._cache.decide(route.cache, request) if self._cache else None
        if self._cache is None or decision is None:
            if request.stream:
                return await self._upstream.open_stream(route, request, scope)
            return await self._upstream.complete(route, request, scope)
        template = route.hit_template
        if request.stream:
            return await self._cache.stream(
                decision,
                template,
                lambda: self._upstream.open_stream(route, request, scope),
                clock=self._clock,
                pass_usage_chunk=wants_usage(request),
            )
        return await self._cache.complete(
            decision, template, lambda: self._upstream.complete(route, request, scope)
        )

    async def aclose(self) -> None:
        """Release the adapters' connections, the cache's and the budget store's."""
        await self._provider.aclose()
        if self._cache is not None:
            await self._cache.aclose()
        await self._dispatch.aclose()
        await self._guard.aclose()

    async def __aenter__(self) -> Self:
        await self._warm_up()
        return self

    async def _warm_up(self) -> None:
        """Import slow adapters (litellm takes seconds) off the event loop, once, before any
        deadline starts: a first request must not spend its deadline on an import."""
        if self._warm:
            return
        warm_up = getattr(self._provider, "warm_up", None)
        if warm_up is not None:
            await asyncio.to_thread(warm_up)
        self._warm = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"Router(routes={self._routes.route_names!r}, models={list(self._deployments)!r})"


def _info(resp: ChatCompletion) -> RouteInfo:
    assert resp.route is not None  # every response the router returns carries its route
    return resp.route


def _default_provider(
    config: RouterConfig, redactor: Redactor, deployments: Iterable[Deployment]
) -> Provider:
    """Native adapters where they can serve (and the provider's `adapter` allows), litellm
    for every other model; litellm is imported only if some model needs it."""
    modes = {name: p.adapter for name, p in config.providers.items()}

    def use_native(deployment: Deployment) -> bool:
        mode = modes.get(deployment.provider_name, "auto")
        return mode == "native" or (mode == "auto" and can_serve_natively(deployment))

    return NativeProvider(
        redactor,
        LiteLLMProvider(redactor),
        use_native=use_native,
        deployments=list(deployments),
    )
