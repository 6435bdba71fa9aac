"""OpenAI Responses request -> the router's OpenAI-chat call (the field table is in
docs/gateway.md, "Translation").

- `instructions` -> a leading system message; `input` (a string, or items) -> messages:
  message items (roles user / assistant / system; `developer` -> system, which every
  OpenAI-compatible backend takes), `input_text` / `output_text` / `refusal` parts -> text,
  `input_image` -> `image_url`; `function_call` items -> the assistant's `tool_calls`;
  `function_call_output` -> `tool` messages.
- function tools -> chat function tools; `tool_choice`, `parallel_tool_calls`, `temperature`,
  `top_p`, `user` pass; `max_output_tokens` -> `max_tokens`; `reasoning.effort` ->
  `reasoning_effort`; `text.format` (json_schema / json_object / text) -> `response_format`,
  `text.verbosity` -> `verbosity`.
- namespace tools -> one function tool per inner function, named `<namespace>__<name>`; calls
  of them come back as `function_call` items with `namespace` and `name` again.
- Dropped and named: `store: true` (nothing is stored), `include`, `prompt_cache_key`,
  `client_metadata`,
  `prompt_cache_retention`, `service_tier`, `metadata`, `safety_identifier`,
  `truncation: auto`, `stream_options`, `reasoning.summary`, reasoning items of earlier turns
  (their encrypted content cannot be carried).
- Refused: `previous_response_id`, `conversation`, `background`, `prompt`, non-function tools,
  file inputs, and anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmrouter.gateway.frontend import Body, Inbound, refuse

__all__ = ["parse_responses_request"]

_DROPPED = (
    "include",
    "prompt_cache_key",
    "prompt_cache_retention",
    "service_tier",
    "metadata",
    "safety_identifier",
    "stream_options",
    "client_metadata",
)
_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
_TEXT_PARTS = frozenset({"input_text", "output_text"})


def parse_responses_request(body: Mapping[str, Any], headers: Mapping[str, str]) -> Inbound:
    fields = Body(body)
    model = fields.need("model", str, "a model name")
    inbound = Inbound(model, [], {}, bool(fields.get("stream", bool, "true or false")), raw=body)
    instructions = fields.get("instructions", str, "a string")
    if instructions:
        inbound.messages.append({"role": "system", "content": instructions})
    items = fields.need("input", (str, list), "a string or a list of input items")
    if isinstance(items, str):
        inbound.messages.append({"role": "user", "content": items})
    else:
        for index, item in enumerate(items):
            _item(item, f"input[{index}]", inbound)
    _params(fields, inbound)
    if fields.get("store", bool, "true or false"):
        inbound.dropped.append("store")
    if fields.get("truncation", str, "auto or disabled") == "auto":
        inbound.dropped.append("truncation")
    for name in _DROPPED:
        fields.drop(name, inbound.dropped)
    fields.finish()
    return inbound


def _params(fields: Body, inbound: Inbound) -> None:
    params = inbound.params
    for name in ("temperature", "top_p"):
        value = fields.get(name, (int, float), "a number")
        if value is not None:
            params[name] = value
    max_tokens = fields.get("max_output_tokens", int, "an integer")
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    user = fields.get("user", str, "a string")
    if user:
        params["user"] = user
    parallel = fields.get("parallel_tool_calls", bool, "true or false")
    if parallel is not None:
        params["parallel_tool_calls"] = parallel
    tools = fields.get("tools", list, "a list of tools")
    if tools:
        params["tools"] = _tools(tools, inbound)
    choice = fields.get("tool_choice", (str, dict), "auto, none, required or a function")
    if choice is not None:
        params["tool_choice"] = _tool_choice(choice)
    reasoning = fields.get("reasoning", dict, "an object")
    if reasoning is not None:
        _reasoning(reasoning, inbound)
    text = fields.get("text", dict, "an object")
    if text is not None:
        _text_config(text, inbound)


def _item(item: Any, where: str, inbound: Inbound) -> None:
    fields = Body(item, where)
    kind = fields.get("type", str, "an item type") or "message"
    if kind == "message":
        _message(fields, inbound)
    elif kind == "function_call":
        _function_call(fields, inbound)
    elif kind == "function_call_output":
        call_id = fields.need("call_id", str, "a call id")
        output = fields.need("output", (str, list), "a string or a list of text parts")
        text = output if isinstance(output, str) else _texts(output, f"{where}.output")
        inbound.messages.append({"role": "tool", "tool_call_id": call_id, "content": text})
        fields.ignore("id", "status")
    elif kind == "reasoning":
        inbound.dropped.append(where)
        fields.ignore(*fields.data)
    else:
        raise refuse(f"{where}.type", f"{kind!r} items cannot be carried to the backend")
    fields.finish()


def _message(fields: Body, inbound: Inbound) -> None:
    fields.ignore("type", "id", "status")
    role = fields.need("role", str, "user, assistant, system or developer")
    if role not in _ROLES:
        raise refuse(fields.path("role"), "must be user, assistant, system or developer")
    content = fields.need("content", (str, list), "a string or a list of content parts")
    if isinstance(content, str):
        inbound.messages.append({"role": _ROLES[role], "content": content})
        return
    parts = [_part(part, f"{fields.path('content')}[{i}]") for i, part in enumerate(content)]
    if all(p["type"] == "text" for p in parts):
        inbound.messages.append(
            {"role": _ROLES[role], "content": "".join(str(p["text"]) for p in parts)}
        )
    else:
        inbound.messages.append({"role": _ROLES[role], "content": parts})


def _part(part: Any, where: str) -> dict[str, Any]:
    fields = Body(part, where)
    kind = fields.need("type", str, "a content part type")
    if kind in _TEXT_PARTS:
        out: dict[str, Any] = {"type": "text", "text": fields.need("text", str, "a string")}
        fields.ignore("annotations", "logprobs")
    elif kind == "refusal":
        out = {"type": "text", "text": fields.need("refusal", str, "a string")}
    elif kind == "input_image":
        url = fields.get("image_url", str, "a URL or a data URL")
        if url is None:
            raise refuse(f"{where}.image_url", "is required (file_id images are not carried)")
        image: dict[str, Any] = {"url": url}
        detail = fields.get("detail", str, "auto, low or high")
        if detail is not None:
            image["detail"] = detail
        out = {"type": "image_url", "image_url": image}
    else:
        raise refuse(f"{where}.type", f"{kind!r} parts cannot be carried to the backend")
    fields.finish()
    return out


def _texts(parts: list[Any], where: str) -> str:
    texts: list[str] = []
    for index, part in enumerate(parts):
        converted = _part(part, f"{where}[{index}]")
        if converted["type"] != "text":
            raise refuse(f"{where}[{index}]", "only text can be carried in a tool output")
        texts.append(str(converted["text"]))
    return "".join(texts)


def _function_call(fields: Body, inbound: Inbound) -> None:
    fields.ignore("type", "id", "status")
    name = fields.need("name", str, "a function name")
    namespace = fields.get("namespace", str, "a namespace name")
    call = {
        "id": fields.need("call_id", str, "a call id"),
        "type": "function",
        "function": {
            "name": flat_name(namespace, name) if namespace else name,
            "arguments": fields.get("arguments", str, "a JSON string") or "{}",
        },
    }
    last = inbound.messages[-1] if inbound.messages else None
    if last is not None and last["role"] == "assistant":
        last.setdefault("tool_calls", []).append(call)
    else:
        inbound.messages.append({"role": "assistant", "content": None, "tool_calls": [call]})


def flat_name(namespace: str, name: str) -> str:
    """A namespace tool's function as one chat function name."""
    return f"{namespace}__{name}"


