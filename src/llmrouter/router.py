"""`Router`: wires config, routes, strategy, executor and adapters together. No logic of its own
beyond putting the request path of DESIGN.md in order."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, Literal, overload

from typing_extensions import Self

from llmrouter.cache.layer import ResponseCache
from llmrouter.config.loader import LoadedConfig, load_dict, load_file
from llmrouter.config.schema import RouterConfig
from llmrouter.config.secrets import Redactor
from llmrouter.errors import MalformedResponseError
from llmrouter.executor import Executor, RetrySettings
from llmrouter.faults import error_for_finish_reason
from llmrouter.pricing import price_for
from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.providers.litellm_adapter import LiteLLMProvider
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
from llmrouter.types import Attempt, ChatCompletion, ChatCompletionChunk, RouteInfo, Usage

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
        self._provider: Provider = provider or LiteLLMProvider(self._redactor)
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
                return await self._open_stream(route, request, scope)
            return await self._complete(route, request, scope)
        template = route.hit_template
        if request.stream:
            return await self._cache.stream(
                decision,
                template,
                lambda: self._open_stream(route, request, scope),
                clock=self._clock,
                pass_usage_chunk=_wants_usage(request),
            )
        return await self._cache.complete(
            decision, template, lambda: self._complete(route, request, scope)
        )

    async def _complete(
        self, route: Route, request: CompletionRequest, scope: RequestScope
    ) -> ChatCompletion:
        plan = await self._dispatch.plan(route, request)
        order = plan.order
        scope.routing(route.strategy.name, [d.name for d in order])
        timeout_s = request.timeout_s or route.timeout_s

        async def attempt(deployment: Deployment, attempt_timeout: float) -> ChatCompletion:
            resp = await self._provider.complete(_call(deployment, request, attempt_timeout))
            reason = resp.choices[0].finish_reason if resp.choices else None
            fault = error_for_finish_reason(
                reason, model=deployment.name, provider=deployment.provider_name
            )
            if fault is not None:
                raise fault
            return resp

        outcome = await self._dispatch.track(
            self._executor.run(
                route, order, attempt, timeout_s=timeout_s, scope=scope, skipped=plan.skipped
            )
        )
        resp = outcome.result
        info = self._route_info(route, outcome.deployment, outcome.attempts, resp.usage)
        outcome.attempt_scope.completed(resp)
        answer = resp.model_copy(update={"route": info})
        await self._dispatch.settle(route, request, answer)
        return answer

    async def _open_stream(
        self, route: Route, request: CompletionRequest, scope: RequestScope
    ) -> RouterStream:
        plan = await self._dispatch.plan(route, request)
        order = plan.order
        scope.routing(route.strategy.name, [d.name for d in order])
        timeout_s = request.timeout_s or route.timeout_s
        deadline = self._clock() + timeout_s

        async def attempt(deployment: Deployment, attempt_timeout: float) -> _OpenedStream:
            chunks = self._provider.stream(_call(deployment, request, attempt_timeout))
            iterator = chunks.__aiter__()
            head = await _read_head(iterator, deployment)  # closes the iterator if it fails
            return _OpenedStream(head, iterator)

        outcome = await self._dispatch.track(
            self._executor.run(
                route, order, attempt, timeout_s=timeout_s, scope=scope, skipped=plan.skipped
            )
        )
        head, rest = outcome.result.head, outcome.result.rest
        deployment = outcome.deployment

        def route_info(usage: Usage) -> RouteInfo:
            return self._route_info(route, deployment, outcome.attempts, usage)

        stream = RouterStream(
            first=head,
            rest=rest,
            model=deployment.name,
            provider=deployment.provider_name,
            attempts=outcome.attempts,
            deadline=deadline,
            clock=self._clock,
            pass_usage_chunk=_wants_usage(request),
            route_info=route_info,
        )
        attempt_scope = outcome.attempt_scope

        async def attempt_done(answer: ChatCompletion) -> None:
            attempt_scope.completed(answer)

        async def attempt_broke(reason: BaseException | None) -> None:
            attempt_scope.broke(reason)

        stream.watch(attempt_done, attempt_broke)
        self._dispatch.watch(stream, route, request, deployment)
        return stream

    @staticmethod
    def _route_info(
        route: Route, deployment: Deployment, attempts: list[Attempt], usage: Usage
    ) -> RouteInfo:
        return RouteInfo(
            route=route.name,
            model=deployment.name,
            provider=deployment.provider_name,
            strategy=route.strategy.name,
            attempts=attempts,
            cost_usd=deployment.price.cost_usd(usage),
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


@dataclass(frozen=True)
class _OpenedStream:
    """A stream whose first content has arrived; `aclose` abandons it (a hedging loser)."""

    head: list[ChatCompletionChunk]
    rest: Any

    async def aclose(self) -> None:
        await _close(self.rest)


def _info(resp: ChatCompletion) -> RouteInfo:
    assert resp.route is not None  # every response the router returns carries its route
    return resp.route


def _call(deployment: Deployment, request: CompletionRequest, timeout_s: float) -> ProviderCall:
    return ProviderCall(
        deployment=deployment,
        messages=request.messages,
        params=request.params,
        timeout_s=timeout_s,
    )


def _wants_usage(request: CompletionRequest) -> bool:
    options = request.params.get("stream_options")
    return isinstance(options, Mapping) and bool(options.get("include_usage"))


async def _read_head(iterator: Any, deployment: Deployment) -> list[ChatCompletionChunk]:
    """Read up to the first chunk that carries something for the caller.

    Leading role-only or empty chunks are held back, so a stream that fails before any content
    can still fall back without the caller having seen a thing.
    """
    head: list[ChatCompletionChunk] = []
    try:
        while True:
            chunk: ChatCompletionChunk = await iterator.__anext__()
            head.append(chunk)
            if _carries_content(chunk):
                break
    except StopAsyncIteration:
        if not any(_carries_content(c) for c in head):
            raise MalformedResponseError(
                "the stream ended before any content",
                model=deployment.name,
                provider=deployment.provider_name,
            ) from None
    except BaseException:
        await _close(iterator)
        raise
    for chunk in head:
        for choice in chunk.choices:
            fault = error_for_finish_reason(
                choice.finish_reason, model=deployment.name, provider=deployment.provider_name
            )
            if fault is not None:
                await _close(iterator)
                raise fault
    return head


def _carries_content(chunk: ChatCompletionChunk) -> bool:
    return any(
        c.delta.content or c.delta.tool_calls or c.finish_reason is not None for c in chunk.choices
    )


async def _close(iterator: Any) -> None:
    closer = getattr(iterator, "aclose", None)
    if closer is not None:
        try:
            await closer()
        except Exception:  # closing a broken stream may fail again; it is already abandoned
            return
