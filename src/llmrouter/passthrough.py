"""Pass-through: a request's own body for a backend that speaks the format it was written in,
and what that backend sent back (docs/gateway.md, "Pass-through").

`llmrouter serve` translates every inbound request for the Router (the estimate, eligibility,
the cache key and other-wire fallbacks need messages) and also hands the body as the client
sent it, as a `Passthrough`. An attempt whose deployment speaks `Passthrough.wire` through a
native adapter sends that body (the deployment's model id in `model`, the stream flag as
requested, the provider's own key, the allowed headers); every other attempt is translated as
usual. The answer is parsed into the Router's types either way (usage, cost, inspection, the
cache and the audit need them); a pass-through attempt also keeps the bytes the backend sent:
`received_body(answer)` for a completion, `RouterStream.received` for a stream.

Only `anthropic-beta` values of `ANTHROPIC_BETAS` may travel, and only to the Anthropic wire:
the client's credentials, hop-by-hop and every other header never do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import PrivateAttr

from llmrouter.errors import RequestValidationError
from llmrouter.types import ChatCompletion
from llmrouter.vendors.base import Wire

__all__ = [
    "ANTHROPIC_BETAS",
    "PassedCompletion",
    "Passthrough",
    "ReceivedStream",
    "build_validators",
    "outbound_body",
    "received_body",
    "split_betas",
]

ANTHROPIC_BETAS = frozenset(
    {
        # request shapes the gateway carries anyway (Claude Code sends these)
        "claude-code-20250219",
        "interleaved-thinking-2025-05-14",
        "context-management-2025-06-27",
        "effort-2025-11-24",
        "mid-conversation-system-2026-04-07",
        "structured-outputs-2025-11-13",
        "thinking-token-count-2026-05-13",
        # prompt caching of the blocks the client marked itself
        "prompt-caching-2024-07-31",
        "prompt-caching-scope-2026-01-05",
        # how tool input streams and how long an answer may be (usage reports the tokens)
        "fine-grained-tool-streaming-2025-05-14",
        "token-efficient-tools-2025-02-19",
        "output-128k-2025-02-19",
        "output-300k-2026-03-24",
    }
)
"""`anthropic-beta` values a pass-through forwards to an Anthropic-wire backend. Every other
value is dropped and named in `x-llmrouter-dropped`; docs/gateway.md says why each kind is
left out (tools run on the vendor's side, state kept in the provider's account, prices the
price table does not hold, routing decided by the vendor, credentials)."""

FORWARDED_HEADERS: Mapping[Wire, frozenset[str]] = {
    "anthropic": frozenset({"anthropic-beta"}),
    "openai": frozenset(),
}
"""The only header names a `Passthrough` may carry, per wire (lower case)."""


def split_betas(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """`anthropic-beta` header values (each may list several, comma-separated) -> (allowed,
    dropped), each in the order given, without repeats."""
    kept: dict[str, None] = {}
    dropped: dict[str, None] = {}
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if name:
                (kept if name in ANTHROPIC_BETAS else dropped)[name] = None
    return list(kept), list(dropped)


@dataclass(frozen=True, slots=True)
class Passthrough:
    """The body of a request as its client wrote it, for backends of `wire`."""

    wire: Wire
    body: Mapping[str, Any]
    """The request body; `model` and `stream` are replaced per attempt."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Headers to forward (lower-case names): only those `FORWARDED_HEADERS` allows."""
    exclusive: frozenset[str] = frozenset()
    """Top-level fields only a backend of `wire` can carry (vendor fields): models of another
    wire are skipped for the request rather than sent it without them."""

    def __post_init__(self) -> None:
        if self.wire not in FORWARDED_HEADERS:
            raise RequestValidationError("passthrough.wire", "must be 'openai' or 'anthropic'")
        if not isinstance(self.body, Mapping):
            raise RequestValidationError("passthrough.body", "must be a mapping")
        allowed = FORWARDED_HEADERS[self.wire]
        for name, value in self.headers.items():
            if name not in allowed:
                raise RequestValidationError(
                    f"passthrough.headers.{name}", "is not a header a pass-through forwards"
                )
            if name == "anthropic-beta":
                _, dropped = split_betas([value])
                if dropped:
                    raise RequestValidationError(
                        "passthrough.headers.anthropic-beta",
                        f"{', '.join(dropped)} is not on the allow-list (ANTHROPIC_BETAS)",
                    )

    def cache_part(self) -> dict[str, Any]:
        """What of it can change the answer, for the cache key (delivery fields left out)."""
        body = {k: v for k, v in self.body.items() if k not in _DELIVERY}
        return {"wire": self.wire, "body": body, "headers": dict(self.headers)}


_DELIVERY = frozenset({"model", "stream", "stream_options"})


def outbound_body(passthrough: Passthrough, model_id: str, *, stream: bool) -> dict[str, Any]:
    """The body one attempt sends: the client's, with the deployment's model id and the
    stream flag of the call."""
    body = dict(passthrough.body)
    body["model"] = model_id
    if stream:
        body["stream"] = True
    elif body.get("stream"):
        body["stream"] = False
    return body


class PassedCompletion(ChatCompletion):
    """A completion answered by a pass-through attempt: the backend's JSON body is kept
    (privately: it is neither serialized nor cached)."""

    _received: bytes = PrivateAttr(default=b"")


def received_body(answer: ChatCompletion) -> bytes | None:
    """The body the backend sent for this answer, when a pass-through attempt answered."""
    if not isinstance(answer, PassedCompletion):
        return None
    private = answer.__pydantic_private__  # read directly: pydantic's __getattr__ is slow
    body = private.get("_received") if private else None
    return body or None


class ReceivedStream:
    """The events a backend sent to one streamed pass-through attempt, in order: each as its
    `event:` name (None without one) and its data, as received. The reader takes what arrived
    since it last looked; the adapter adds events as it reads them."""

    __slots__ = ("_events", "active")

    def __init__(self) -> None:
        self._events: list[tuple[str | None, bytes]] = []
        self.active = False
        """Set by an adapter that sent the pass-through body (others translate)."""

    def __repr__(self) -> str:
        return f"ReceivedStream({len(self._events)} events not taken)"

    def add(self, event: str | None, data: bytes) -> None:
        self._events.append((event, data))

    def take(self) -> list[tuple[str | None, bytes]]:
        """The events added since the last `take`."""
        events, self._events = self._events, []
        return events


def build_validators() -> None:
    """Build `PassedCompletion`'s validator now (the Router's warm-up calls this)."""
    PassedCompletion.model_rebuild(force=True)
