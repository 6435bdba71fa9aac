"""`Router`: the public face of the request path. It validates a call, resolves its route and
hands it to the pipeline built by `llmrouter.composition`; it holds no logic of its own."""

from __future__ import annotations

import asyncio
import os
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, overload

from typing_extensions import Self

from llmrouter.composition import Assembly, Options, Seams, assemble
from llmrouter.config.loader import LoadedConfig, load_dict, load_file
from llmrouter.config.schema import RouterConfig
from llmrouter.datapolicy.blocks import Block
from llmrouter.introspection import (
    AdapterKind,
    ModelInfo,
    RouteSummary,
    model_infos,
    route_summaries,
)
from llmrouter.passthrough import Passthrough
from llmrouter.passthrough import build_validators as build_passthrough_validators
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.execution import RetrySettings
from llmrouter.pipeline.reply import Reply
from llmrouter.providers.base import Deployment, Provider
from llmrouter.providers.dispatch import AdapterDispatch
from llmrouter.qualify.status import RouteExperiments
from llmrouter.request import CompletionRequest
from llmrouter.routing.health import ModelHealth
from llmrouter.routing.settings import RoutingSettings
from llmrouter.streaming import RouterStream
from llmrouter.telemetry.events import RouterCallbacks
from llmrouter.types import ChatCompletion, EmbeddingResponse, build_validators

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
        config: RouterConfig | LoadedConfig | Mapping[str, Any],
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
        replaces the adapters for every model (tests); `clock`/`sleep` drive deadlines and
        backoff (tests inject fakes so nothing really waits). `callbacks` receive typed events;
        `tracer_provider` / `meter_provider` replace OpenTelemetry's global providers;
        `routing` injects the weighted strategy's RNG and the budgets' wall clock."""
        if isinstance(config, LoadedConfig):
            loaded = config
        elif isinstance(config, RouterConfig):
            loaded = load_dict(config.model_dump())
        else:  # the YAML shape as a mapping, as `from_dict` takes it
            loaded = load_dict(config)
        routing = routing or RoutingSettings()
        seams = Seams(clock=clock, wall_clock=routing.wall_clock, sleep=sleep, provider=provider)
        self._config = loaded.config
        self._clock = clock
        options = Options(retry, routing, callbacks, tracer_provider, meter_provider)
        self._assembly: Assembly = assemble(
            loaded, os.environ if env is None else env, seams, options
        )
        self._handle = self._assembly.handler
        self._routes = self._assembly.routes
        self._warm = False
        self._warming: asyncio.Future[None] | None = None

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
        return dict(self._assembly.deployments)

    def models(self) -> list[ModelInfo]:
        """Every model entry as resolved: endpoint, adapter, price, context window,
        capabilities and the routes listing it (litellm's `get_model_list`, typed)."""
        provider = self._assembly.parts.provider

        def adapter_of(deployment: Deployment) -> AdapterKind:
            if not isinstance(provider, AdapterDispatch):
                return "custom"
            return "native" if provider.serves_natively(deployment) else "litellm"

        return model_infos(self._config, self._assembly.deployments, adapter_of)

    def routes(self) -> list[RouteSummary]:
        """Every route of the config: its models in order, strategy, retries, deadlines,
        shadows and canary."""
        table = self._assembly.routes
        return route_summaries(self._config, (table.resolve(n) for n in table.route_names))

    def health(self) -> dict[str, ModelHealth]:
        """Per model: healthy or not (and why, until when), circuit state (the worst of its
        breakers), error rate, latency (the EWMA the latency strategy uses) and requests in
        flight."""
        parts = self._assembly.parts
        out = {}
        for name in self._assembly.deployments:
            marks = parts.health.get(name)
            circuit = parts.guard.circuit(name)
            is_open = circuit.state == "open"
            out[name] = ModelHealth(
                healthy=marks.healthy and not is_open,
                reason=marks.reason or ("circuit_open" if is_open else None),
                until=marks.until,
                circuit=circuit.state,
                error_rate=circuit.error_rate,
                latency_s=parts.stats.latency(name),
                in_flight=circuit.in_flight,
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
        passthrough: Passthrough | None = None,
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
        passthrough: Passthrough | None = None,
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
        passthrough: Passthrough | None = None,
        **params: Any,
    ) -> ChatCompletion | RouterStream:
        """Complete a chat with the route (or model) named `model`.

        OpenAI parameters (`temperature`, `max_tokens`, `tools`, `response_format`, ...) pass
        through; an unknown one is refused by name (vendor fields go in `extra_body`).
        `timeout` overrides the route's deadline for this call. `metadata["tenant"]` isolates
        cache entries and budgets. `cache` takes per-call controls: `{"no-cache": True}` (skip
        the lookup), `{"no-store": True}`, `{"ttl": 30}`. With `stream=True` the result is a
        `RouterStream` of OpenAI-shaped chunks. `passthrough` carries the body as a client of
        the gateway wrote it: attempts on a backend of its wire send it as it is (see
        `llmrouter.passthrough`).
        """
        request = CompletionRequest.build(
            model,
            messages,
            stream=stream,
            metadata=metadata,
            timeout=timeout,
            cache=cache,
            params=params,
            passthrough=passthrough,
        )
        ex, reply = await self._serve(request)
        if request.stream:
            return RouterStream(
                reply,
                attempts=ex.attempts,
                deadline=ex.deadline,
                clock=self._clock,
                pass_usage_chunk=_wants_usage(request),
            )
        completion = reply.completion
        assert isinstance(completion, ChatCompletion)  # a non-streamed chat gets a completion
        return completion

    async def aembedding(
        self,
        model: str,
        input: str | Sequence[str],
        *,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        cache: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> EmbeddingResponse:
        """Embed `input` (a string, or a list of up to 2,048 strings) with the route (or
        model) named `model`: litellm's `Router.aembedding` call, answered in OpenAI's shape.

        Routes, fallbacks, retries, the deadline, breakers, the data policy, budgets, the cache
        and tracing apply as for `acompletion`; a model whose vendor has no embeddings is
        skipped (`no_embeddings`). Parameters: `dimensions`, `encoding_format` (`"float"` or
        `"base64"`), `user`, `extra_body`, `extra_headers`; any other is refused by name.
        `resp.data[i].embedding` is the vector of `input[i]`; `resp.route` says who answered.
        """
        request = CompletionRequest.embedding(
            model, input, metadata=metadata, timeout=timeout, cache=cache, params=params
        )
        _, reply = await self._serve(request)
        answer = reply.completion
        assert isinstance(answer, EmbeddingResponse)  # an embedding request gets embeddings
        return answer

    async def _serve(self, request: CompletionRequest) -> tuple[Exchange, Reply]:
        """Resolve the route, warm up once, and run the request through the pipeline."""
        route = self._routes.resolve(request.target)
        if not self._warm:
            await self._warm_up()
        timeout_s = request.timeout_s or route.timeout_s
        ex = Exchange(request, route, self._clock() + timeout_s, timeout_s)
        return ex, await self._handle(ex)

    async def block(
        self,
        *,
        reason: str,
        vendor: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        region: str | None = None,
    ) -> Block:
        """Stop sending requests to a vendor, provider, model or region (exactly one), with a
        reason. With a Redis `state:`, every router sharing it follows within `state.sync_s`,
        and the block survives restarts. Blocked models skip with `error="blocked"`."""
        await self._warm_up()
        return await self._assembly.parts.gate.blocks.block(
            reason=reason, vendor=vendor, provider=provider, model=model, region=region
        )

    async def unblock(
        self,
        *,
        vendor: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        region: str | None = None,
    ) -> Block | None:
        """Lift a block made with the same selector; the block lifted, or None."""
        await self._warm_up()
        return await self._assembly.parts.gate.blocks.unblock(
            vendor=vendor, provider=provider, model=model, region=region
        )

    def blocks(self) -> list[Block]:
        """Every block in force, each with its reason."""
        return self._assembly.parts.gate.blocks.blocks()

    def experiments(self) -> dict[str, RouteExperiments]:
        """Per route with a `shadow:` or a `canary:`, its live state: what the shadow sampled,
        sent, dropped, was refused by the data policy, compared (and each candidate's
        agreement); whether the canary is active or rolled back (and why), its samples and
        rates beside its control group's. No I/O."""
        return self._assembly.experiments()

    async def reset_canary(self, route: str) -> bool:
        """Resume `route`'s canary (rolled back or not) from no samples: here at once and, with
        a Redis `state:`, in every router and gateway worker sharing it within `state.sync_s`
        (as `llmrouter canary reset` does). False when the shared state could not be written
        now: it is written at the next sync. `RequestValidationError` for a route without a
        canary."""
        await self._warm_up()
        return await self._assembly.reset_canary(route)

    async def aclose(self) -> None:
        """Release the adapters' connections and the shared stores'."""
        await self._assembly.aclose()

    async def __aenter__(self) -> Self:
        await self._warm_up()
        return self

    async def _warm_up(self) -> None:
        """Import slow adapters (litellm takes seconds) off the event loop, once, before any
        deadline starts: a first request must not spend its deadline on an import."""
        if self._warm:
            return
        if self._warming is None:  # one warm-up, however many first requests wait on it
            self._warming = asyncio.ensure_future(self._warm_once())
        await asyncio.shield(self._warming)
        self._warm = True

    async def _warm_once(self) -> None:
        try:
            await asyncio.gather(
                asyncio.to_thread(_warm_up, self._assembly.parts.provider),
                self._assembly.stores.connect(),
            )
            await self._assembly.start()  # shared blocks and canary rollbacks hold from the start
        except BaseException:
            self._warming = None  # the next caller tries again
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        assembly = getattr(self, "_assembly", None)
        if assembly is not None and getattr(assembly.parts.provider, "open", False):
            warnings.warn(
                f"{self!r} was not closed: use `async with Router...` or `await "
                "router.aclose()` to release its connections",
                ResourceWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        if not hasattr(self, "_assembly"):  # its construction failed
            return "Router(<not built>)"
        models = list(self._assembly.deployments)
        return f"Router(routes={self._routes.route_names!r}, models={models!r})"


def _warm_up(provider: Provider) -> None:
    """What the first request would otherwise do on the event loop (run in a worker thread)."""
    build_validators()
    build_passthrough_validators()
    warm_up = getattr(provider, "warm_up", None)
    if warm_up is not None:
        warm_up()


def _wants_usage(request: CompletionRequest) -> bool:
    options = request.params.get("stream_options")
    return isinstance(options, Mapping) and bool(options.get("include_usage"))
