"""What a request needs, estimated once before routing, without a tokenizer.

The estimate is deterministic and fast (no tokenizer is imported on the request path):

- prompt tokens = ceil(characters / 4) over message text, tool-call names and arguments and
  the JSON of `tools`, plus 4 tokens per message and 765 per image part;
- completion tokens are capped by `max_completion_tokens` (else `max_tokens`) when given;
- `unsigned_thinking`: thinking is on (`thinking` enabled or adaptive, or a `reasoning_effort`
  other than `none`) and an assistant turn carries a thinking block without a signature, or
  the tool-use turn being answered opens without one (another model wrote it: Anthropic
  refuses both).
- an embedding request: prompt tokens = ceil(characters / 4) per input, summed; no completion
  tokens; each input must fit the model's window on its own (`per_input_tokens`, the longest).

It is good to about +-25% for English prose and code; CJK text is underestimated (a CJK
character is often a whole token), so leave headroom under a context window.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from llmrouter.request import CompletionRequest

__all__ = [
    "CHARS_PER_TOKEN",
    "IMAGE_TOKENS",
    "MESSAGE_OVERHEAD_TOKENS",
    "JsonMode",
    "RequestEstimate",
    "estimate_request",
]

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
IMAGE_TOKENS = 765
"""OpenAI's count for one 1024x1024 high-detail image; Anthropic's is of the same order."""

JsonMode = Literal["json_object", "json_schema"]
_IMAGE_PARTS = frozenset({"image_url", "image", "input_image"})


@dataclass(frozen=True, slots=True)
class RequestEstimate:
    """A request's size and the capabilities it needs."""

    prompt_tokens: int
    max_output_tokens: int | None
    """`max_completion_tokens` or `max_tokens`, when the caller set one."""
    tools: bool = False
    vision: bool = False
    json: JsonMode | None = None
    stop_words: int = 0
    """How many stop sequences the request sets."""
    tool_choice: str | None = None
    """`auto`, `none`, `required`, or `function` for a named tool (None: not set)."""
    choices: int = 1
    """`n`, the number of choices asked for."""
    params: frozenset[str] = frozenset()
    """The names of the call parameters the request sets."""
    unsigned_thinking: bool = False
    """Thinking is on and the conversation has thinking no Anthropic model signed."""
    embedding: bool = False
    """An embedding request (`aembedding`)."""
    per_input_tokens: int | None = None
    """An embedding request's longest input: each input must fit a window on its own."""

    @property
    def window_tokens(self) -> int:
        """The tokens one context window must hold: the prompt and the completion cap, or an
        embedding request's longest input."""
        if self.per_input_tokens is not None:
            return self.per_input_tokens
        return self.prompt_tokens + (self.max_output_tokens or 0)


def estimate_request(request: CompletionRequest) -> RequestEstimate:
    """Estimate `request` (see the module docstring for the rules)."""
    if request.operation == "embedding":
        return _embedding_estimate(request)
    chars = 0
    images = 0
    for message in request.messages:
        content = message.get("content")
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            for part in content:
                if not isinstance(part, Mapping):
                    continue
                if part.get("type") in _IMAGE_PARTS:
                    images += 1
                else:
                    text = part.get("text")
                    chars += len(text) if isinstance(text, str) else 0
        calls = message.get("tool_calls")
        if calls:
            chars += _tool_call_chars(calls)
    params = request.params
    tools = params.get("tools") or params.get("functions")
    if tools:
        chars += len(json.dumps(tools, default=str))
    prompt = (
        -(-chars // CHARS_PER_TOKEN)
        + MESSAGE_OVERHEAD_TOKENS * len(request.messages)
        + IMAGE_TOKENS * images
    )
    cap = params.get("max_completion_tokens")
    if cap is None:
        cap = params.get("max_tokens")
    stop = params.get("stop")
    n = params.get("n")
    return RequestEstimate(
        prompt_tokens=prompt,
        max_output_tokens=cap if isinstance(cap, int) and not isinstance(cap, bool) else None,
        tools=bool(tools),
        vision=images > 0,
        json=_json_mode(params.get("response_format")),
        stop_words=(1 if isinstance(stop, str) else len(stop)) if stop else 0,
        tool_choice=_tool_choice(params.get("tool_choice")),
        choices=n if isinstance(n, int) and not isinstance(n, bool) and n > 1 else 1,
        params=frozenset(params),
        unsigned_thinking=_thinking_on(params) and _unsigned_thinking(request.messages),
    )


def _thinking_on(params: Mapping[str, Any]) -> bool:
    thinking = params.get("thinking")
    if isinstance(thinking, Mapping):
        return thinking.get("type") in ("enabled", "adaptive")
    effort = params.get("reasoning_effort")
    return effort is not None and effort != "none"


def _unsigned_thinking(messages: list[dict[str, Any]]) -> bool:
    """A thinking block without a signature, or a tool-use turn being answered (the last
    assistant message, followed by tool results) that opens without a signed one."""
    answering_tools = False
    last: Mapping[str, Any] | None = None
    for message in reversed(messages):
        role = message.get("role")
        if role == "tool":
            answering_tools = True
        elif role == "assistant":
            last = message
            break
    if answering_tools and last is not None and last.get("tool_calls"):
        blocks = last.get("thinking_blocks") or ()
        if not blocks or not _signed(blocks[0]):
            return True
    return any(
        not _signed(block)
        for message in messages
        if message.get("role") == "assistant"
        for block in message.get("thinking_blocks") or ()
    )


def _signed(block: Any) -> bool:
    if isinstance(block, Mapping):
        kind, signature = block.get("type"), block.get("signature")
    else:  # a ThinkingBlock of an earlier answer
        kind, signature = getattr(block, "type", None), getattr(block, "signature", None)
    return kind == "redacted_thinking" or bool(signature)


def _embedding_estimate(request: CompletionRequest) -> RequestEstimate:
    tokens = [-(-len(text) // CHARS_PER_TOKEN) for text in request.input]
    return RequestEstimate(
        prompt_tokens=sum(tokens),
        max_output_tokens=0,
        params=frozenset(request.params),
        embedding=True,
        per_input_tokens=max(tokens, default=0),
    )


def _tool_choice(choice: object) -> str | None:
    if choice is None:
        return None
    if isinstance(choice, str):
        return choice
    if isinstance(choice, Mapping):
        kind = choice.get("type")
        return "function" if kind in ("function", "tool") else str(kind)
    return "function"


def _tool_call_chars(calls: Any) -> int:
    total = 0
    if not isinstance(calls, list):
        return 0
    for call in calls:
        function = call.get("function") if isinstance(call, Mapping) else None
        if isinstance(function, Mapping):
            total += len(str(function.get("name") or "")) + len(
                str(function.get("arguments") or "")
            )
    return total


def _json_mode(response_format: object) -> JsonMode | None:
    if response_format is None:
        return None
    if isinstance(response_format, Mapping):
        kind = response_format.get("type")
        if kind == "json_object":
            return "json_object"
        if kind == "json_schema":
            return "json_schema"
        return None
    return "json_schema"  # a pydantic model class or a schema object: structured output
