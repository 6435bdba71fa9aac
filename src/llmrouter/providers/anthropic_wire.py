"""The native adapter for Anthropic's Messages API, over one pooled aiohttp session.

Request: POST `{api_base}/v1/messages` (api_base default: the vendor's; an api_base that
already ends in `/v1` or `/messages` is completed, not doubled) with the key as the vendor
wants it (`x-api-key` for Anthropic, a Bearer token for Z.ai's compatible endpoint) and
`anthropic-version: 2023-06-01`. The OpenAI-shaped request is translated by
`llmrouter.providers.anthropic_messages`, whose docstring lists what maps to what and what
cannot be carried; streams by `llmrouter.providers.anthropic_stream`. `event: error` is
classified like an HTTP error (`overloaded_error` -> `OverloadedError`); a stream that ends
without `message_stop` raises.

Pass-through (`call.passthrough` of the Anthropic wire, `llmrouter.passthrough`): the client's
own Messages body is sent instead of a translation, with the deployment's model id and the
stream flag of the call, the provider's key and `anthropic-version`, and the allowed
`anthropic-beta` values the pass-through carries (nothing else of the client's headers). The
answer is parsed as usual and also kept as it came: the body on the `PassedCompletion`, each
event but `error` in `call.received`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from pydantic import ValidationError

from llmrouter.errors import BadRequestError
from llmrouter.faults import RawFault
from llmrouter.passthrough import PassedCompletion, outbound_body
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
        passthrough = call.passthrough_for("anthropic")
        if passthrough is not None:
            body = outbound_body(passthrough, deployment.model_id, stream=stream)
        else:
            body = self._translated(call, stream=stream)
        headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
        vendor = deployment.ref.vendor
        if provider.api_key is not None:
            key = provider.api_key.get_secret_value()
            if vendor.auth == "x-api-key":
                headers["x-api-key"] = key
            else:
                headers["Authorization"] = "Bearer " + key
        if passthrough is not None:
            beta = passthrough.headers.get("anthropic-beta")  # the only header it may carry
            if beta:
                headers["anthropic-beta"] = beta
        else:
            extra = call.params.get("extra_headers")
            if isinstance(extra, Mapping):
                headers.update({str(k): str(v) for k, v in extra.items()})
        if vendor.adapt_body is not None:
            vendor.adapt_body(body)
        return messages_url(provider.api_base or vendor.api_base), headers, encode_body(call, body)

    @staticmethod
    def _translated(call: ProviderCall, *, stream: bool) -> dict[str, Any]:
        deployment = call.deployment
        try:
            return to_messages_request(
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
        passed = call.passthrough_for("anthropic") is not None
        json_answer = not passed and json_schema_of(call.params.get("response_format")) is not None
        try:
            answer = to_chat_completion(message, json_answer=json_answer)
            if not passed:
                return ChatCompletion.model_validate(answer)
            completion = PassedCompletion.model_validate(answer)
        except (ValidationError, AttributeError, TypeError):
            raise malformed(call, self._redact, "response body") from None
        completion._received = data
        return completion

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        url, headers, body = self._request(call, stream=True)
        resp = await self._http.post(call, url, headers, body, self._redact, stream=True)
        if resp.content_type == "application/json":
            raise await not_a_stream(resp, call, self._redact)
        passed = call.passthrough_for("anthropic") is not None
        received = call.received if passed else None
        if received is not None:
            received.active = True
        json_answer = not passed and json_schema_of(call.params.get("response_format")) is not None
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
                    if received is not None:
                        received.add(event.event, event.data)
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
