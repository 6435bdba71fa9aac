"""What the Anthropic Messages API refuses with HTTP 400 `invalid_request_error`, and the
message it gives. Each rule has a name a test can relax (`LocalProvider.relax(name)`).

- `unknown_field`: a top-level field the API does not define (`response_format`, `n`,
  `stream_options`, `logprobs`, ...); beta fields (`output_format`, `context_management`, ...)
  only with an `anthropic-beta` header;
- `max_tokens`: no `max_tokens`;
- `roles`: a `system` role inside `messages` (accepted with the `mid-conversation-system`
  beta, which Claude Code sends with one), or any other role than user and assistant;
- `tools`: a tool without `name`, or a custom tool without `input_schema`;
- `tool_choice`: not an object, an unknown `type`, `tool` without `name`, any `tool_choice`
  without `tools`;
- `thinking`: `budget_tokens` under 1024 or not under `max_tokens`, `temperature` other than 1,
  a forced tool;
- `thinking_blocks`: thinking on, and the assistant turn of the current tool loop does not start
  with a thinking block, or a thinking block carries a `signature` this provider did not give.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from llmrouter.testing.content import sign_thinking

__all__ = ["ANTHROPIC_BETA_FIELDS", "ANTHROPIC_FIELDS", "RULES", "check_anthropic"]

Refusal = tuple[str, str]
"""(rule name, the API's message)."""

ANTHROPIC_FIELDS = frozenset(
    {
        "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream",
        "temperature", "top_k", "top_p", "tools", "tool_choice", "thinking", "service_tier",
        "container", "cache_control", "inference_geo", "output_config", "user_profile_id",
    }
)  # fmt: skip
"""Top-level fields of `POST /v1/messages` (anthropic-sdk-python `MessageCreateParams`)."""

ANTHROPIC_BETA_FIELDS = frozenset(
    {
        "output_format", "context_management", "mcp_servers", "diagnostics", "speed",
        "fallbacks", "fallback_credit_token",
    }
)  # fmt: skip
"""Fields the API accepts only with an `anthropic-beta` header."""

_THINKING_DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
_CHOICE_TYPES = ("auto", "any", "tool", "none")


def _unknown_field(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    allowed = ANTHROPIC_FIELDS | (ANTHROPIC_BETA_FIELDS if headers.get("anthropic-beta") else set())
    for key in body:
        if key not in allowed:
            return f"{key}: Extra inputs are not permitted"
    return None


def _max_tokens(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    if body.get("max_tokens") is None:
        return "max_tokens: Field required"
    return None


MID_CONVERSATION_SYSTEM = "mid-conversation-system-2026-04-07"
"""The beta under which a `system` message may stand in `messages`."""


def _roles(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    betas = {b.strip() for b in headers.get("anthropic-beta", "").split(",")}
    for i, message in enumerate(body.get("messages") or ()):
        role = message.get("role") if isinstance(message, Mapping) else None
        if role == "system" and MID_CONVERSATION_SYSTEM in betas:
            continue
        if role == "system":
            return (
                'messages: Unexpected role "system". The Messages API accepts a top-level '
                '`system` parameter, not "system" as an input message role.'
            )
        if role not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
    return None


def _tools(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    for i, tool in enumerate(body.get("tools") or ()):
        if not isinstance(tool, Mapping) or not isinstance(tool.get("name"), str):
            return f"tools.{i}.custom.name: Field required"
        if "type" not in tool and "input_schema" not in tool:
            return f"tools.{i}.custom.input_schema: Field required"
    return None


def _tool_choice(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    choice = body.get("tool_choice")
    if choice is None:
        return None
    if not isinstance(choice, Mapping):
        return "tool_choice: Input should be a valid dictionary or object to extract fields from"
    kind = choice.get("type")
    if kind not in _CHOICE_TYPES:
        expected = ", ".join(f"'{t}'" for t in _CHOICE_TYPES)
        return (
            f"tool_choice: Input tag '{kind}' found using 'type' does not match any of the "
            f"expected tags: {expected}"
        )
    if kind == "tool" and not isinstance(choice.get("name"), str):
        return "tool_choice.tool.name: Field required"
    if not body.get("tools"):
        return "tool_choice may only be specified while providing tools."
    return None


def _thinking(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    thinking = body.get("thinking")
    if not isinstance(thinking, Mapping) or thinking.get("type") != "enabled":
        return None
    budget = thinking.get("budget_tokens")
    if not isinstance(budget, int) or budget < 1024:
        return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and budget >= max_tokens:
        return (
            "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
            f"documentation at {_THINKING_DOCS}#max-tokens-and-context-window-size"
        )
    if body.get("temperature") not in (None, 1, 1.0):
        return (
            "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
            f"documentation at {_THINKING_DOCS}#feature-compatibility"
        )
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping) and choice.get("type") in ("any", "tool"):
        return "Thinking may not be enabled when tool_choice forces tool use."
    return None


def _thinking_blocks(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    thinking = body.get("thinking")
    if not isinstance(thinking, Mapping) or thinking.get("type") not in ("enabled", "adaptive"):
        return None
    messages = [m for m in body.get("messages") or () if isinstance(m, Mapping)]
    for i, message in enumerate(messages):
        content = message.get("content")
        if message.get("role") != "assistant" or not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            if isinstance(block, Mapping) and block.get("type") == "thinking":
                text, signature = block.get("thinking"), block.get("signature")
                if not isinstance(text, str) or signature != sign_thinking(text):
                    return f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
    return _tool_loop_starts_with_thinking(messages)


def _tool_loop_starts_with_thinking(messages: list[Mapping[str, Any]]) -> str | None:
    """The assistant turn of the current tool loop must open with its thinking block."""
    if not messages or messages[-1].get("role") != "user":
        return None
    last = messages[-1].get("content")
    if not (isinstance(last, list) and any(_is(b, "tool_result") for b in last)):
        return None
    index = len(messages) - 2
    if index < 0 or messages[index].get("role") != "assistant":
        return None
    content = messages[index].get("content")
    blocks = content if isinstance(content, list) else []
    if not any(_is(b, "tool_use") for b in blocks):
        return None
    if blocks and (_is(blocks[0], "thinking") or _is(blocks[0], "redacted_thinking")):
        return None
    found = blocks[0].get("type") if blocks and isinstance(blocks[0], Mapping) else "text"
    return (
        f"messages.{index}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
        f"`{found}`. When `thinking` is enabled, a final `assistant` message must start with a "
        "thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). "
        "We recommend you include thinking blocks from previous turns. To avoid this "
        f"requirement, disable `thinking`. Please consult our documentation at {_THINKING_DOCS}"
    )


def _is(block: Any, kind: str) -> bool:
    return isinstance(block, Mapping) and block.get("type") == kind


RULES: dict[str, Callable[[Mapping[str, str], Mapping[str, Any]], str | None]] = {
    "unknown_field": _unknown_field,
    "max_tokens": _max_tokens,
    "roles": _roles,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "thinking": _thinking,
    "thinking_blocks": _thinking_blocks,
}


def check_anthropic(
    headers: Mapping[str, str], body: Mapping[str, Any], relaxed: frozenset[str] | set[str]
) -> Refusal | None:
    """The first rule `body` breaks (and its message), skipping `relaxed` rules."""
    for name, rule in RULES.items():
        if name in relaxed:
            continue
        message = rule(headers, body)
        if message is not None:
            return name, message
    return None
