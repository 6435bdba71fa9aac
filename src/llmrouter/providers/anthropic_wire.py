"""The native adapter for Anthropic's Messages API, over one pooled aiohttp session.

Request: POST `{api_base}/v1/messages` (api_base default `https://api.anthropic.com`; an
api_base that already ends in `/v1` or `/messages` is completed, not doubled) with `x-api-key`
and `anthropic-version: 2023-06-01`. The OpenAI-shaped request is translated by
`llmrouter.providers.anthropic_messages`, whose docstring lists what maps to what and which
parameters are dropped because the Messages API has no equivalent.

Stream: `message_start` (id, model, input usage), `content_block_start` / `_delta` (text,
tool use with its `input_json_delta`s, thinking), `message_delta` (stop reason, output
usage), `message_stop` become OpenAI chunks: a role chunk, content / `tool_calls` deltas (the
tool call's `index` counts tool calls, as OpenAI's does), a finish chunk and a final usage
chunk with no choices. `ping` and unknown events are ignored. `event: error` is classified
like an HTTP error (`overloaded_error` -> `OverloadedError`); a stream that ends without
`message_stop` raises.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from pydantic import ValidationError

from llmrouter.errors import BadRequestError
from llmrouter.faults import RawFault
from llmrouter.providers.anthropic_messages import (
    UnsupportedRequest,
    finish_reason,
    prompt_tokens,
    to_chat_completion,
    to_messages_request,
)
from llmrouter.providers.base import ProviderCall
from llmrouter.providers.http_client import (
    PooledProvider,
    encode_body,
    fault,
    finish_stream,
    loads,
    malformed,
    not_a_stream,
    read_body,
)
from llmrouter.providers.sse import iter_sse
from llmrouter.types import ChatCompletion, ChatCompletionChunk, Usage

__all__ = ["ANTHROPIC_API_BASE", "ANTHROPIC_VERSION", "AnthropicWireProvider", "StreamTranslator"]

ANTHROPIC_API_BASE = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"


def messages_url(api_base: str | None) -> str:
    """The Messages endpoint under `api_base`."""
    base = (api_base or ANTHROPIC_API_BASE).rstrip("/")
    if base.endswith("/messages"):
        return base
    if base.endswith("/v1"):
        return base + "/messages"
    return base + "/v1/messages"


class AnthropicWireProvider(PooledProvider):
    """Calls Anthropic's `/v1/messages` directly (no litellm), OpenAI-shaped in and out.

    Same interface as `LiteLLMProvider`: `complete`, `stream`, `aclose`. Errors are classified
    by `llmrouter.faults.classify`; messages are scrubbed with `redact`.
    """

    def _request(self, call: ProviderCall, *, stream: bool) -> tuple[str, dict[str, str], bytes]:
        deployment = call.deployment
        provider = deployment.provider
        try:
            body = to_messages_request(
                deployment.model_id, call.messages, call.params, stream=stream
            )
        except UnsupportedRequest as exc:
            raise BadRequestError(
                str(exc), model=deployment.name, provider=deployment.provider_name
            ) from None
        headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
        vendor = deployment.ref.vendor
        if provider.api_key is not None:
            key = provider.api_key.get_secret_value()
            if vendor.auth == "x-api-key":
                headers["x-api-key"] = key
            else:
                headers["Authorization"] = "Bearer " + key
        extra = call.params.get("extra_headers")
        if isinstance(extra, Mapping):
            headers.update({str(k): str(v) for k, v in extra.items()})
        if vendor.adapt_body is not None:
            vendor.adapt_body(body)
        return messages_url(provider.api_base or vendor.api_base), headers, encode_body(call, body)

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        url, headers, body = self._request(call, stream=False)
        resp = await self._http.post(call, url, headers, body, self._redact, stream=False)
        data = await read_body(resp, call, self._redact)
        try:
            message = loads(data)
        except ValueError:
            raise malformed(call, self._redact, "response body") from None
        if not isinstance(message, dict):
            raise malformed(call, self._redact, "response body")
        if message.get("type") == "error":
            raise fault(call, RawFault(body=data.decode("utf-8", "replace")), self._redact)
        try:
            return ChatCompletion.model_validate(to_chat_completion(message))
        except (ValidationError, AttributeError, TypeError):
            raise malformed(call, self._redact, "response body") from None

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        url, headers, body = self._request(call, stream=True)
        resp = await self._http.post(call, url, headers, body, self._redact, stream=True)
        if resp.content_type == "application/json":
            raise await not_a_stream(resp, call, self._redact)
        translator = StreamTranslator(call.deployment.model_id)
        try:
            async with contextlib.aclosing(iter_sse(resp, call, self._redact)) as events:
                async for event in events:
                    try:
                        payload = loads(event.data)
                        kind = payload.get("type") or event.event
                    except (ValueError, AttributeError):
                        raise malformed(call, self._redact, "stream event") from None
                    if kind == "error" or event.event == "error":
                        text = event.data.decode("utf-8", "replace")
                        raise fault(call, RawFault(body=text), self._redact)
                    try:
                        chunks = translator.feed(kind, payload)
                    except (ValidationError, AttributeError, TypeError, KeyError):
                        raise malformed(call, self._redact, "stream event") from None
                    for chunk in chunks:
                        yield chunk
                    if translator.done:
                        break
        finally:
            finish_stream(resp, translator.done)
        if not translator.done:
            raw = RawFault(transport="closed", message="the stream ended before message_stop")
            raise fault(call, raw, self._redact)


class StreamTranslator:
    """Turns Anthropic stream events into OpenAI-shaped chunks, one event at a time."""

    def __init__(self, model: str) -> None:
        self.done = False
        self._id = ""
        self._model = model
        self._created = int(time.time())
        self._input: Mapping[str, Any] = {}
        self._output = 0
        self._tools: dict[int, int] = {}  # content block index -> tool call index

    def feed(self, kind: str | None, event: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        """The chunks one event gives (often none)."""
        if kind == "content_block_delta":
            return self._delta(event["index"], event["delta"])
        if kind == "content_block_start":
            return self._block_start(event["index"], event["content_block"])
        if kind == "message_start":
            message = event["message"]
            self._id = message.get("id") or ""
            self._model = message.get("model") or self._model
            self._input = message.get("usage") or {}
            self._output = self._input.get("output_tokens") or 0
            return [self._chunk({"role": "assistant", "content": ""})]
        if kind == "message_delta":
            usage = event.get("usage") or {}
            if usage.get("input_tokens") is not None:  # newer API versions repeat them here
                self._input = {**self._input, **usage}
            self._output = usage.get("output_tokens") or self._output
            reason = finish_reason((event.get("delta") or {}).get("stop_reason"))
            return [self._chunk({}, reason)] if reason is not None else []
        if kind == "message_stop":
            self.done = True
            prompt = prompt_tokens(self._input)
            usage = Usage(
                prompt_tokens=prompt,
                completion_tokens=self._output,
                total_tokens=prompt + self._output,
            )
            return [self._make([], usage)]
        return []  # ping, content_block_stop, and event types added later

    def _block_start(self, index: int, block: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        kind = block.get("type")
        if kind == "tool_use":
            position = self._tools.setdefault(index, len(self._tools))
            call = {
                "index": position,
                "id": block.get("id"),
                "type": "function",
                "function": {"name": block.get("name"), "arguments": ""},
            }
            return [self._chunk({"tool_calls": [call]})]
        if kind == "text" and block.get("text"):
            return [self._chunk({"content": block["text"]})]
        return []

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        kind = delta.get("type")
        if kind == "text_delta":
            return [self._chunk({"content": delta.get("text") or ""})]
        if kind == "input_json_delta":
            arguments = delta.get("partial_json") or ""
            call = {"index": self._tools.get(index, 0), "function": {"arguments": arguments}}
            return [self._chunk({"tool_calls": [call]})]
        if kind == "thinking_delta":
            return [self._chunk({"reasoning_content": delta.get("thinking") or ""})]
        return []  # signature_delta, citations_delta, ...

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> ChatCompletionChunk:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return self._make([choice], None)

    def _make(self, choices: list[dict[str, Any]], usage: Usage | None) -> ChatCompletionChunk:
        return ChatCompletionChunk.model_validate(
            {
                "id": self._id,
                "object": "chat.completion.chunk",
                "created": self._created,
                "model": self._model,
                "choices": choices,
                "usage": usage,
            }
        )
