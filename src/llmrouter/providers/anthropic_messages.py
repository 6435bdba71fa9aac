"""From the OpenAI chat shape to Anthropic's Messages API request (pure functions).

Request (`to_messages_request`):
- `system` / `developer` messages -> top-level `system` (a string, or text blocks when there
  are several messages or content parts; `cache_control` on a part is kept, and on a whole
  message it marks that message's last block);
- user / assistant content strings stay strings; OpenAI content parts become blocks: `text`,
  `image_url` (a `data:` URL -> a base64 image source, else a url source); parts that are
  already Anthropic blocks pass through;
- assistant `thinking_blocks` (with their signatures) come first in the assistant turn, then
  its text, then `tool_calls` as `tool_use` blocks; `role: tool` messages -> user `tool_result`
  blocks; consecutive messages of one role are merged;
- `tools` (OpenAI function format) -> `{name, description, input_schema}`; `tool_choice`
  "auto" / "required" / "none" / a named function -> `auto` / `any` / `none` / `tool`;
  `parallel_tool_calls: false` -> `disable_parallel_tool_use`;
- `response_format` `json_schema` (or `json_object`) -> one forced tool whose input schema is
  the schema; its input comes back as the message's JSON `content` (`JSON_TOOL`);
- `reasoning_effort` -> `thinking` with a token budget (`REASONING_BUDGETS`);
- `max_tokens` (or `max_completion_tokens`); Anthropic requires one: without it the model's
  own output limit is sent (`default_max_tokens`), the same number on both adapters;
- `stop` -> `stop_sequences`, `user` -> `metadata.user_id`; `temperature`, `top_p`, `top_k`,
  `thinking`, `metadata`, `service_tier`... pass through.

Not carried (`UNCARRIED`): `seed`, `logprobs`, `top_logprobs`, `logit_bias`, the penalties,
`n > 1`, audio and prediction: a request that sets one makes an Anthropic-wire model
ineligible (the route falls back) rather than having it dropped. `stream_options` is delivery
only (Anthropic always streams usage); `prompt_cache_key`, `safety_identifier` and `store`
are hints with no Anthropic control and are left out (docs/wire-formats.md says so).

The answer's way back is `llmrouter.providers.anthropic_response`.

docs/wire-formats.md states all of this per vendor, beside the OpenAI wire.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmrouter.vendors.anthropic import ANTHROPIC_UNCARRIED

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "JSON_TOOL",
    "REASONING_BUDGETS",
    "UNCARRIED",
    "UnsupportedRequest",
    "anthropic_controls",
    "json_schema_of",
    "output_limit",
    "thinking_block",
    "to_messages_request",
]

DEFAULT_MAX_TOKENS = 4096
"""`max_tokens` when neither the request nor the price map says more."""

JSON_TOOL = "json_answer"
"""The forced tool that carries a JSON-schema answer."""

UNCARRIED = ANTHROPIC_UNCARRIED

REASONING_BUDGETS = {
    "minimal": 1024,
    "low": 2048,
    "medium": 8192,
    "high": 24576,
    "xhigh": 32768,
}
"""`reasoning_effort` -> Anthropic's thinking `budget_tokens`."""

# Parameters translated by hand below (not passed through as they are).
_TRANSLATED = frozenset(
    {"max_tokens", "max_completion_tokens", "stop", "user", "tools", "tool_choice"}
    | {"parallel_tool_calls", "stream", "extra_headers", "extra_body", "response_format"}
    | {"reasoning_effort", "n", "stream_options", "prompt_cache_key", "safety_identifier"}
    | {"store", "mock_response"}
)


class UnsupportedRequest(ValueError):
    """The request cannot be expressed in the Messages API (the adapter answers 400)."""


def to_messages_request(
    model: str,
    messages: list[dict[str, Any]],
    params: Mapping[str, Any],
    *,
    stream: bool,
    default_max_tokens: int = DEFAULT_MAX_TOKENS,
) -> dict[str, Any]:
    """The Messages API body for an OpenAI-shaped chat request."""
    system, turns = _convert_messages(messages)
    body: dict[str, Any] = {"model": model}
    if system is not None:
        body["system"] = system
    body["messages"] = turns
    body["max_tokens"] = output_limit(params, default_max_tokens)
    n = params.get("n")
    if n is not None and n != 1:
        raise UnsupportedRequest("n > 1 is not supported by the Anthropic Messages API")
    for key, value in params.items():
        if key not in _TRANSLATED and key not in UNCARRIED:
            body[key] = value
    _stop_and_user(body, params)
    _tools(body, params)
    _reasoning(body, params)
    if stream:
        body["stream"] = True
    extra_body = params.get("extra_body")
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
    return body


