"""The native adapter for OpenAI-compatible chat completions (OpenAI, Z.ai / Zhipu GLM,
DeepSeek, vLLM, ...), over one pooled aiohttp session.

Request: POST `{api_base}/chat/completions` with `Authorization: Bearer <key>`. The model id
sent upstream is the part of the model string after the first "/" (`zai/glm-4.6` ->
`glm-4.6`). Every parameter of the call passes through unchanged (tools, response_format,
seed, n, logprobs, ...), except two OpenAI-SDK conventions that are not body fields:
`extra_headers` (merged into the HTTP headers) and `extra_body` (merged into the body).
Streamed calls ask for `stream_options: {"include_usage": true}` unless the caller set
`stream_options`.

Response: the JSON body and each SSE `data:` event are validated straight from bytes into
`ChatCompletion` / `ChatCompletionChunk` (pydantic-core parses and validates in one pass, the
cheapest correct option measured). Finish reasons pass through unchanged: the router turns
`sensitive`, `content_filter` and `network_error` into faults. An SSE `data: {"error": ...}`
event is classified like an HTTP error; a stream that ends without `data: [DONE]` raises.

Pass-through (`call.passthrough` of the OpenAI wire, `llmrouter.passthrough`): the client's
own body is sent instead, with the deployment's model id, the stream flag of the call and,
for a stream without `stream_options`, `include_usage` (the router prices what a stream used;
its usage-only event is then not kept for the client, who did not ask for it). The vendor's
`adapt_body` still applies. The answer is parsed as usual and also kept as it came: the body
on the `PassedCompletion`, each event in `call.received`.

Embeddings (`embed`): POST `{api_base}/embeddings` with the same auth, headers, body caps and
fault classification; the body is `model`, `input` and the call's parameters (`dimensions`,
`encoding_format`, `user`, `extra_body` merged, `extra_headers` sent as headers). The answer is
validated into `EmbeddingResponse` (`llmrouter.providers.embeddings`).

`provider.params` of the config are litellm adapter settings and are not sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from llmrouter.errors import BadRequestError, ProviderError
from llmrouter.faults import RawFault
from llmrouter.passthrough import PassedCompletion, ReceivedStream, outbound_body
from llmrouter.providers.base import ProviderCall
from llmrouter.providers.embeddings import conform_encoding, parse_embeddings
from llmrouter.providers.http_client import (
    PooledProvider,
    encode_body,
    fault,
    finish_stream,
    join_url,
    loads,
    malformed,
    not_a_stream,
    read_body,
)
from llmrouter.providers.sse import iter_sse
from llmrouter.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse

__all__ = ["OpenAIWireProvider"]

_DONE = b"[DONE]"

_Parsed = TypeVar("_Parsed", ChatCompletion, PassedCompletion, ChatCompletionChunk)


class OpenAIWireProvider(PooledProvider):
    """Calls OpenAI-compatible `/chat/completions` endpoints directly (no litellm).

    Same interface as `LiteLLMProvider`: `complete`, `stream`, `aclose`. Errors are classified
    by `llmrouter.faults.classify`; messages are scrubbed with `redact`.
    """

    def _target(self, call: ProviderCall) -> tuple[str, dict[str, str]]:
        """The api base and the headers (with the key) of a call."""
        deployment = call.deployment
        provider = deployment.provider
        api_base = provider.api_base or deployment.ref.vendor.api_base
        if api_base is None:
            raise BadRequestError(
                f"provider {provider.name!r} needs an api_base for {deployment.model!r}",
                model=deployment.name,
                provider=provider.name,
            )
        headers = {"Content-Type": "application/json"}
        if provider.api_key is not None:
            headers["Authorization"] = "Bearer " + provider.api_key.get_secret_value()
        return api_base, headers

    def _request(self, call: ProviderCall, *, stream: bool) -> tuple[str, dict[str, str], bytes]:
        deployment = call.deployment
        vendor = deployment.ref.vendor
        api_base, headers = self._target(call)
        passthrough = call.passthrough_for("openai")
        body: dict[str, Any]
        if passthrough is not None:
            body = outbound_body(passthrough, deployment.model_id, stream=stream)
        else:
            body = {"model": deployment.model_id, "messages": call.messages}
            if call.params:
                body.update(call.params)
                _apply_extras(body, headers)
            if not stream:
                body.pop("stream", None)
        if stream:
            body["stream"] = True
            if body.get("stream_options") is None:
                body["stream_options"] = {"include_usage": True}
        if vendor.adapt_body is not None:
            vendor.adapt_body(body)
        return join_url(api_base, "chat/completions"), headers, encode_body(call, body)

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        url, headers, body = self._request(call, stream=False)
        resp = await self._http.post(call, url, headers, body, self._redact, stream=False)
        data = await read_body(resp, call, self._redact)
        if call.passthrough_for("openai") is None:
            return self._completion(ChatCompletion, data, call)
        answer = self._completion(PassedCompletion, data, call)
        answer._received = data
        return answer

    def _completion(self, cls: type[_Parsed], data: bytes, call: ProviderCall) -> _Parsed:
        try:
            return cls.model_validate_json(data)
        except ValidationError:
            return self._parse_loose(cls, data, call, "response body")

    async def embed(self, call: ProviderCall) -> EmbeddingResponse:
        """One embeddings call (see the module docstring)."""
        api_base, headers = self._target(call)
        body: dict[str, Any] = {"model": call.deployment.model_id, "input": call.input}
        if call.params:
            body.update(call.params)
            _apply_extras(body, headers)
        url = join_url(api_base, "embeddings")
        data = encode_body(call, body)
        resp = await self._http.post(call, url, headers, data, self._redact, stream=False)
        raw = await read_body(resp, call, self._redact)
        try:
            return conform_encoding(EmbeddingResponse.model_validate_json(raw), call)
        except ValidationError:
            pass
        try:
            payload = loads(raw)
        except ValueError:
            raise malformed(call, self._redact, "embeddings body") from None
        if not isinstance(payload, dict):
            raise malformed(call, self._redact, "embeddings body")
        if payload.get("error"):
            raise self._in_band_error(call, raw)
        return parse_embeddings(payload, call)

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        url, headers, body = self._request(call, stream=True)
        resp = await self._http.post(call, url, headers, body, self._redact, stream=True)
        if resp.content_type == "application/json":
            raise await not_a_stream(resp, call, self._redact)
        received, keep_usage = _received(call)
        done = False
        try:
            async with contextlib.aclosing(iter_sse(resp, call, self._redact)) as events:
                async for event in events:
                    data = event.data
                    if data == _DONE:
                        done = True
                        if received is not None:
                            received.add(event.event, data)
                        break
                    chunk = self._chunk(data, call)
                    if received is not None and (chunk.choices or keep_usage or not chunk.usage):
                        received.add(event.event, data)
                    yield chunk
        finally:
            finish_stream(resp, done)
        if not done:
            raw = RawFault(transport="closed", message="the stream ended before [DONE]")
            raise fault(call, raw, self._redact)

    def _chunk(self, data: bytes, call: ProviderCall) -> ChatCompletionChunk:
        if b'"error"' not in data:
            try:
                return ChatCompletionChunk.model_validate_json(data)
            except ValidationError:
                pass
        return self._parse_loose(ChatCompletionChunk, data, call, "stream event")

    def _parse_loose(
        self,
        cls: type[_Parsed],
        data: bytes,
        call: ProviderCall,
        what: str,
    ) -> _Parsed:
        """The slow path: an error object in a 2xx answer, or a body missing `id` / `model`."""
        try:
            payload = loads(data)
        except ValueError:
            raise malformed(call, self._redact, what) from None
        if not isinstance(payload, dict):
            raise malformed(call, self._redact, what)
        if payload.get("error"):
            raise self._in_band_error(call, data)
        payload.setdefault("id", "")
        payload.setdefault("model", call.deployment.model_id)
        try:
            return cls.model_validate(payload)
        except ValidationError:
            raise malformed(call, self._redact, what) from None

    def _in_band_error(self, call: ProviderCall, data: bytes) -> ProviderError:
        return fault(call, RawFault(body=data.decode("utf-8", "replace")), self._redact)


def _received(call: ProviderCall) -> tuple[ReceivedStream | None, bool]:
    """Where a pass-through stream keeps its events, and whether its usage-only event is kept
    (only when the client set `stream_options` itself)."""
    passthrough = call.passthrough_for("openai")
    received = call.received
    if passthrough is None or received is None:
        return None, False
    received.active = True
    return received, passthrough.body.get("stream_options") is not None


def _apply_extras(body: dict[str, Any], headers: dict[str, str]) -> None:
    """Move the OpenAI SDK's `extra_headers` / `extra_body` out of the body."""
    extra_headers = body.pop("extra_headers", None)
    if isinstance(extra_headers, Mapping):
        headers.update({str(k): str(v) for k, v in extra_headers.items()})
    extra_body = body.pop("extra_body", None)
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
