"""The gateway's side of the same-wire pass-through (docs/gateway.md, "Pass-through").

In: the body a client sent becomes a `llmrouter.passthrough.Passthrough` for backends of the
inbound format's own wire, beside the translation the Router needs anyway.

- Messages: the body as sent; `anthropic-beta` values on `ANTHROPIC_BETAS` go with it, the
  others are dropped and named (`anthropic-beta:<value>`).
- Chat Completions: the body without `store` and `metadata` (a stored completion would keep
  every tenant's conversation in the provider's account) and `service_tier` (a price the
  price table does not hold), which are dropped and named. Vendor fields the translation has
  no name for (`Inbound.vendor_fields`) travel only this way.
- No client header other than those allowed `anthropic-beta` values ever travels.

Out: when the attempt that answered sent the pass-through body, the client gets the backend's
own JSON body, or its own events, with the model name the client asked for in `model`;
anything else (another wire after a fallback, a cache hit) the frontend renders as usual.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from pydantic_core import to_json

from llmrouter.errors import LLMRouterError
from llmrouter.gateway.chat import openai_error
from llmrouter.gateway.frontend import Inbound
from llmrouter.gateway.messages_render import anthropic_error
from llmrouter.gateway.problems import problem_for
from llmrouter.gateway.sse import data_event, named_event
from llmrouter.passthrough import Passthrough, ReceivedStream, received_body, split_betas
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion
from llmrouter.vendors.base import Wire

__all__ = ["STRIPPED", "encode_model", "passed_body", "prepare", "relay", "replace_model"]

STRIPPED: Mapping[Wire, frozenset[str]] = {
    "openai": frozenset({"store", "metadata", "service_tier"}),
    "anthropic": frozenset(),
}
"""Body fields a pass-through leaves out (dropped and named), per wire."""

_VALUE = re.compile(rb'\s*:\s*"(?:[^"\\]|\\.)*"')
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_DONE = b"[DONE]"


def prepare(
    wire: Wire, body: Mapping[str, Any], headers: Mapping[str, str], inbound: Inbound
) -> None:
    """Attach the pass-through of `body` to `inbound` (and what it leaves out)."""
    strip = STRIPPED[wire]
    dropped = [name for name in body if name in strip]
    sent = {k: v for k, v in body.items() if k not in strip} if dropped else body
    forward: dict[str, str] = {}
    if wire == "anthropic":
        kept, off = split_betas(_all(headers, "anthropic-beta"))
        if kept:
            forward["anthropic-beta"] = ",".join(kept)
        dropped += [f"anthropic-beta:{name}" for name in off]
    inbound.passthrough = Passthrough(
        wire, sent, forward, exclusive=frozenset(inbound.vendor_fields)
    )
    inbound.passthrough_dropped = dropped


def _all(headers: Mapping[str, str], name: str) -> list[str]:
    getall = getattr(headers, "getall", None)  # aiohttp's headers hold repeated names
    if getall is not None:
        return list(getall(name, ()))
    value = headers.get(name)
    return [value] if value else []


def encode_model(model: str) -> bytes:
    """`"model":"<model>"`, as `replace_model` writes it."""
    return b'"model":' + to_json(model)


def replace_model(data: bytes, model: bytes, depth: int = 1) -> bytes:
    """`data` (one JSON object) with its `model` key at `depth` (1: top level) replaced by
    `model` (from `encode_model`); unchanged when it has none. Every other byte stays as it
    came."""
    span = _model_span(data, depth)
    return data if span is None else data[: span[0]] + model + data[span[1] :]


def _model_span(data: bytes, depth: int) -> tuple[int, int] | None:
    """Where `"model": "..."` stands at `depth` in `data`, if it does."""
    start = 0
    while (found := data.find(b'"model"', start)) >= 0:
        start = found + 1
        before = data[:found]
        if b"\\" in before:  # escapes: strip whole strings (rare)
            outside = _STRING.sub(b"", before)
            if b'"' in outside:
                continue  # inside a string
        else:
            parts = before.split(b'"')
            if not len(parts) % 2:
                continue  # an odd number of quotes before: inside a string
            outside = b"".join(parts[0::2])
        opened = outside.count(b"{") + outside.count(b"[")
        if opened - outside.count(b"}") - outside.count(b"]") != depth:
            continue
        value = _VALUE.match(data, found + 7)
        if value is not None:
            return found, value.end()
    return None


class _Renamer:
    """`replace_model` for the events of one stream: once an event's model is found, a later
    event with the same bytes before it (a stream's chunks share id, object and created)
    has it at the same place, so it is replaced there without a search."""

    __slots__ = ("_depth", "_model", "_old", "_prefix")

    def __init__(self, model: bytes, depth: int) -> None:
        self._model = model
        self._depth = depth
        self._prefix = b""
        self._old = b""

    def __call__(self, data: bytes) -> bytes:
        prefix, old = self._prefix, self._old
        if old and data.startswith(prefix) and data.startswith(old, len(prefix)):
            return prefix + self._model + data[len(prefix) + len(old) :]
        span = _model_span(data, self._depth)
        if span is None:
            return data
        self._prefix, self._old = data[: span[0]], data[span[0] : span[1]]
        return data[: span[0]] + self._model + data[span[1] :]


def passed_body(answer: ChatCompletion, inbound: Inbound) -> bytes | None:
    """The backend's own body for the client, when a pass-through attempt answered."""
    route = answer.route
    if route is not None and route.cache_hit:
        return None
    body = received_body(answer)
    return None if body is None else replace_model(body, encode_model(inbound.model))


def _frame(events: list[tuple[str | None, bytes]], rename: _Renamer, wire: Wire) -> bytes:
    out: list[bytes] = []
    for name, data in events:
        if wire == "openai":
            if data != _DONE:
                data = rename(data)
        elif name == "message_start":
            data = rename(data)
        if b"\n" in data:
            data = data.replace(b"\n", b"\ndata: ")
        if name is None:
            out.append(b"data: " + data + b"\n\n")
        else:
            out.append(b"event: " + name.encode() + b"\ndata: " + data + b"\n\n")
    return out[0] if len(out) == 1 else b"".join(out)


async def relay(
    stream: RouterStream, received: ReceivedStream, inbound: Inbound, wire: Wire
) -> AsyncGenerator[bytes, None]:
    """The backend's events as it sent them, as the Router reads the stream (so its checks,
    deadline and accounting still apply); a failure ends the stream with the format's own
    error event, as a translated stream does."""
    rename = _Renamer(encode_model(inbound.model), 1 if wire == "openai" else 2)
    try:
        async for _chunk in stream:
            data = _frame(received.take(), rename, wire)
            if data:
                yield data
    except LLMRouterError as exc:
        problem = problem_for(exc)
        if wire == "openai":
            yield data_event(openai_error(problem))
        else:
            yield named_event("error", anthropic_error(problem))
        return
    data = _frame(received.take(), rename, wire)
    if data:
        yield data
