"""Deterministic content: request parsing and the answer a local provider gives, in the shape
the request asked for (tool arguments and JSON that validate against the given schema,
thinking when enabled)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from llmrouter.testing.schema_fill import instance_for
from llmrouter.testing.tokens import estimate_tokens, message_tokens, text_of

__all__ = [
    "Answer",
    "Finish",
    "ParsedRequest",
    "ReplySource",
    "ToolCall",
    "ToolSource",
    "build_answer",
    "estimate_tokens",
    "parse_anthropic",
    "parse_openai",
    "sign_thinking",
    "split_words",
]

Finish = Literal[
    "stop", "length", "tool_calls", "filtered", "network_error", "refusal", "pause_turn"
]
ReplySource = str | Callable[[dict[str, Any]], str]
ToolSource = Callable[[dict[str, Any]], "ToolCall | None"]
"""Picks the tool call to make for a request body (None: the default call)."""

DEFAULT_REFUSAL = "I'm sorry, but I can't help with that."
_SIGNING_KEY = b"llmrouter.testing thinking signature"


@dataclass(frozen=True)
class ParsedRequest:
    """What the server needs to know about a completion request, whatever the wire."""

    model: str
    stream: bool
    include_usage: bool
    max_tokens: int | None
    last_user_text: str
    last_is_user: bool
    prompt_tokens: int
    tool_name: str | None
    json_mode: bool
    tool_schema: Any = None
    response_schema: Any = None
    n: int = 1
    thinking: bool = False


@dataclass(frozen=True)
class ToolCall:
    """The tool call a local provider makes: arguments that fit the tool's schema."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Answer:
    """A successful answer, wire-neutral; the wire modules render it."""

    seq: int
    model: str
    text: str | None
    tool_call: ToolCall | None
    finish: Finish
    prompt_tokens: int
    completion_tokens: int
    thinking: str | None = None
    refusal: str | None = None
    n: int = 1
    """Choices to render (the OpenAI wire's `n`); each is this answer."""
    cache_read: int = 0
    """Prompt tokens read from the provider's prompt cache (part of `prompt_tokens`)."""
    cache_write: int = 0
    """Prompt tokens written to the prompt cache (Anthropic; part of `prompt_tokens`)."""

    @property
    def reasoning_tokens(self) -> int:
        """Completion tokens spent on thinking."""
        return estimate_tokens(self.thinking) if self.thinking else 0

    @property
    def signature(self) -> str:
        """The signature of the thinking text ('' without thinking)."""
        return sign_thinking(self.thinking) if self.thinking is not None else ""


