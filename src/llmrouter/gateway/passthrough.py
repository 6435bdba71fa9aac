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

__all__ = ["STRIPPED", "passed_body", "prepare", "relay", "replace_model"]

STRIPPED: Mapping[Wire, frozenset[str]] = {
    "openai": frozenset({"store", "metadata", "service_tier"}),
    "anthropic": frozenset(),
}
"""Body fields a pass-through leaves out (dropped and named), per wire."""

_KEY = re.compile(rb'"model"\s*:\s*"(?:[^"\\]|\\.)*"')
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


def replace_model(data: bytes, model: str, depth: int = 1) -> bytes:
    """`data` (one JSON object) with the `model` key at `depth` (1: top level) set to `model`;
    unchanged when it has none. The rest stays byte for byte as it came."""
    for match in _KEY.finditer(data):
        before = _STRING.sub(b"", data[: match.start()])
        if b'"' in before:  # the match starts inside a string
            continue
        level = before.count(b"{") + before.count(b"[") - before.count(b"}") - before.count(b"]")
        if level == depth:
            return data[: match.start()] + b'"model":' + to_json(model) + data[match.end() :]
    return data


def passed_body(answer: ChatCompletion, inbound: Inbound) -> bytes | None:
    """The backend's own body for the client, when a pass-through attempt answered."""
    route = answer.route
    if route is not None and route.cache_hit:
        return None
    body = received_body(answer)
    return None if body is None else replace_model(body, inbound.model)


def _frame(events: list[tuple[str | None, bytes]], wire: Wire, model: str) -> bytes:
    out: list[bytes] = []
    for name, data in events:
        if wire == "openai" and data != _DONE:
            data = replace_model(data, model)
        elif name == "message_start":
            data = replace_model(data, model, depth=2)
        if b"\n" in data:
            data = data.replace(b"\n", b"\ndata: ")
        if name is None:
            out.append(b"data: " + data + b"\n\n")
        else:
            out.append(b"event: " + name.encode() + b"\ndata: " + data + b"\n\n")
    return b"".join(out)


async def relay(
    stream: RouterStream, received: ReceivedStream, inbound: Inbound, wire: Wire
) -> AsyncGenerator[bytes, None]:
    """The backend's events as it sent them, as the Router reads the stream (so its checks,
    deadline and accounting still apply); a failure ends the stream with the format's own
    error event, as a translated stream does."""
    try:
        async for _chunk in stream:
            data = _frame(received.take(), wire, inbound.model)
            if data:
                yield data
    except LLMRouterError as exc:
        problem = problem_for(exc)
        if wire == "openai":
            yield data_event(openai_error(problem))
        else:
            yield named_event("error", anthropic_error(problem))
        return
    data = _frame(received.take(), wire, inbound.model)
    if data:
        yield data
