"""Translation between the OpenAI chat shape and Anthropic's Messages API (pure functions).

Request (`to_messages_request`):
- `system` / `developer` messages -> top-level `system` (a string, or text blocks when there
  are several messages or content parts);
- user / assistant content strings stay strings; OpenAI content parts become blocks: `text`,
  `image_url` (a `data:` URL -> a base64 image source, else a url source); parts that are
  already Anthropic blocks pass through;
- assistant `tool_calls` -> `tool_use` blocks; `role: tool` messages -> user `tool_result`
  blocks; consecutive messages of one role are merged (Anthropic wants the tool results of one
  turn in one user message);
- `tools` (OpenAI function format) -> `{name, description, input_schema}`; `tool_choice`
  "auto" / "required" / "none" / a named function -> `auto` / `any` / `none` / `tool`;
  `parallel_tool_calls: false` -> `disable_parallel_tool_use`;
- `max_tokens` (or `max_completion_tokens`; Anthropic requires one: 4096 by default),
  `stop` -> `stop_sequences`, `user` -> `metadata.user_id`; `temperature`, `top_p`, `top_k`,
  `thinking`, `metadata`, ... pass through.

Dropped because the Messages API has no equivalent (`DROPPED_PARAMS`): `seed`, `n` (1 only;
`n > 1` is refused), `response_format`, `logprobs`, `top_logprobs`, `logit_bias`,
`presence_penalty`, `frequency_penalty`, `stream_options` (Anthropic always streams usage).
Every other parameter is sent as it is, so a truly unknown one gets Anthropic's own 400.

Response (`to_chat_completion`): text blocks -> `content`, `tool_use` -> `tool_calls`
(arguments = the JSON of `input`), `thinking` -> `reasoning_content`; `stop_reason` end_turn /
stop_sequence / pause_turn -> "stop", max_tokens -> "length", tool_use -> "tool_calls",
refusal -> "refusal" (the router turns it into `ContentFilteredError`), any other passes
through unchanged; prompt tokens = input + cache read + cache creation tokens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DROPPED_PARAMS",
    "STOP_REASONS",
    "UnsupportedRequest",
    "finish_reason",
    "prompt_tokens",
    "to_chat_completion",
    "to_messages_request",
]

DEFAULT_MAX_TOKENS = 4096

DROPPED_PARAMS = frozenset(
    {
        "seed",
        "n",
        "response_format",
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "presence_penalty",
        "frequency_penalty",
        "stream_options",
    }
)

STOP_REASONS: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "refusal",
}

# Parameters translated by hand below (not passed through as they are).
_TRANSLATED = frozenset(
    {"max_tokens", "max_completion_tokens", "stop", "user", "tools", "tool_choice"}
    | {"parallel_tool_calls", "stream", "extra_headers", "extra_body"}
)


class UnsupportedRequest(ValueError):
    """The request cannot be expressed in the Messages API (the adapter answers 400)."""


def finish_reason(stop_reason: str | None) -> str | None:
    """Anthropic's `stop_reason` as an OpenAI finish reason (unknown ones unchanged)."""
    if stop_reason is None:
        return None
    return STOP_REASONS.get(stop_reason, stop_reason)


def prompt_tokens(usage: Mapping[str, Any]) -> int:
    """Input tokens, cached ones included."""
    return (
        (usage.get("input_tokens") or 0)
        + (usage.get("cache_read_input_tokens") or 0)
        + (usage.get("cache_creation_input_tokens") or 0)
    )


def to_messages_request(
    model: str, messages: list[dict[str, Any]], params: Mapping[str, Any], *, stream: bool
) -> dict[str, Any]:
    """The Messages API body for an OpenAI-shaped chat request."""
    system, turns = _convert_messages(messages)
    body: dict[str, Any] = {"model": model}
    if system is not None:
        body["system"] = system
    body["messages"] = turns
    max_tokens = params.get("max_tokens")
    if max_tokens is None:
        max_tokens = params.get("max_completion_tokens")
    body["max_tokens"] = DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens
    n = params.get("n")
    if n is not None and n != 1:
        raise UnsupportedRequest("n > 1 is not supported by the Anthropic Messages API")
    for key, value in params.items():
        if key not in _TRANSLATED and key not in DROPPED_PARAMS:
            body[key] = value
    stop = params.get("stop")
    if stop:
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    user = params.get("user")
    if user is not None:
        body["metadata"] = {**(body.get("metadata") or {}), "user_id": user}
    tools = params.get("tools")
    if tools:
        body["tools"] = [_convert_tool(tool) for tool in tools]
    choice = _convert_tool_choice(params.get("tool_choice"), params.get("parallel_tool_calls"))
    if choice is not None:
        body["tool_choice"] = choice
    if stream:
        body["stream"] = True
    extra_body = params.get("extra_body")
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
    return body


