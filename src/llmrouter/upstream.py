"""Routing and execution of one request: the dispatcher's plan, attempts through the adapter
under the executor's fault policy, then the answer (or the stream) with its route record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from llmrouter.errors import MalformedResponseError
from llmrouter.executor import Executor
from llmrouter.faults import error_for_finish_reason
from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.request import CompletionRequest
from llmrouter.routing.dispatch import Dispatcher
from llmrouter.routing.table import Route
from llmrouter.streaming import RouterStream
from llmrouter.telemetry.instrument import RequestScope
from llmrouter.types import Attempt, ChatCompletion, ChatCompletionChunk, RouteInfo, Usage

__all__ = ["Upstream", "wants_usage"]


class Upstream:
    """Serves a request that the cache did not answer."""

    def __init__(
        self,
        *,
        provider: Provider,
        executor: Executor,
        dispatch: Dispatcher,
        clock: Callable[[], float],
    ) -> None:
        self._provider = provider
        self._executor = executor
        self._dispatch = dispatch
        self._clock = clock

    async def complete(
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
        info = _route_info(route, outcome.deployment, outcome.attempts, resp.usage)
        outcome.attempt_scope.completed(resp)
        answer = resp.model_copy(update={"route": info})
        await self._dispatch.settle(route, request, answer)
        return answer

    async def open_stream(
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
            return _route_info(route, deployment, outcome.attempts, usage)

        stream = RouterStream(
            first=head,
            rest=rest,
            model=deployment.name,
            provider=deployment.provider_name,
            attempts=outcome.attempts,
            deadline=deadline,
            clock=self._clock,
            pass_usage_chunk=wants_usage(request),
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


@dataclass(frozen=True)
class _OpenedStream:
    """A stream whose first content has arrived; `aclose` abandons it (a hedging loser)."""

    head: list[ChatCompletionChunk]
    rest: Any

    async def aclose(self) -> None:
        await _close(self.rest)


def _call(deployment: Deployment, request: CompletionRequest, timeout_s: float) -> ProviderCall:
    return ProviderCall(
        deployment=deployment,
        messages=request.messages,
        params=request.params,
        timeout_s=timeout_s,
    )


def wants_usage(request: CompletionRequest) -> bool:
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
