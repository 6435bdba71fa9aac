"""The router's answer as an OpenAI Responses object and its SSE events.

- output items: `reasoning_content` -> a `reasoning` item (the text as `reasoning_text`
  content; no summary, no encrypted content), text -> a `message` item with one `output_text`
  part, a refusal -> a `message` item with one `refusal` part, each tool call -> a
  `function_call` item (`call_id` = the tool call id);
- `finish_reason` length -> status `incomplete` (`max_output_tokens`), else `completed`;
- usage: `input_tokens` (cached ones in `input_tokens_details`), `output_tokens` (reasoning
  ones in `output_tokens_details`);
- a stream: `response.created`, `response.in_progress`, per item `output_item.added`, its
  deltas (`output_text.delta`, `reasoning_text.delta`, `function_call_arguments.delta`) and
  `.done` events, `output_item.done`, then `response.completed` (or `response.incomplete`); a
  failure after the first event is `response.failed`, with `error.code` and `message`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from llmrouter.errors import LLMRouterError
from llmrouter.gateway.chat import openai_error
from llmrouter.gateway.frontend import Inbound
from llmrouter.gateway.problems import problem_for
from llmrouter.gateway.sse import named_event
from llmrouter.streaming import RouterStream
from llmrouter.types import ChatCompletion, Delta, Message, Usage

__all__ = ["render_response", "response_events"]

_REFUSAL_PART = {"type": "refusal", "refusal": ""}


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _usage(usage: Usage | None) -> dict[str, Any]:
    usage = usage or Usage()
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
    }


def _envelope(inbound: Inbound, response_id: str, created: int) -> dict[str, Any]:
    raw = inbound.raw
    return {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": "in_progress",
        "model": inbound.model,
        "output": [],
        "error": None,
        "incomplete_details": None,
        "instructions": raw.get("instructions"),
        "max_output_tokens": raw.get("max_output_tokens"),
        "parallel_tool_calls": raw.get("parallel_tool_calls", True),
        "previous_response_id": None,
        "reasoning": raw.get("reasoning"),
        "store": False,
        "temperature": raw.get("temperature"),
        "text": raw.get("text") or {"format": {"type": "text"}},
        "tool_choice": raw.get("tool_choice", "auto"),
        "tools": raw.get("tools") or [],
        "top_p": raw.get("top_p"),
        "usage": None,
        "metadata": {},
    }


def _finish(envelope: dict[str, Any], finish: str | None, usage: Usage | None) -> None:
    if finish == "length":
        envelope["status"] = "incomplete"
        envelope["incomplete_details"] = {"reason": "max_output_tokens"}
    else:
        envelope["status"] = "completed"
    envelope["usage"] = _usage(usage)


def _message_item(item_id: str, text: str, status: str = "completed") -> dict[str, Any]:
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    return {
        "type": "message",
        "id": item_id,
        "status": status,
        "role": "assistant",
        "content": [part] if status == "completed" else [],
    }


def _refusal_item(item_id: str, text: str, status: str = "completed") -> dict[str, Any]:
    part = {"type": "refusal", "refusal": text}
    return {
        "type": "message",
        "id": item_id,
        "status": status,
        "role": "assistant",
        "content": [part] if status == "completed" else [],
    }


def _reasoning_item(item_id: str, text: str | None) -> dict[str, Any]:
    content = [{"type": "reasoning_text", "text": text}] if text is not None else []
    return {"type": "reasoning", "id": item_id, "summary": [], "content": content}


def _call_item(
    item_id: str, call_id: str, name: str, arguments: str, status: str, inbound: Inbound
) -> dict[str, Any]:
    item = {
        "type": "function_call",
        "id": item_id,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": status,
    }
    if name in inbound.namespaced:
        item["namespace"], item["name"] = inbound.namespaced[name]
    return item


def _output(message: Message, inbound: Inbound) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if message.reasoning_content:
        out.append(_reasoning_item(_id("rs"), message.reasoning_content))
    if message.content:
        out.append(_message_item(_id("msg"), message.content))
    if message.refusal:
        out.append(_refusal_item(_id("msg"), message.refusal))
    for call in message.tool_calls or ():
        out.append(
            _call_item(
                _id("fc"),
                call.id,
                call.function.name or "",
                call.function.arguments,
                "completed",
                inbound,
            )
        )
    return out


def render_response(answer: ChatCompletion, inbound: Inbound) -> dict[str, Any]:
    envelope = _envelope(inbound, _id("resp"), answer.created or int(time.time()))
    choice = answer.choices[0] if answer.choices else None
    if choice is not None:
        envelope["output"] = _output(choice.message, inbound)
    _finish(envelope, choice.finish_reason if choice else None, answer.usage)
    return envelope


class _Writer:
    """Numbers events and keeps the item being streamed, to close it with its `.done`s."""

    def __init__(self, envelope: dict[str, Any], inbound: Inbound) -> None:
        self.envelope = envelope
        self.inbound = inbound
        self.seq = 0
        self.kind: str | None = None
        self.item: dict[str, Any] = {}
        self.text: list[str] = []
        self.tool: int | None = None

    def event(self, event_type: str, /, **fields: Any) -> bytes:
        payload = {"type": event_type, "sequence_number": self.seq, **fields}
        self.seq += 1
        return named_event(event_type, payload)

    @property
    def index(self) -> int:
        return len(self.envelope["output"])

    def open(self, kind: str, item: dict[str, Any], tool: int | None = None) -> list[bytes]:
        out = self.close()
        self.kind, self.item, self.text, self.tool = kind, item, [], tool
        out.append(self.event("response.output_item.added", output_index=self.index, item=item))
        if kind == "message":
            part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            out.append(self._part_event("response.content_part.added", part))
        elif kind == "refusal":
            out.append(self._part_event("response.content_part.added", _REFUSAL_PART))
        return out

    def _part_event(self, name: str, part: dict[str, Any]) -> bytes:
        return self.event(
            name, item_id=self.item["id"], output_index=self.index, content_index=0, part=part
        )

    def delta(self, name: str, text: str) -> bytes:
        self.text.append(text)
        extra: dict[str, Any] = {"logprobs": []} if self.kind == "message" else {}
        if self.kind != "function_call":
            extra["content_index"] = 0
        return self.event(
            name, item_id=self.item["id"], output_index=self.index, delta=text, **extra
        )

    def close(self) -> list[bytes]:
        kind, item, text = self.kind, self.item, "".join(self.text)
        if kind is None:
            return []
        self.kind = None
        out: list[bytes] = []
        where = {"item_id": item["id"], "output_index": self.index}
        if kind == "message":
            done = _message_item(item["id"], text)
            out.append(
                self.event(
                    "response.output_text.done", **where, content_index=0, text=text, logprobs=[]
                )
            )
            out.append(self._part_event("response.content_part.done", done["content"][0]))
        elif kind == "refusal":
            done = _refusal_item(item["id"], text)
            out.append(self.event("response.refusal.done", **where, content_index=0, refusal=text))
            out.append(self._part_event("response.content_part.done", done["content"][0]))
        elif kind == "reasoning":
            done = _reasoning_item(item["id"], text)
            out.append(
                self.event("response.reasoning_text.done", **where, content_index=0, text=text)
            )
        else:
            done = {**item, "arguments": text, "status": "completed"}
            out.append(
                self.event(
                    "response.function_call_arguments.done",
                    **where,
                    arguments=text,
                    name=item["name"],
                )
            )
        out.append(self.event("response.output_item.done", output_index=self.index, item=done))
        self.envelope["output"].append(done)
        return out


async def response_events(stream: RouterStream, inbound: Inbound) -> AsyncGenerator[bytes, None]:
    envelope = _envelope(inbound, _id("resp"), int(time.time()))
    writer = _Writer(envelope, inbound)
    yield writer.event("response.created", response=dict(envelope, output=[]))
    yield writer.event("response.in_progress", response=dict(envelope, output=[]))
    finish: str | None = None
    try:
        async for chunk in stream:
            for choice in chunk.choices[:1]:
                for event in _delta_events(choice.delta, writer):
                    yield event
                finish = choice.finish_reason or finish
    except LLMRouterError as exc:
        error = openai_error(problem_for(exc))["error"]
        failed = dict(
            envelope,
            status="failed",
            error={"code": error["code"] or error["type"], "message": error["message"]},
        )
        yield writer.event("response.failed", response=failed)
        return
    for event in writer.close():
        yield event
    _finish(envelope, finish, stream.usage)
    name = "response.incomplete" if envelope["status"] == "incomplete" else "response.completed"
    yield writer.event(name, response=envelope)


def _delta_events(delta: Delta, writer: _Writer) -> list[bytes]:
    out: list[bytes] = []
    if delta.reasoning_content:
        if writer.kind != "reasoning":
            out += writer.open("reasoning", _reasoning_item(_id("rs"), None))
        out.append(writer.delta("response.reasoning_text.delta", delta.reasoning_content))
    if delta.content:
        if writer.kind != "message":
            out += writer.open("message", _message_item(_id("msg"), "", "in_progress"))
        out.append(writer.delta("response.output_text.delta", delta.content))
    refusal = getattr(delta, "refusal", None)
    if refusal:
        if writer.kind != "refusal":
            out += writer.open("refusal", _refusal_item(_id("msg"), "", "in_progress"))
        out.append(writer.delta("response.refusal.delta", refusal))
    for call in delta.tool_calls or ():
        if writer.kind != "function_call" or writer.tool != call.index:
            name = (call.function.name if call.function else None) or ""
            item = _call_item(_id("fc"), call.id or "", name, "", "in_progress", writer.inbound)
            out += writer.open("function_call", item, call.index)
        arguments = call.function.arguments if call.function else None
        if arguments:
            out.append(writer.delta("response.function_call_arguments.delta", arguments))
    return out
