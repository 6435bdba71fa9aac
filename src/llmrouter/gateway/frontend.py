"""The shape every inbound format implements, and the request it hands the router.

A frontend parses its format's request body into an `Inbound` (the internal OpenAI-chat call:
messages and parameters of `Router.acompletion`), renders the router's answer back as JSON or
as its own SSE events, and renders a `Problem` in its own error shape. Fields that cannot be
carried are refused (`RequestValidationError` naming the field); hints that change cost or
speed but not the answer are dropped and listed in `Inbound.dropped`, which the handler sends
as `x-llmrouter-dropped`. A frontend whose format is a backend wire (`wire`: Chat Completions
is the OpenAI wire, Messages the Anthropic wire) also gets the body passed through to the
backends of that wire (`llmrouter.gateway.passthrough`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from llmrouter.errors import RequestValidationError
from llmrouter.gateway.problems import Problem
from llmrouter.passthrough import Passthrough
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion
from llmrouter.vendors.base import Wire

__all__ = ["Body", "Frontend", "Inbound", "refuse"]


@dataclass
class Inbound:
    """One inbound request, translated to the router's call."""

    model: str
    """The model name as the client sent it (rendered back in answers)."""
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    stream: bool
    dropped: list[str] = field(default_factory=list)
    raw: Mapping[str, Any] = field(default_factory=dict)
    namespaced: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Flattened tool name -> (namespace, name), for Responses namespace tools."""
    vendor_fields: list[str] = field(default_factory=list)
    """Top-level fields the translation has no name for, carried only to backends of the
    format's own wire (and there as they are)."""
    passthrough: Passthrough | None = None
    """The body for backends of the format's own wire."""
    passthrough_dropped: list[str] = field(default_factory=list)
    """What the pass-through leaves out (named when a pass-through attempt answers)."""


class Frontend(Protocol):
    """One inbound API format (Chat Completions, Responses, Anthropic Messages)."""

    name: str
    """Short name, used in logs and metrics: `chat`, `responses`, `messages`."""
    wire: Wire | None
    """The backend wire this format is (its requests pass through to it), or None."""

    def parse(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> Inbound:
        """Translate a request body; raise `RequestValidationError` naming a field."""
        ...

    def render(self, answer: ChatCompletion, inbound: Inbound) -> dict[str, Any]:
        """The answer as this format's JSON body."""
        ...

    def events(self, stream: RouterStream, inbound: Inbound) -> AsyncGenerator[bytes, None]:
        """The stream as this format's SSE events; a failure mid-stream ends it with the
        format's own error event."""
        ...

    def error_body(self, problem: Problem) -> dict[str, Any]:
        """A problem in this format's error shape."""
        ...

    def error_status(self, problem: Problem) -> int:
        """The HTTP status this format's clients expect for `problem`."""
        ...


def refuse(where: str, why: str) -> RequestValidationError:
    """The error for a field that cannot be carried."""
    return RequestValidationError(where, why)


class Body:
    """Reads the fields of one JSON object, type-checked; `finish()` refuses whatever was not
    read, so no field is ever silently ignored."""

    def __init__(self, data: Mapping[str, Any], where: str = "") -> None:
        if not isinstance(data, Mapping):
            raise refuse(where or "body", "must be a JSON object")
        self.data = data
        self._where = where
        self._seen: set[str] = set()

    @property
    def where(self) -> str:
        """Where this object sits in the request (`messages[1].content[0]`)."""
        return self._where

    def path(self, name: str) -> str:
        return f"{self._where}.{name}" if self._where else name

    def has(self, name: str) -> bool:
        return name in self.data

    def get(self, name: str, kinds: type | tuple[type, ...], what: str) -> Any:
        """The value of `name` (None when absent or null); refused unless of `kinds`."""
        self._seen.add(name)
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _tuple(kinds)):
            raise refuse(self.path(name), f"must be {what}")
        return value

    def need(self, name: str, kinds: type | tuple[type, ...], what: str) -> Any:
        value = self.get(name, kinds, what)
        if value is None:
            raise refuse(self.path(name), f"is required ({what})")
        return value

    def drop(self, name: str, dropped: list[str]) -> None:
        """A hint the translation does not carry: named in `dropped` when present."""
        self._seen.add(name)
        if self.data.get(name) is not None:
            dropped.append(self.path(name))

    def ignore(self, *names: str) -> None:
        """Fields that carry nothing to translate (e.g. `type` tags already checked)."""
        self._seen.update(names)

    def finish(self, hint: str = "not supported by the llmrouter gateway") -> None:
        for name in self.data:
            if name not in self._seen:
                raise refuse(self.path(name), hint)


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)
