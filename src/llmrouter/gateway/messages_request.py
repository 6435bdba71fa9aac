"""Anthropic Messages request -> the router's OpenAI-chat call (the field table is in
docs/gateway.md, "Translation").

- `system` (a string or text blocks) -> a leading system message; a `system`-role message in
  `messages` (Claude Code ends some lists with one) stays a system message where it stands.
- text blocks -> text; image blocks (base64 or url) -> `image_url` parts (base64 as a data URL);
  assistant `tool_use` -> `tool_calls` (arguments = the JSON of `input`); user `tool_result`
  -> `tool` messages ahead of the rest of that user turn (`is_error: true` prefixes the result
  with "[tool error] "); custom tools -> function tools; `tool_choice` auto / any / tool / none
  -> "auto" / "required" / a named function / "none", `disable_parallel_tool_use` ->
  `parallel_tool_calls: false`.
- `max_tokens`, `temperature`, `top_p`, `top_k`, `thinking` pass; `stop_sequences` -> `stop`;
  `metadata.user_id` -> `user`; `output_config.effort` -> `reasoning_effort`;
  `output_config.format` (and the older `output_format`) -> `response_format` json_schema.
- thinking / redacted_thinking blocks of earlier turns -> the assistant message's
  `thinking_blocks`, signatures kept (where the Router's message type has that field; with
  an older one they are dropped and named).
- Dropped and named: `cache_control` (anywhere), `context_management`, `service_tier`,
  `speed`, the `anthropic-beta` header, `citations` on earlier answers.
- Refused: documents, server tools, file sources, images inside tool results, anything else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmrouter.gateway.frontend import Body, Inbound, refuse
from llmrouter.types import Message

__all__ = ["parse_messages_request"]

# OpenAI's reasoning_effort stops at "high".
_EFFORTS = {"low": "low", "medium": "medium", "high": "high", "xhigh": "high", "max": "high"}
CARRIES_THINKING_BLOCKS = "thinking_blocks" in Message.model_fields
"""Whether the Router's messages carry Anthropic thinking blocks (with their signatures)."""

_DROPPED_TOP = ("cache_control", "context_management", "service_tier", "speed")


def parse_messages_request(body: Mapping[str, Any], headers: Mapping[str, str]) -> Inbound:
    fields = Body(body)
    model = fields.need("model", str, "a model name")
    inbound = Inbound(model, [], {}, bool(fields.get("stream", bool, "true or false")), raw=body)
    inbound.params["max_tokens"] = fields.need("max_tokens", int, "an integer")
    system = fields.get("system", (str, list), "a string or a list of text blocks")
    if system:
        inbound.messages.append({"role": "system", "content": _text(system, "system", inbound)})
    for index, message in enumerate(fields.need("messages", list, "a list of messages")):
        _message(message, f"messages[{index}]", inbound)
    for name in ("temperature", "top_p", "top_k"):
        value = fields.get(name, (int, float), "a number")
        if value is not None:
            inbound.params[name] = value
    stop = fields.get("stop_sequences", list, "a list of strings")
    if stop:
        inbound.params["stop"] = stop
    thinking = fields.get("thinking", dict, "a thinking config object")
    if thinking is not None:
        inbound.params["thinking"] = thinking
    _metadata(fields.get("metadata", dict, "an object"), inbound)
    _output_config(fields.get("output_config", dict, "an object"), inbound)
    legacy_format = fields.get("output_format", dict, "an object")
    if legacy_format is not None:
        inbound.params["response_format"] = _json_schema(legacy_format, "output_format")
    tools = fields.get("tools", list, "a list of tools")
    if tools:
        inbound.params["tools"] = [_tool(t, f"tools[{i}]", inbound) for i, t in enumerate(tools)]
    choice = fields.get("tool_choice", dict, "an object")
    if choice is not None:
        _tool_choice(choice, inbound)
    for name in _DROPPED_TOP:
        fields.drop(name, inbound.dropped)
    if headers.get("anthropic-beta"):
        inbound.dropped.append("anthropic-beta")
    fields.finish()
    return inbound