def sign_thinking(thinking: str) -> str:
    """The signature a local Anthropic provider gives `thinking` (and checks when it comes
    back in a later turn)."""
    digest = hmac.new(_SIGNING_KEY, thinking.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _messages(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = body.get("messages")
    if not isinstance(raw, list):
        return []
    return [m for m in raw if isinstance(m, Mapping)]


def _last_user(messages: list[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def _is_plain_user(message: Mapping[str, Any] | None) -> bool:
    if message is None or message.get("role") != "user":
        return False
    content = message.get("content")
    if isinstance(content, list):
        return not any(isinstance(p, Mapping) and p.get("type") == "tool_result" for p in content)
    return True


def _prompt_tokens(messages: list[Mapping[str, Any]], system: str, tools: Any) -> int:
    total = sum(message_tokens(m) for m in messages)
    if system:
        total += estimate_tokens(system) + 3
    if tools:
        total += estimate_tokens(json.dumps(tools, ensure_ascii=False))
    return total


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pick_tool(tools: Any, forced: str | None) -> tuple[str | None, Any]:
    """(name, schema) of the tool to call: the forced one, else the first."""
    if not isinstance(tools, list):
        return None, None
    entries = []
    for tool in tools:
        if not isinstance(tool, Mapping):
            continue
        function = tool.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            entries.append((function["name"], function.get("parameters")))
        elif isinstance(tool.get("name"), str) and "input_schema" in tool:
            entries.append((tool["name"], tool.get("input_schema")))
    for name, schema in entries:
        if forced is None or name == forced:
            return name, schema
    return None, None


def parse_openai(body: Mapping[str, Any]) -> ParsedRequest:
    """Parse an OpenAI chat-completions request body (tolerant of missing fields)."""
    messages = _messages(body)
    tools = body.get("tools")
    choice = body.get("tool_choice")
    forced = None
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        forced = choice["function"].get("name")
    name, schema = _pick_tool(tools, forced) if choice != "none" else (None, None)
    options = body.get("stream_options")
    response_format = body.get("response_format")
    rf = response_format if isinstance(response_format, Mapping) else {}
    json_schema = rf.get("json_schema") if rf.get("type") == "json_schema" else None
    max_tokens = _int_or_none(body.get("max_completion_tokens"))
    thinking = body.get("thinking")
    return ParsedRequest(
        model=str(body.get("model", "")),
        stream=body.get("stream") is True,
        include_usage=isinstance(options, Mapping) and options.get("include_usage") is True,
        max_tokens=max_tokens if max_tokens is not None else _int_or_none(body.get("max_tokens")),
        last_user_text=_last_user(messages),
        last_is_user=_is_plain_user(messages[-1] if messages else None),
        prompt_tokens=_prompt_tokens(messages, "", tools),
        tool_name=name,
        json_mode=rf.get("type") in ("json_object", "json_schema"),
        tool_schema=schema,
        response_schema=json_schema.get("schema") if isinstance(json_schema, Mapping) else None,
        n=max(_int_or_none(body.get("n")) or 1, 1),
        thinking=isinstance(thinking, Mapping) and thinking.get("type") == "enabled",
    )


def _anthropic_schema(body: Mapping[str, Any]) -> Any:
    """The JSON schema of Anthropic structured outputs (`output_config.format`, or the beta
    `output_format`), else None."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, Mapping) else body.get("output_format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        return fmt.get("schema")
    return None


def parse_anthropic(body: Mapping[str, Any]) -> ParsedRequest:
    """Parse an Anthropic Messages request body (tolerant of missing fields)."""
    messages = _messages(body)
    tools = body.get("tools")
    choice = body.get("tool_choice")
    choice = choice if isinstance(choice, Mapping) else {}
    forced = choice.get("name") if choice.get("type") == "tool" else None
    name, schema = _pick_tool(tools, forced) if choice.get("type") != "none" else (None, None)
    thinking = body.get("thinking")
    output_schema = _anthropic_schema(body)
    return ParsedRequest(
        model=str(body.get("model", "")),
        stream=body.get("stream") is True,
        include_usage=True,
        max_tokens=_int_or_none(body.get("max_tokens")),
        last_user_text=_last_user(messages),
        last_is_user=_is_plain_user(messages[-1] if messages else None),
        prompt_tokens=_prompt_tokens(messages, text_of(body.get("system")), tools),
        tool_name=name,
        json_mode=output_schema is not None,
        tool_schema=schema,
        response_schema=output_schema,
        thinking=isinstance(thinking, Mapping) and thinking.get("type") in ("enabled", "adaptive"),
    )


def split_words(text: str) -> list[str]:
    """Split `text` into stream pieces: each word keeps its trailing space except the last."""
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]] if text else []


def _clamp(text: str, max_tokens: int | None) -> tuple[str, bool]:
    """Truncate `text` by words to fit `max_tokens`; report whether it was cut."""
    if max_tokens is None or estimate_tokens(text) <= max_tokens:
        return text, False
    kept = ""
    for piece in split_words(text):
        candidate = kept + piece
        if estimate_tokens(candidate.rstrip(" ")) > max_tokens:
            break
        kept = candidate
    kept = kept.rstrip(" ")
    if not kept:
        kept = text[: max(max_tokens, 0) * 4]
    return kept, True


def _reply_text(request: ParsedRequest, body: dict[str, Any], provider: str, reply: Any) -> str:
    if reply is None:
        return f"Hello from {provider}. You said: {request.last_user_text[:60]}"
    return reply if isinstance(reply, str) else str(reply(body))


def _thinking_for(request: ParsedRequest) -> str | None:
    if not request.thinking:
        return None
    return f"The user wrote: {request.last_user_text[:60]}. I will answer briefly."


def build_answer(
    request: ParsedRequest,
    body: dict[str, Any],
    *,
    provider: str,
    seq: int,
    reply: ReplySource | None = None,
    finish: Finish | None = None,
    refusal: str | None = None,
    tool: ToolSource | None = None,
) -> Answer:
    """The deterministic answer to `request` from `provider`: a tool call when `tool(body)`
    returns one (a scripted call), else a call of the first tool with arguments valid against
    its schema when the request offers tools and ends with a user's text, else text."""
    thinking = _thinking_for(request)
    spent = estimate_tokens(thinking) if thinking else 0
    text: str | None = None
    call = tool(body) if tool is not None and finish is None else None
    if call is not None:
        spent += estimate_tokens(call.name + call.arguments)
        finish = "tool_calls"
    elif finish == "refusal":
        refusal = refusal or DEFAULT_REFUSAL
        spent += estimate_tokens(refusal)
    elif request.tool_name is not None and request.last_is_user and finish is None:
        value = instance_for(request.tool_schema, request.last_user_text)
        call = ToolCall(request.tool_name, json.dumps(value, ensure_ascii=False))
        spent += estimate_tokens(call.name + call.arguments)
        finish = "tool_calls"
    else:
        text, cut = _clamp(_shaped_text(request, body, provider, reply), request.max_tokens)
        spent += estimate_tokens(text)
        finish = finish or ("length" if cut else "stop")
    return Answer(
        seq=seq,
        model=request.model,
        text=text,
        tool_call=call,
        finish=finish,
        prompt_tokens=request.prompt_tokens,
        completion_tokens=spent,
        thinking=thinking,
        refusal=refusal if finish == "refusal" else None,
        n=request.n,
    )


def _shaped_text(request: ParsedRequest, body: dict[str, Any], provider: str, reply: Any) -> str:
    """The reply text, as JSON valid against the requested schema when one was given."""
    text = _reply_text(request, body, provider, reply)
    if request.response_schema is not None:
        return json.dumps(instance_for(request.response_schema, text), ensure_ascii=False)
    if request.json_mode:
        return json.dumps({"reply": text}, ensure_ascii=False)
    return text
