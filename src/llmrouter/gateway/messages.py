"""Inbound Anthropic Messages (`POST /v1/messages`): parsing in `messages_request`, rendering
in `messages_render`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any

from llmrouter.gateway.frontend import Inbound
from llmrouter.gateway.messages_render import (
    anthropic_error,
    anthropic_status,
    message_events,
    render_message,
)
from llmrouter.gateway.messages_request import parse_messages_request
from llmrouter.gateway.problems import Problem
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion
from llmrouter.vendors.base import Wire

__all__ = ["MessagesFrontend"]


class MessagesFrontend:
    """Anthropic Messages in, Anthropic Messages out."""

    name = "messages"
    wire: Wire | None = "anthropic"

    def parse(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> Inbound:
        inbound = parse_messages_request(body, headers)
        if inbound.stream:
            inbound.params["stream_options"] = {"include_usage": True}
        return inbound

    def render(self, answer: ChatCompletion, inbound: Inbound) -> dict[str, Any]:
        return render_message(answer, inbound)

    def events(self, stream: RouterStream, inbound: Inbound) -> AsyncGenerator[bytes, None]:
        return message_events(stream, inbound)

    def error_body(self, problem: Problem) -> dict[str, Any]:
        return anthropic_error(problem)

    def error_status(self, problem: Problem) -> int:
        return anthropic_status(problem)