def _text(content: Any, where: str, inbound: Inbound) -> str:
    """A string, or text blocks joined with blank lines."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for index, block in enumerate(content):
        fields = Body(block, f"{where}[{index}]")
        if fields.get("type", str, "a string") != "text":
            raise refuse(fields.path("type"), "only text blocks are carried here")
        texts.append(fields.need("text", str, "a string"))
        fields.drop("cache_control", inbound.dropped)
        fields.drop("citations", inbound.dropped)
        fields.finish()
    return "\n\n".join(texts)


def _message(message: Any, where: str, inbound: Inbound) -> None:
    fields = Body(message, where)
    role = fields.need("role", str, "user, assistant or system")
    content = fields.need("content", (str, list), "a string or a list of content blocks")
    fields.finish()
    if role == "system":
        inbound.messages.append({"role": "system", "content": _text(content, where, inbound)})
    elif role == "user":
        _user(content, f"{where}.content", inbound)
    elif role == "assistant":
        _assistant(content, f"{where}.content", inbound)
    else:
        raise refuse(f"{where}.role", "must be user, assistant or system")


def _user(content: str | list[Any], where: str, inbound: Inbound) -> None:
    if isinstance(content, str):
        inbound.messages.append({"role": "user", "content": content})
        return
    parts: list[dict[str, Any]] = []
    for index, block in enumerate(content):
        path = f"{where}[{index}]"
        kind = block.get("type") if isinstance(block, Mapping) else None
        if kind == "tool_result":
            inbound.messages.append(_tool_result(block, path, inbound))
        else:
            parts.append(_part(block, path, inbound))
    if parts:
        inbound.messages.append({"role": "user", "content": _collapse(parts)})


def _collapse(parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """One text part is sent as a plain string (what every OpenAI-compatible server takes)."""
    if len(parts) == 1 and parts[0]["type"] == "text":
        return str(parts[0]["text"])
    return parts


def _part(block: Any, where: str, inbound: Inbound) -> dict[str, Any]:
    fields = Body(block, where)
    kind = fields.need("type", str, "a block type")
    fields.drop("cache_control", inbound.dropped)
    if kind == "text":
        part: dict[str, Any] = {"type": "text", "text": fields.need("text", str, "a string")}
        fields.drop("citations", inbound.dropped)
    elif kind == "image":
        part = {"type": "image_url", "image_url": {"url": _image_url(fields)}}
    else:
        raise refuse(f"{where}.type", f"{kind!r} blocks cannot be carried to the backend")
    fields.finish()
    return part


def _image_url(fields: Body) -> str:
    source = Body(fields.need("source", dict, "an image source"), fields.path("source"))
    kind = source.need("type", str, "base64 or url")
    if kind == "base64":
        media = source.need("media_type", str, "a media type")
        data = source.need("data", str, "base64 data")
        source.finish()
        return f"data:{media};base64,{data}"
    if kind == "url":
        url = source.need("url", str, "a URL")
        source.finish()
        return str(url)
    raise refuse(source.path("type"), f"{kind!r} image sources cannot be carried")


def _tool_result(block: Any, where: str, inbound: Inbound) -> dict[str, Any]:
    fields = Body(block, where)
    fields.ignore("type")
    call_id = fields.need("tool_use_id", str, "a tool_use id")
    content = fields.get("content", (str, list), "a string or text blocks")
    text = _text(content, f"{where}.content", inbound) if content else ""
    if fields.get("is_error", bool, "true or false"):
        text = "[tool error] " + text
    fields.drop("cache_control", inbound.dropped)
    fields.finish()
    return {"role": "tool", "tool_call_id": call_id, "content": text}


def _assistant(content: str | list[Any], where: str, inbound: Inbound) -> None:
    if isinstance(content, str):
        inbound.messages.append({"role": "assistant", "content": content})
        return
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    thinking: list[dict[str, Any]] = []
    for index, block in enumerate(content):
        fields = Body(block, f"{where}[{index}]")
        kind = fields.need("type", str, "a block type")
        if kind == "text":
            texts.append(fields.need("text", str, "a string"))
            fields.drop("citations", inbound.dropped)
        elif kind == "tool_use":
            calls.append(_tool_use(fields))
        elif kind in ("thinking", "redacted_thinking"):
            _thinking_block(fields, kind, thinking, inbound)
        else:
            raise refuse(fields.path("type"), f"{kind!r} blocks cannot be carried to the backend")
        fields.drop("cache_control", inbound.dropped)
        fields.finish()
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
    if calls:
        message["tool_calls"] = calls
    if thinking:
        message["thinking_blocks"] = thinking
    if texts or calls or thinking:
        inbound.messages.append(message)


def _thinking_block(
    fields: Body, kind: str, thinking: list[dict[str, Any]], inbound: Inbound
) -> None:
    """A thinking block of an earlier turn: carried with its signature where the Router's
    message type has `thinking_blocks`, else dropped and named."""
    if not CARRIES_THINKING_BLOCKS:
        inbound.dropped.append(fields.where)
        fields.ignore(*fields.data)
        return
    if kind == "redacted_thinking":
        thinking.append({"type": kind, "data": fields.need("data", str, "a string")})
        return
    block = {"type": kind, "thinking": fields.need("thinking", str, "a string")}
    signature = fields.get("signature", str, "a string")
    if signature:
        block["signature"] = signature
    thinking.append(block)


def _tool_use(fields: Body) -> dict[str, Any]:
    call_id = fields.need("id", str, "a tool_use id")
    name = fields.need("name", str, "a tool name")
    arguments = fields.get("input", dict, "an object") or {}
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
    }


def _tool(tool: Any, where: str, inbound: Inbound) -> dict[str, Any]:
    fields = Body(tool, where)
    kind = fields.get("type", str, "a tool type")
    if kind not in (None, "custom"):
        raise refuse(f"{where}.type", f"server tool {kind!r} cannot be carried to the backend")
    function: dict[str, Any] = {"name": fields.need("name", str, "a tool name")}
    description = fields.get("description", str, "a string")
    if description:
        function["description"] = description
    function["parameters"] = fields.need("input_schema", dict, "a JSON schema")
    strict = fields.get("strict", bool, "true or false")
    if strict is not None:
        function["strict"] = strict
    fields.drop("cache_control", inbound.dropped)
    fields.finish()
    return {"type": "function", "function": function}


def _tool_choice(choice: Mapping[str, Any], inbound: Inbound) -> None:
    fields = Body(choice, "tool_choice")
    kind = fields.need("type", str, "auto, any, tool or none")
    if kind == "tool":
        name = fields.need("name", str, "a tool name")
        inbound.params["tool_choice"] = {"type": "function", "function": {"name": name}}
    elif kind in ("auto", "any", "none"):
        inbound.params["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}[kind]
    else:
        raise refuse("tool_choice.type", "must be auto, any, tool or none")
    if fields.get("disable_parallel_tool_use", bool, "true or false"):
        inbound.params["parallel_tool_calls"] = False
    fields.finish()


def _metadata(metadata: Mapping[str, Any] | None, inbound: Inbound) -> None:
    if metadata is None:
        return
    fields = Body(metadata, "metadata")
    user = fields.get("user_id", str, "a string")
    if user:
        inbound.params["user"] = user
    fields.finish()


def _output_config(config: Mapping[str, Any] | None, inbound: Inbound) -> None:
    if config is None:
        return
    fields = Body(config, "output_config")
    effort = fields.get("effort", str, "low, medium, high, xhigh or max")
    if effort is not None:
        if effort not in _EFFORTS:
            raise refuse("output_config.effort", "must be low, medium, high, xhigh or max")
        inbound.params["reasoning_effort"] = _EFFORTS[effort]
    form = fields.get("format", dict, "a JSON output format")
    if form is not None:
        inbound.params["response_format"] = _json_schema(form, "output_config.format")
    fields.finish()


def _json_schema(form: Mapping[str, Any], where: str) -> dict[str, Any]:
    fields = Body(form, where)
    if fields.need("type", str, "json_schema") != "json_schema":
        raise refuse(f"{where}.type", "must be json_schema")
    schema = fields.need("schema", dict, "a JSON schema")
    fields.finish()
    return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}
