"""Typed, OpenAI-shaped responses and the routing record attached to each of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Attempt",
    "ChatCompletion",
    "ChatCompletionChunk",
    "Choice",
    "ChunkChoice",
    "CompletionTokensDetails",
    "Delta",
    "FunctionCall",
    "Message",
    "PromptTokensDetails",
    "RouteInfo",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
]


class _Model(BaseModel):
    # Providers add fields over time; unknown ones are dropped, never an error.
    # Validators are built on first use, not at import: `import llmrouter` stays fast.
    model_config = ConfigDict(extra="ignore", defer_build=True)


class FunctionCall(_Model):
    name: str | None = None
    arguments: str = ""


class ToolCall(_Model):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class Message(_Model):
    role: str = "assistant"
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None
    reasoning_content: str | None = None


class Choice(_Model):
    index: int = 0
    message: Message
    finish_reason: str | None = None


class PromptTokensDetails(_Model):
    """Parts of `prompt_tokens` (OpenAI shape)."""

    cached_tokens: int | None = None
    """Prompt tokens read from the provider's prompt cache (included in `prompt_tokens`)."""


class CompletionTokensDetails(_Model):
    """Parts of `completion_tokens` (OpenAI shape)."""

    reasoning_tokens: int | None = None
    """Hidden reasoning tokens (included in `completion_tokens`)."""


class Usage(_Model):
    """Token counts as the provider reported them (OpenAI convention: cached tokens are part of
    `prompt_tokens`, reasoning tokens are part of `completion_tokens`)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None

    @property
    def cached_tokens(self) -> int:
        """Cached prompt tokens, 0 when not reported."""
        details = self.prompt_tokens_details
        return (details.cached_tokens or 0) if details is not None else 0

    @property
    def reasoning_tokens(self) -> int:
        """Reasoning completion tokens, 0 when not reported."""
        details = self.completion_tokens_details
        return (details.reasoning_tokens or 0) if details is not None else 0


OutcomeT = Literal["ok", "error", "skipped"]


class Attempt(_Model):
    """One upstream attempt (or one skipped candidate) of a request."""

    model_config = ConfigDict(frozen=True)

    model: str
    provider: str
    outcome: OutcomeT
    error: str | None = None
    """Short error kind (`ProviderError.kind`) or, for a skip, the reason."""
    status_code: int | None = None
    latency_s: float = 0.0
    detail: str | None = None
    """A scrubbed one-line description of the fault, for humans."""


class RouteInfo(_Model):
    """How a response was routed: which model answered, after which attempts, at what cost."""

    route: str
    model: str
    provider: str
    strategy: str = "ordered"
    attempts: list[Attempt] = Field(default_factory=list)
    cost_usd: float = 0.0
    cache_hit: bool = False


class ChatCompletion(_Model):
    """An OpenAI `chat.completion` object plus `route`."""

    id: str
    object: str = "chat.completion"
    created: int = 0
    model: str
    choices: list[Choice]
    usage: Usage = Field(default_factory=Usage)
    system_fingerprint: str | None = None
    if TYPE_CHECKING:
        # Every response the router returns carries its route, so type checkers see it as
        # present (`resp.route.model` passes `mypy --strict`); a ChatCompletion parsed from a
        # provider's JSON, before routing, has None.
        route: RouteInfo = None  # type: ignore[assignment]
    else:
        route: RouteInfo | None = None

    @property
    def text(self) -> str:
        """The first choice's text content ('' when it has none, e.g. a tool call)."""
        return (self.choices[0].message.content or "") if self.choices else ""


class FunctionCallDelta(_Model):
    name: str | None = None
    arguments: str | None = None


class ToolCallDelta(_Model):
    index: int = 0
    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCallDelta | None = None


class Delta(_Model):
    role: str | None = None
    content: str | None = None
    tool_calls: list[ToolCallDelta] | None = None
    reasoning_content: str | None = None


class ChunkChoice(_Model):
    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    finish_reason: str | None = None


class ChatCompletionChunk(_Model):
    """An OpenAI `chat.completion.chunk` object."""

    id: str
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None
