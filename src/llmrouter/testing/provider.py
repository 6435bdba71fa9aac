"""One impersonated provider: its wire format, fault plan, counters and recorded requests."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from llmrouter.testing.content import ParsedRequest, ReplySource, ToolSource
from llmrouter.testing.embeddings import EMBEDDING_RULES, check_embeddings, input_tokens
from llmrouter.testing.faults import Fault
from llmrouter.testing.prompt_cache import PromptCache
from llmrouter.testing.rules_anthropic import RULES as ANTHROPIC_RULES
from llmrouter.testing.rules_openai import RULE_NAMES as OPENAI_RULES
from llmrouter.testing.wire import Refused, WireFormat
from llmrouter.testing.wire_anthropic import AnthropicWire
from llmrouter.testing.wire_openai import OpenAIWire

__all__ = ["Flavor", "LocalProvider", "ReceivedRequest", "Wire"]

Wire = Literal["openai", "anthropic"]
Flavor = Literal["openai", "zhipu", "anthropic"]

DEFAULT_CONTEXT_WINDOW = 8192
KNOWN_RULES = frozenset(ANTHROPIC_RULES) | OPENAI_RULES | EMBEDDING_RULES | {"anthropic_version"}


@dataclass
class ReceivedRequest:
    """A completion request as the local provider received it.

    `headers` has lower-case names; `disconnected` is True when the client closed the
    connection before the response completed; `fault` is the kind of fault answered, if any
    ("refused" for a request the real API refuses, with the rule in `refusal`); `sent` is
    what the server wrote back (the body, or the stream's events as written).
    """

    seq: int
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    stream: bool
    received_at: float
    disconnected: bool = False
    finished_at: float | None = None
    fault: str | None = None
    refusal: str | None = None
    """The rule a refused request broke (`fault` is then "refused"), e.g. "max_tokens"."""
    sent: bytes = b""


def _make_wire(wire: Wire, flavor: Flavor) -> WireFormat:
    if wire == "anthropic":
        if flavor != "anthropic":
            raise ValueError(f"the anthropic wire has only the 'anthropic' flavor, not {flavor!r}")
        return AnthropicWire()
    if wire == "openai":
        if flavor not in ("openai", "zhipu"):
            raise ValueError(f"the openai wire has flavors 'openai' and 'zhipu', not {flavor!r}")
        return OpenAIWire(flavor)
    raise ValueError(f"unknown wire {wire!r}: use 'openai' or 'anthropic'")


class LocalProvider:
    """A provider served by `LocalProviderServer` under `/<name>`; script it from tests."""

    def __init__(
        self,
        name: str,
        *,
        wire: Wire = "openai",
        flavor: Flavor | None = None,
        base_url: Callable[[], str],
    ) -> None:
        self.name = name
        self.wire: Wire = wire
        self.flavor: Flavor = flavor or ("anthropic" if wire == "anthropic" else "openai")
        self.wire_format: WireFormat = _make_wire(wire, self.flavor)
        self._base_url = base_url
        #: Prompts estimated above this many tokens get the context-too-long fault.
        self.context_window: int | None = None
        #: When set, requests carrying another key get the auth fault.
        self.expected_api_key: str | None = None
        self.latency: float = 0.0
        self.reply: ReplySource | None = None
        self.tool: ToolSource | None = None
        self.requests: list[ReceivedRequest] = []
        self.request_count = 0
        #: Refusal rules switched off with `relax()`; empty: as strict as the real API.
        self.relaxed: set[str] = set()
        #: The provider's prompt cache (Anthropic: explicit breakpoints; OpenAI wire: automatic).
        self.prompt_cache = PromptCache()
        #: Prompts (or Anthropic breakpoint prefixes) shorter than this are never cached.
        self.cache_min_tokens = 1024
        self._queue: deque[Fault] = deque()
        self._always: Fault | None = None
        self._rate: tuple[float, Fault, random.Random] | None = None

    def __repr__(self) -> str:
        return f"LocalProvider({self.name!r}, wire={self.wire!r}, flavor={self.flavor!r})"

    @property
    def api_base(self) -> str:
        """The base URL to give a client, e.g. `http://127.0.0.1:PORT/glm`."""
        return f"{self._base_url()}/{self.name}"

    def serves(self, subpath: str) -> bool:
        """Whether `subpath` (the path after `/<name>`) is this provider's completion endpoint."""
        if self.wire == "anthropic":
            return subpath in ("/v1/messages", "/messages")
        return subpath in ("/chat/completions", "/v1/chat/completions")

    def serves_embeddings(self, subpath: str) -> bool:
        """Whether `subpath` is this provider's embeddings endpoint (the OpenAI wire only: the
        Anthropic API has none, and answers 404)."""
        return self.wire == "openai" and subpath in ("/embeddings", "/v1/embeddings")

    def relax(self, *rules: str) -> None:
        """Stop refusing requests that break these rules (for a test that needs leniency).

        Rule names: see `llmrouter.testing.rules_anthropic.RULES`,
        `llmrouter.testing.rules_openai.RULE_NAMES` and, for the embeddings endpoint,
        `llmrouter.testing.embeddings.EMBEDDING_RULES` (`unknown_param` covers both).
        """
        unknown = set(rules) - KNOWN_RULES
        if unknown:
            raise ValueError(f"unknown rules {sorted(unknown)}: use {sorted(KNOWN_RULES)}")
        self.relaxed.update(rules)

    def _supported(self, fault: Fault) -> Fault:
        if fault.kind == "pause_turn" and self.wire != "anthropic":
            raise ValueError("Fault.pause_turn() is an Anthropic stop reason: anthropic wire only")
        return fault

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        """Answer the next `times` requests with `fault` (queued after earlier `fail_next`s)."""
        if times < 0:
            raise ValueError("times must be >= 0")
        self._queue.extend([self._supported(fault)] * times)

    def fail_always(self, fault: Fault) -> None:
        """Answer every request with `fault` until `clear_faults()`."""
        self._always = self._supported(fault)

    def fail_rate(self, probability: float, fault: Fault, seed: int | None = None) -> None:
        """Answer each request with `fault` with `probability`, from an RNG seeded by `seed`."""
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        self._rate = (probability, self._supported(fault), random.Random(seed))

    def clear_faults(self) -> None:
        """Forget queued, permanent and random faults."""
        self._queue.clear()
        self._always = None
        self._rate = None

    def set_latency(self, seconds: float) -> None:
        """Wait `seconds` before every response."""
        if seconds < 0:
            raise ValueError("latency must be >= 0")
        self.latency = seconds

    def set_reply(self, reply: ReplySource | None) -> None:
        """Reply with this text, or `reply(request_body)`; None restores the default reply."""
        self.reply = reply

    def set_tool_call(self, tool: ToolSource | None) -> None:
        """Make the tool call `tool(request_body)` returns, whatever the request ends with (a
        `ToolCall`; None: the default, the first tool with `{"query": <last user text>}` when
        the request ends with a user's text)."""
        self.tool = tool

    def reset(self) -> None:
        """Clear faults, counters, recorded requests and the prompt cache."""
        self.clear_faults()
        self.prompt_cache.clear()
        self.requests.clear()
        self.request_count = 0

    def record(
        self, path: str, headers: Mapping[str, str], body: dict[str, Any], stream: bool, now: float
    ) -> ReceivedRequest:
        """Count and record one incoming completion request."""
        self.request_count += 1
        received = ReceivedRequest(
            seq=self.request_count,
            path=path,
            headers=dict(headers),
            body=body,
            stream=stream,
            received_at=now,
        )
        self.requests.append(received)
        return received

    def next_fault(self) -> Fault | None:
        """The scripted fault for this request: queued, then permanent, then random."""
        if self._queue:
            return self._queue.popleft()
        if self._always is not None:
            return self._always
        if self._rate is not None:
            probability, fault, rng = self._rate
            if rng.random() < probability:
                return fault
        return None

    def plan(
        self,
        headers: Mapping[str, str],
        body: Mapping[str, Any],
        request: ParsedRequest,
        seq: int,
    ) -> Refused | Fault | None:
        """Decide how to answer: a refusal, a fault, or None for success."""
        refusal = self.wire_format.check(headers, body, seq, self.relaxed)
        if refusal is not None:
            return refusal
        return self._scripted(headers, request.prompt_tokens)

    def plan_embeddings(
        self, headers: Mapping[str, str], body: Mapping[str, Any], seq: int
    ) -> Refused | Fault | None:
        """`plan` for an embeddings request (each input must fit `context_window`)."""
        assert isinstance(self.wire_format, OpenAIWire)  # only the OpenAI wire embeds
        refusal = check_embeddings(self.flavor, body, self.relaxed)
        if refusal is not None:
            return self.wire_format.refused(refusal, seq)
        return self._scripted(headers, max(input_tokens(body), default=0))

    def _scripted(self, headers: Mapping[str, str], prompt_tokens: int) -> Fault | None:
        """The key check, then the scripted fault, then the context window."""
        if self.expected_api_key is not None and (
            self.wire_format.api_key(headers) != self.expected_api_key
        ):
            return Fault.auth()
        fault = self.next_fault()
        if fault is not None:
            return fault
        if self.context_window is not None and prompt_tokens > self.context_window:
            return Fault.context_too_long()
        return None

    @property
    def effective_context_window(self) -> int:
        """`context_window`, or 8192 when unset (quoted by context-too-long errors)."""
        return self.context_window or DEFAULT_CONTEXT_WINDOW
