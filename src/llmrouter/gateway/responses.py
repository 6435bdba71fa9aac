"""Inbound OpenAI Responses (`POST /v1/responses`): parsing in `responses_request`, rendering
in `responses_render`; errors in the OpenAI shape."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any

from llmrouter.gateway.chat import openai_error
from llmrouter.gateway.frontend import Inbound
from llmrouter.gateway.problems import Problem
from llmrouter.gateway.responses_render import render_response, response_events
from llmrouter.gateway.responses_request import parse_responses_request
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion
from llmrouter.vendors.base import Wire

__all__ = ["ResponsesFrontend"]


class ResponsesFrontend:
    """OpenAI Responses in, OpenAI Responses out."""

    name = "responses"
    wire: Wire | None = None  # no backend speaks Responses natively: always translated

    def parse(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> Inbound:
        inbound = parse_responses_request(body, headers)
        if inbound.stream:
            inbound.params["stream_options"] = {"include_usage": True}
        return inbound

    def render(self, answer: ChatCompletion, inbound: Inbound) -> dict[str, Any]:
        return render_response(answer, inbound)

    def events(self, stream: RouterStream, inbound: Inbound) -> AsyncGenerator[bytes, None]:
        return response_events(stream, inbound)

    def error_body(self, problem: Problem) -> dict[str, Any]:
        return openai_error(problem)

    def error_status(self, problem: Problem) -> int:
        return problem.status