def output_limit(params: Mapping[str, Any], default_max_tokens: int) -> Any:
    """`max_tokens` (or `max_completion_tokens`); the model's own limit when neither is set."""
    max_tokens = params.get("max_tokens")
    if max_tokens is None:
        max_tokens = params.get("max_completion_tokens")
    return default_max_tokens if max_tokens is None else max_tokens


def anthropic_controls(params: Mapping[str, Any], default_max_tokens: int) -> dict[str, Any]:
    """`max_tokens` and `thinking` as the Messages API gets them, for the litellm adapter to
    send exactly what the native one does (litellm has budgets of its own otherwise)."""
    body: dict[str, Any] = {"max_tokens": output_limit(params, default_max_tokens)}
    _reasoning(body, params)
    return body


def _stop_and_user(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    stop = params.get("stop")
    if stop:
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    user = params.get("user")
    if user is not None:
        body["metadata"] = {**(body.get("metadata") or {}), "user_id": user}


def _tools(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    tools = [_convert_tool(tool) for tool in params.get("tools") or ()]
    choice = _convert_tool_choice(params.get("tool_choice"), params.get("parallel_tool_calls"))
    schema = json_schema_of(params.get("response_format"))
    if schema is not None:
        if tools:
            raise UnsupportedRequest("response_format with tools has no Anthropic equivalent")
        answer = {"name": JSON_TOOL, "description": "Answer in this shape.", "input_schema": schema}
        tools = [answer]
        choice = {"type": "tool", "name": JSON_TOOL}
    if tools:
        body["tools"] = tools
    if choice is not None:
        body["tool_choice"] = choice


def json_schema_of(response_format: Any) -> dict[str, Any] | None:
    """The JSON schema a `response_format` asks for (`{"type": "object"}` for json_object)."""
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return {"type": "object"}
    if kind != "json_schema":
        return None
    spec = response_format.get("json_schema") or {}
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    return dict(schema) if isinstance(schema, Mapping) else {"type": "object"}


def _reasoning(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    effort = params.get("reasoning_effort")
    if effort is None or "thinking" in params:
        return
    if effort == "none":
        body["thinking"] = {"type": "disabled"}
        return
    budget = REASONING_BUDGETS.get(str(effort))
    if budget is None:
        raise UnsupportedRequest(f"reasoning_effort {effort!r} has no Anthropic budget")
    budget = min(budget, max(int(body["max_tokens"]) - 1, 1024))
    body["thinking"] = {"type": "enabled", "budget_tokens": budget}


def _convert_messages(
    messages: list[dict[str, Any]],
) -> tuple[str | list[dict[str, Any]] | None, list[dict[str, Any]]]:
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        content = message.get("content")
        marker = message.get("cache_control")
        if role in ("system", "developer"):
            system.extend(_as_blocks(_marked(_blocks(content), marker)))
        elif role == "tool":
            block: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id") or "",
                "content": _tool_result_content(content),
            }
            _append(turns, "user", _marked([block], marker))
        elif role == "user":
            _append(turns, "user", _marked(_user_content(content), marker))
        elif role == "assistant":
            _append(turns, "assistant", _marked(_assistant_content(message), marker))
        else:
            raise UnsupportedRequest(
                f"messages with role {role!r} have no Anthropic equivalent; use tool messages"
            )
    if not system:
        return None, turns
    if len(system) == 1 and set(system[0]) == {"type", "text"}:
        return str(system[0]["text"]), turns
    return system, turns


def _marked(content: str | list[dict[str, Any]], marker: Any) -> str | list[dict[str, Any]]:
    """A message-level `cache_control` (litellm's convention) marks its last block, which is
    where Anthropic's cache breakpoint for the message goes."""
    if marker is None:
        return content
    blocks = [dict(block) for block in _as_blocks(content)]
    if blocks:
        blocks[-1]["cache_control"] = marker
    return blocks


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
        block = {"type": "image", "source": _image_source(str(url or ""))}
        if "cache_control" in part:
            block["cache_control"] = part["cache_control"]
        return block
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
    thinking = [thinking_block(b) for b in message.get("thinking_blocks") or ()]
    if not tool_calls and not thinking:
        return content if isinstance(content, str) else _blocks(content)
    blocks = thinking + _blocks(content)
    for call in tool_calls or ():
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


def thinking_block(block: Any) -> dict[str, Any]:
    """A thinking block in the Messages API shape (its signature kept)."""
    if not isinstance(block, Mapping):
        block = dict(getattr(block, "__dict__", {}))
    if block.get("type") == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.get("data") or ""}
    out = {"type": "thinking", "thinking": block.get("thinking") or ""}
    if block.get("signature"):
        out["signature"] = block["signature"]
    return out


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
