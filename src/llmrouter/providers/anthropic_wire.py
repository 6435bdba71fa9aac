"""The native adapter for Anthropic's Messages API, over one pooled aiohttp session.

Request: POST `{api_base}/v1/messages` (api_base default: the vendor's; an api_base that
already ends in `/v1` or `/messages` is completed, not doubled) with the key as the vendor
wants it (`x-api-key` for Anthropic, a Bearer token for Z.ai's compatible endpoint) and
`anthropic-version: 2023-06-01`. The OpenAI-shaped request is translated by
`llmrouter.providers.anthropic_messages`, whose docstring lists what maps to what and what
cannot be carried; streams by `llmrouter.providers.anthropic_stream`. `event: error` is
classified like an HTTP error (`overloaded_error` -> `OverloadedError`); a stream that ends
without `message_stop` raises.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping

from pydantic import ValidationError

from llmrouter.errors import BadRequestError
from llmrouter.faults import RawFault
from llmrouter.providers.anthropic_messages import (
    DEFAULT_MAX_TOKENS,
    UnsupportedRequest,
    json_schema_of,
    to_messages_request,
)
from llmrouter.providers.anthropic_response import to_chat_completion
from llmrouter.providers.anthropic_stream import StreamTranslator
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
from llmrouter.types import ChatCompletion, ChatCompletionChunk

__all__ = ["ANTHROPIC_API_BASE", "ANTHROPIC_VERSION", "AnthropicWireProvider", "messages_url"]

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
                deployment.model_id,
                call.messages,
                call.params,
                stream=stream,
                default_max_tokens=deployment.price.max_output_tokens or DEFAULT_MAX_TOKENS,
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
        json_answer = json_schema_of(call.params.get("response_format")) is not None
        try:
            answer = to_chat_completion(message, json_answer=json_answer)
            return ChatCompletion.model_validate(answer)
        except (ValidationError, AttributeError, TypeError):
            raise malformed(call, self._redact, "response body") from None

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        url, headers, body = self._request(call, stream=True)
        resp = await self._http.post(call, url, headers, body, self._redact, stream=True)
        if resp.content_type == "application/json":
            raise await not_a_stream(resp, call, self._redact)
        json_answer = json_schema_of(call.params.get("response_format")) is not None
        translator = StreamTranslator(call.deployment.model_id, json_answer=json_answer)
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