def _convert_messages(
    messages: list[dict[str, Any]],
) -> tuple[str | list[dict[str, Any]] | None, list[dict[str, Any]]]:
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        content = message.get("content")
        if role in ("system", "developer"):
            system.extend(_blocks(content))
            continue
        if role == "tool":
            block: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id") or "",
                "content": _tool_result_content(content),
            }
            _append(turns, "user", [block])
        elif role == "user":
            _append(turns, "user", _user_content(content))
        elif role == "assistant":
            _append(turns, "assistant", _assistant_content(message))
        else:
            raise UnsupportedRequest(
                f"messages with role {role!r} have no Anthropic equivalent; use tool messages"
            )
    if not system:
        return None, turns
    if len(system) == 1 and set(system[0]) == {"type", "text"}:
        return str(system[0]["text"]), turns
    return system, turns


def _append(turns: list[dict[str, Any]], role: str, content: str | list[dict[str, Any]]) -> None:
    """Add a turn, merging it into the previous one when the role repeats."""
    if turns and turns[-1]["role"] == role:
        last = turns[-1]
        last["content"] = _as_blocks(last["content"]) + _as_blocks(content)
    else:
        turns.append({"role": role, "content": content})


def _as_blocks(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return content


def _blocks(content: Any) -> list[dict[str, Any]]:
    """Content (a string or OpenAI parts) as a list of Anthropic blocks."""
    if content is None:
        return []
    if isinstance(content, str):
        return _as_blocks(content)
    return [_part(part) for part in content if not _empty_text(part)]


def _empty_text(part: Any) -> bool:
    return isinstance(part, Mapping) and part.get("type") == "text" and not part.get("text")


def _user_content(content: Any) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    return _blocks(content)


def _part(part: Any) -> dict[str, Any]:
    if not isinstance(part, Mapping):
        raise UnsupportedRequest(f"content parts must be mappings, not {type(part).__name__}")
    kind = part.get("type")
    if kind == "text":
        block = {"type": "text", "text": part.get("text", "")}
        if "cache_control" in part:
            block["cache_control"] = part["cache_control"]
        return block
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        return {"type": "image", "source": _image_source(str(url or ""))}
    return dict(part)  # already an Anthropic block (image, document, tool_result, ...)


def _image_source(url: str) -> dict[str, Any]:
    if url.startswith("data:"):
        header, _, data = url[5:].partition(",")
        media_type = header.split(";", 1)[0] or "image/png"
        return {"type": "base64", "media_type": media_type, "data": data}
    return {"type": "url", "url": url}


def _tool_result_content(content: Any) -> str | list[dict[str, Any]]:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return _blocks(content)


def _assistant_content(message: Mapping[str, Any]) -> str | list[dict[str, Any]]:
    content = message.get("content")
    tool_calls = message.get("tool_calls")
    if not tool_calls:
        return content if isinstance(content, str) else _blocks(content)
    blocks = _blocks(content)
    for call in tool_calls:
        function = call.get("function") or {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id") or "",
                "name": function.get("name") or "",
                "input": _tool_input(function.get("arguments")),
            }
        )
    return blocks


def _tool_input(arguments: Any) -> Any:
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not arguments:
        return {}
    try:
        return json.loads(arguments)
    except (TypeError, ValueError):
        raise UnsupportedRequest("tool call arguments must be a JSON object") from None


def _convert_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, Mapping):
        return dict(tool)  # an Anthropic tool (or server tool) already
    out: dict[str, Any] = {"name": function.get("name")}
    if function.get("description"):
        out["description"] = function["description"]
    out["input_schema"] = function.get("parameters") or {"type": "object", "properties": {}}
    if "cache_control" in tool:
        out["cache_control"] = tool["cache_control"]
    return out


def _convert_tool_choice(choice: Any, parallel: Any) -> dict[str, Any] | None:
    out: dict[str, Any] | None
    if choice is None:
        out = None
    elif choice == "auto":
        out = {"type": "auto"}
    elif choice == "required":
        out = {"type": "any"}
    elif choice == "none":
        out = {"type": "none"}
    elif isinstance(choice, Mapping) and choice.get("type") == "function":
        function = choice.get("function") or {}
        out = {"type": "tool", "name": function.get("name")}
    elif isinstance(choice, Mapping):
        out = dict(choice)  # Anthropic's own shape
    else:
        raise UnsupportedRequest(f"unsupported tool_choice {choice!r}")
    if parallel is False:
        out = {**(out or {"type": "auto"}), "disable_parallel_tool_use": True}
    return out


def to_chat_completion(message: Mapping[str, Any]) -> dict[str, Any]:
    """An Anthropic `message` object as an OpenAI `chat.completion` dict."""
    texts: list[str] = []
    thinking: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    for block in message.get("content") or ():
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text") or "")
        elif kind == "tool_use":
            tool_calls.append(
                {
                    "id": block.get("id"),
                    "type": "function",
                    "function": {
                        "name": block.get("name"),
                        "arguments": json.dumps(block.get("input") or {}, ensure_ascii=False),
                    },
                }
            )
        elif kind == "thinking":
            thinking.append(block.get("thinking") or "")
    out: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if tool_calls:
        out["tool_calls"] = tool_calls
    if thinking:
        out["reasoning_content"] = "".join(thinking)
    usage = message.get("usage") or {}
    prompt = prompt_tokens(usage)
    completion = usage.get("output_tokens") or 0
    return {
        "id": message.get("id") or "",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": message.get("model") or "",
        "choices": [
            {"index": 0, "message": out, "finish_reason": finish_reason(message.get("stop_reason"))}
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
