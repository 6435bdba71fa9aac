"""Deterministic content: request parsing, token estimates and the reply a provider gives."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

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
    "split_words",
]

Finish = Literal["stop", "length", "tool_calls", "filtered", "network_error"]
ReplySource = str | Callable[[dict[str, Any]], str]
ToolSource = Callable[[dict[str, Any]], "ToolCall | None"]
"""Picks the tool call to make for a request body (None: the default call)."""


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


@dataclass(frozen=True)
class ToolCall:
    """The single tool call a local provider makes: the first tool, `{"query": text}`."""

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


def estimate_tokens(text: str) -> int:
    """A deterministic token estimate: one token per started group of four characters."""
    return math.ceil(len(text) / 4)


def _text_of(content: Any) -> str:
    """The text of a message content: a string, or the `text` of its text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                texts.append(part["text"])
        return "".join(texts)
    return ""


def _all_text_of(message: Mapping[str, Any]) -> str:
    """Everything in a message that costs tokens: text plus tool calls and tool results."""
    content = message.get("content")
    text = _text_of(content)
    extra: list[Any] = []
    if isinstance(content, list):
        extra.extend(p for p in content if isinstance(p, Mapping) and "text" not in p)
    if message.get("tool_calls"):
        extra.append(message["tool_calls"])
    return text + (json.dumps(extra, ensure_ascii=False) if extra else "")


def _messages(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = body.get("messages")
    if not isinstance(raw, list):
        return []
    return [m for m in raw if isinstance(m, Mapping)]


def _last_user(messages: list[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return _text_of(message.get("content"))
    return ""


def _is_plain_user(message: Mapping[str, Any] | None) -> bool:
    if message is None or message.get("role") != "user":
        return False
    content = message.get("content")
    if isinstance(content, list):
        return not any(isinstance(p, Mapping) and p.get("type") == "tool_result" for p in content)
    return True


def _prompt_tokens(texts: list[str], tools: Any) -> int:
    total = sum(estimate_tokens(text) + 3 for text in texts)
    if tools:
        total += estimate_tokens(json.dumps(tools, ensure_ascii=False))
    return total


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_openai(body: Mapping[str, Any]) -> ParsedRequest:
    """Parse an OpenAI chat-completions request body (tolerant of missing fields)."""
    messages = _messages(body)
    tools = body.get("tools")
    tool_name = None
    if isinstance(tools, list) and tools and body.get("tool_choice") != "none":
        first = tools[0] if isinstance(tools[0], Mapping) else {}
        function = first.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            tool_name = function["name"]
    options = body.get("stream_options")
    response_format = body.get("response_format")
    max_tokens = _int_or_none(body.get("max_completion_tokens"))
    return ParsedRequest(
        model=str(body.get("model", "")),
        stream=body.get("stream") is True,
        include_usage=isinstance(options, Mapping) and options.get("include_usage") is True,
        max_tokens=max_tokens if max_tokens is not None else _int_or_none(body.get("max_tokens")),
        last_user_text=_last_user(messages),
        last_is_user=_is_plain_user(messages[-1] if messages else None),
        prompt_tokens=_prompt_tokens([_all_text_of(m) for m in messages], tools),
        tool_name=tool_name,
        json_mode=isinstance(response_format, Mapping)
        and response_format.get("type") in ("json_object", "json_schema"),
    )


def parse_anthropic(body: Mapping[str, Any]) -> ParsedRequest:
    """Parse an Anthropic Messages request body (tolerant of missing fields)."""
    messages = _messages(body)
    texts = [_all_text_of(m) for m in messages]
    system = body.get("system")
    if system:
        texts.insert(0, _text_of(system))
    tools = body.get("tools")
    choice = body.get("tool_choice")
    tool_name = None
    choice_none = isinstance(choice, Mapping) and choice.get("type") == "none"
    if isinstance(tools, list) and tools and not choice_none:
        first = tools[0] if isinstance(tools[0], Mapping) else {}
        if isinstance(first.get("name"), str):
            tool_name = first["name"]
    return ParsedRequest(
        model=str(body.get("model", "")),
        stream=body.get("stream") is True,
        include_usage=True,
        max_tokens=_int_or_none(body.get("max_tokens")),
        last_user_text=_last_user(messages),
        last_is_user=_is_plain_user(messages[-1] if messages else None),
        prompt_tokens=_prompt_tokens(texts, tools),
        tool_name=tool_name,
        json_mode=False,
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


def build_answer(
    request: ParsedRequest,
    body: dict[str, Any],
    *,
    provider: str,
    seq: int,
    reply: ReplySource | None = None,
    finish: Finish | None = None,
    tool: ToolSource | None = None,
) -> Answer:
    """The deterministic answer to `request` from `provider`: a tool call when `tool(body)`
    returns one, else (the default) a call of the first tool with `{"query": <last user text>}`
    when the request offers tools and ends with a user's text, else text."""
    call = tool(body) if tool is not None and finish is None else None
    if call is None and request.tool_name is not None and request.last_is_user and finish is None:
        arguments = json.dumps({"query": request.last_user_text}, ensure_ascii=False)
        call = ToolCall(request.tool_name, arguments)
    if call is not None:
        return Answer(
            seq=seq,
            model=request.model,
            text=None,
            tool_call=call,
            finish="tool_calls",
            prompt_tokens=request.prompt_tokens,
            completion_tokens=estimate_tokens(call.name + call.arguments),
        )
    if reply is None:
        text = f"Hello from {provider}. You said: {request.last_user_text[:60]}"
    elif isinstance(reply, str):
        text = reply
    else:
        text = reply(body)
    if request.json_mode:
        text = json.dumps({"reply": text}, ensure_ascii=False)
    text, cut = _clamp(text, request.max_tokens)
    return Answer(
        seq=seq,
        model=request.model,
        text=text,
        tool_call=None,
        finish=finish or ("length" if cut else "stop"),
        prompt_tokens=request.prompt_tokens,
        completion_tokens=estimate_tokens(text),
    )