def _tools(tools: list[Any], inbound: Inbound) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, tool in enumerate(tools):
        where = f"tools[{index}]"
        if not isinstance(tool, Mapping) or tool.get("type") != "namespace":
            out.append(_tool(tool, where))
            continue
        fields = Body(tool, where)
        fields.ignore("type", "description")
        namespace = fields.need("name", str, "a namespace name")
        for j, inner in enumerate(fields.need("tools", list, "a list of function tools")):
            converted = _tool(inner, f"{where}.tools[{j}]")
            name = converted["function"]["name"]
            converted["function"]["name"] = flat_name(namespace, name)
            inbound.namespaced[converted["function"]["name"]] = (namespace, name)
            out.append(converted)
        fields.finish()
    return out


def _tool(tool: Any, where: str) -> dict[str, Any]:
    fields = Body(tool, where)
    kind = fields.need("type", str, "function")
    if kind != "function":
        raise refuse(f"{where}.type", f"{kind!r} tools cannot be carried to the backend")
    function: dict[str, Any] = {"name": fields.need("name", str, "a function name")}
    description = fields.get("description", str, "a string")
    if description:
        function["description"] = description
    function["parameters"] = fields.get("parameters", dict, "a JSON schema") or {
        "type": "object",
        "properties": {},
    }
    strict = fields.get("strict", bool, "true or false")
    if strict is not None:
        function["strict"] = strict
    fields.finish()
    return {"type": "function", "function": function}


def _tool_choice(choice: str | Mapping[str, Any]) -> Any:
    if isinstance(choice, str):
        if choice not in ("auto", "none", "required"):
            raise refuse("tool_choice", "must be auto, none, required or a function")
        return choice
    fields = Body(choice, "tool_choice")
    if fields.need("type", str, "function") != "function":
        raise refuse("tool_choice.type", "only function tool choices are carried")
    name = fields.need("name", str, "a function name")
    fields.finish()
    return {"type": "function", "function": {"name": name}}


def _reasoning(reasoning: Mapping[str, Any], inbound: Inbound) -> None:
    fields = Body(reasoning, "reasoning")
    effort = fields.get("effort", str, "an effort level")
    if effort is not None:
        inbound.params["reasoning_effort"] = effort
    fields.drop("summary", inbound.dropped)
    fields.drop("generate_summary", inbound.dropped)
    fields.finish()


def _text_config(text: Mapping[str, Any], inbound: Inbound) -> None:
    fields = Body(text, "text")
    verbosity = fields.get("verbosity", str, "low, medium or high")
    if verbosity is not None:
        inbound.params["verbosity"] = verbosity
    form = fields.get("format", dict, "an object")
    if form is not None:
        _format(Body(form, "text.format"), inbound)
    fields.finish()


def _format(fields: Body, inbound: Inbound) -> None:
    kind = fields.need("type", str, "text, json_object or json_schema")
    if kind == "json_schema":
        schema: dict[str, Any] = {
            "name": fields.need("name", str, "a schema name"),
            "schema": fields.need("schema", dict, "a JSON schema"),
        }
        for name, kinds in (("strict", bool), ("description", str)):
            value = fields.get(name, kinds, "a valid value")
            if value is not None:
                schema[name] = value
        inbound.params["response_format"] = {"type": "json_schema", "json_schema": schema}
    elif kind == "json_object":
        inbound.params["response_format"] = {"type": "json_object"}
    elif kind != "text":
        raise refuse("text.format.type", "must be text, json_object or json_schema")
    fields.finish()
