"""The judge of a shadow's `judge` comparator: a route of the same router, asked through its
request path (the response cache bypassed, temperature 0), as `llmrouter eval --judge` asks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmrouter.experiments.grading import JudgeReply
from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.request import CompletionRequest
from llmrouter.routing.table import RouteTable
from llmrouter.types import ChatCompletion

__all__ = ["PipelineJudge"]

_NO_CACHE = {"no-cache": True, "no-store": True}


class PipelineJudge:
    """A `JudgeClient` over a route of the router; usable once `bind` gave it the path."""

    def __init__(self, route: str) -> None:
        self.route = route
        self._path: tuple[Handler, RouteTable, Callable[[], float]] | None = None

    def bind(self, handler: Handler, routes: RouteTable, clock: Callable[[], float]) -> None:
        self._path = (handler, routes, clock)

    async def ask(self, messages: list[dict[str, Any]]) -> JudgeReply:
        if self._path is None:
            raise RuntimeError("the judge is not bound to a router")
        handler, routes, clock = self._path
        request = CompletionRequest.build(
            self.route, messages, cache=_NO_CACHE, params={"temperature": 0}
        )
        route = routes.resolve(request.target)
        ex = Exchange(request, route, clock() + route.timeout_s, route.timeout_s)
        completion = (await handler(ex)).completion
        assert isinstance(completion, ChatCompletion)  # not a stream: a finished completion
        cost = completion.route.cost_usd if completion.route is not None else 0.0
        return JudgeReply(text=completion.text, cost_usd=cost)
