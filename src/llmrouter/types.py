"""Typed, OpenAI-shaped responses and the routing record attached to each of them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Answer",
    "Attempt",
    "ChatCompletion",
    "ChatCompletionChunk",
    "Choice",
    "ChunkChoice",
    "CompletionTokensDetails",
    "Delta",
    "Embedding",
    "EmbeddingResponse",
    "FunctionCall",
    "Message",
    "PromptTokensDetails",
    "RouteInfo",
    "ThinkingBlock",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "build_validators",
]


class _Model(BaseModel):
    # Providers add fields over time; unknown ones are dropped, never an error.
    # Validators are built on first use, not at import: `import llmrouter` stays fast.
    model_config = ConfigDict(extra="ignore", defer_build=True)


def _json_text(value: Any) -> Any:
    """Tool-call arguments as JSON text: some providers (Z.ai's API reference, for one) send
    them as a JSON object, which the OpenAI shape carries as a string."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


class FunctionCall(_Model):
    name: str | None = None
    arguments: str = ""

    _arguments_text = field_validator("arguments", mode="before")(_json_text)


class ThinkingBlock(_Model):
    """A block of extended thinking (Anthropic), kept whole so the next turn can send it back
    with its signature, as Anthropic requires in a tool-use loop with thinking."""

    type: Literal["thinking", "redacted_thinking"] = "thinking"
    thinking: str | None = None
    signature: str | None = None
    data: str | None = None
    """The encrypted content of a `redacted_thinking` block."""


class ToolCall(_Model):
    id: str
    type: str = "function"
    """`function` (the only type OpenAI defines); other values are kept, not refused."""
    function: FunctionCall


class Message(_Model):
    role: str = "assistant"
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None
    """The model's refusal text, where the provider sends one (OpenAI). An Anthropic refusal
    is `finish_reason="refusal"`, with whatever text came in `content`."""
    reasoning_content: str | None = None
    """The model's reasoning text (GLM, DeepSeek; Anthropic thinking, joined)."""
    thinking_blocks: list[ThinkingBlock] | None = None
    """Anthropic thinking blocks with their signatures, to send back in the next turn."""
    audio: dict[str, Any] | None = None
    """OpenAI audio output (`modalities: ["audio"]`), as the provider sent it."""
    annotations: list[dict[str, Any]] | None = None
    """OpenAI annotations (web search citations), as the provider sent them."""


class Choice(_Model):
    index: int = 0
    message: Message
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None
    """Token log probabilities (`logprobs: true`), as the provider sent them."""


class PromptTokensDetails(_Model):
    """Parts of `prompt_tokens` (OpenAI shape)."""

    cached_tokens: int | None = None
    """Prompt tokens read from the provider's prompt cache (included in `prompt_tokens`)."""
    cache_write_tokens: int | None = None
    """Prompt tokens written to the provider's prompt cache (included in `prompt_tokens`);
    Anthropic bills them above the input price."""
    cache_write_1h_tokens: int | None = None
    """Of `cache_write_tokens`, those written with a one-hour lifetime (billed higher still)."""
    audio_tokens: int | None = None
    """Audio input tokens (included in `prompt_tokens`; priced as text: docs/wire-formats.md)."""


class CompletionTokensDetails(_Model):
    """Parts of `completion_tokens` (OpenAI shape)."""

    reasoning_tokens: int | None = None
    """Hidden reasoning tokens (included in `completion_tokens`)."""
    audio_tokens: int | None = None
    """Audio output tokens (included in `completion_tokens`)."""
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None
    """Predicted Outputs (`prediction`): tokens of the prediction used and not used."""


class Usage(_Model):
    """Token counts as the provider reported them (OpenAI convention: cached tokens are part of
    `prompt_tokens`, reasoning tokens are part of `completion_tokens`)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None

    @model_validator(mode="before")
    @classmethod
    def _top_level_cached_tokens(cls, data: Any) -> Any:
        """Moonshot reports cache hits as `usage.cached_tokens`, beside the totals rather than
        in `prompt_tokens_details`: read there, they are priced as cache reads."""
        if not isinstance(data, dict) or not isinstance(data.get("cached_tokens"), int):
            return data
        details = data.get("prompt_tokens_details")
        if isinstance(details, dict) and details.get("cached_tokens") is not None:
            return data
        data = dict(data)
        data["prompt_tokens_details"] = {
            **(details if isinstance(details, dict) else {}),
            "cached_tokens": data.pop("cached_tokens"),
        }
        return data

    @property
    def cached_tokens(self) -> int:
        """Cached prompt tokens, 0 when not reported."""
        details = self.prompt_tokens_details
        return (details.cached_tokens or 0) if details is not None else 0

    @property
    def cache_write_tokens(self) -> int:
        """Prompt tokens written to the prompt cache, 0 when not reported."""
        details = self.prompt_tokens_details
        return (details.cache_write_tokens or 0) if details is not None else 0

    @property
    def cache_write_1h_tokens(self) -> int:
        """Prompt tokens written to the cache for one hour, 0 when not reported."""
        details = self.prompt_tokens_details
        return (details.cache_write_1h_tokens or 0) if details is not None else 0

    @property
    def reasoning_tokens(self) -> int:
        """Reasoning completion tokens, 0 when not reported."""
        details = self.completion_tokens_details
        return (details.reasoning_tokens or 0) if details is not None else 0


OutcomeT = Literal["ok", "error", "skipped"]
LegKindT = Literal["first", "fallback", "retry", "hedge", "shadow", "canary"]


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
    kind: LegKindT | None = None
    """Why this attempt was sent: the first choice, a fallback, a retry, a hedge (None for a
    skipped candidate)."""


class RouteInfo(_Model):
    """How a response was routed: which model answered, after which attempts, at what cost."""

    route: str
    model: str
    provider: str
    strategy: str = "ordered"
    attempts: list[Attempt] = Field(default_factory=list)
    cost_usd: float = 0.0
    cost_estimated: bool = False
    """True when the provider reported no usage: `cost_usd` is then estimated from the
    prompt and the text delivered (characters / 4), so budgets are still charged."""
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
    service_tier: str | None = None
    """The tier that served the request (OpenAI's `service_tier`), as the provider said."""
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


class Embedding(_Model):
    """One input's vector (OpenAI's `embedding` object)."""

    object: str = "embedding"
    index: int
    """The position of its input in the request's `input` list."""
    embedding: list[float] | str
    """The vector; a base64 string of little-endian float32 values when the call asked for
    `encoding_format="base64"`."""


class EmbeddingResponse(_Model):
    """An OpenAI embeddings response (`object: "list"`) plus `route`."""

    object: str = "list"
    data: list[Embedding]
    model: str
    usage: Usage = Field(default_factory=Usage)
    """`prompt_tokens` and `total_tokens` (an embedding has no completion tokens)."""
    if TYPE_CHECKING:  # as on ChatCompletion: every response the router returns has its route
        route: RouteInfo = None  # type: ignore[assignment]
    else:
        route: RouteInfo | None = None

    @property
    def vectors(self) -> list[list[float] | str]:
        """The embeddings in input order."""
        return [item.embedding for item in sorted(self.data, key=lambda item: item.index)]


Answer = ChatCompletion | EmbeddingResponse
"""A whole answer of the request path: a chat completion or an embeddings response."""


class FunctionCallDelta(_Model):
    name: str | None = None
    arguments: str | None = None

    _arguments_text = field_validator("arguments", mode="before")(_json_text)


class ToolCallDelta(_Model):
    index: int = 0
    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCallDelta | None = None


class Delta(_Model):
    role: str | None = None
    content: str | None = None
    tool_calls: list[ToolCallDelta] | None = None
    refusal: str | None = None
    reasoning_content: str | None = None
    thinking_blocks: list[ThinkingBlock] | None = None
    """A thinking block's signature (or a redacted block) once the block is complete."""


class ChunkChoice(_Model):
    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class ChatCompletionChunk(_Model):
    """An OpenAI `chat.completion.chunk` object."""

    id: str
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None


def build_validators() -> None:
    """Build the validators that are deferred at import (so `import llmrouter` stays fast).
    A Router does this in a worker thread while it warms up, so the first answer is not
    slowed, nor the event loop stalled, by building them."""
    for model in (
        FunctionCall,
        ToolCall,
        ThinkingBlock,
        Message,
        Choice,
        PromptTokensDetails,
        CompletionTokensDetails,
        Usage,
        Attempt,
        RouteInfo,
        ChatCompletion,
        Embedding,
        EmbeddingResponse,
        FunctionCallDelta,
        ToolCallDelta,
        Delta,
        ChunkChoice,
        ChatCompletionChunk,
    ):
        model.model_rebuild(force=True)
