"""The adapter for every provider litellm speaks. litellm is imported on first use only.

litellm's retries are off (the router is the only retry loop) and it is told to use its bundled
price map and Anthropic beta headers, so it never fetches anything. Its HTTP clients follow no
redirect for our calls (`llmrouter.providers.redirects`). Its exceptions are reduced to a
`RawFault` here and classified by `llmrouter.faults`; they never leave this module.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from llmrouter.errors import MalformedResponseError, ProviderError
from llmrouter.faults import RawFault, TransportFailure, classify
from llmrouter.providers import redirects
from llmrouter.providers.base import ProviderCall
from llmrouter.providers.embeddings import parse_embeddings
from llmrouter.providers.litellm_fidelity import faithful, provider_chunks
from llmrouter.providers.litellm_params import litellm_params
from llmrouter.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse

__all__ = ["LiteLLMProvider", "import_litellm"]

_OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
}


def import_litellm() -> Any:
    """Import litellm configured never to reach the network on its own."""
    os.environ.update(_OFFLINE_ENV)
    try:
        import litellm
    except ImportError:
        raise ImportError(
            "this config has models that only litellm can serve, and litellm is not "
            "installed: pip install 'llmrouter[litellm]'"
        ) from None
    litellm.suppress_debug_info = True
    redirects.install()
    return litellm


class LiteLLMProvider:
    """Calls `litellm.acompletion` (and `litellm.aembedding`) for any model string litellm
    understands."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        self._redact = redact
        self._litellm: Any = None

    def _module(self) -> Any:
        if self._litellm is None:
            self._litellm = import_litellm()
        return self._litellm

    def warm_up(self) -> None:
        """Import litellm now (it takes seconds) rather than on the first request, and do
        once, in this worker thread, what its first call would do on the event loop (build
        validators, load its tokenizer, start its logging workers: 150-350 ms measured)."""
        litellm = self._module()
        _build_litellm_validators()
        with contextlib.suppress(Exception):  # mocked: litellm answers without any request
            warm = {"model": "openai/gpt-4o-mini", "mock_response": "warm", "num_retries": 0}
            litellm.completion(messages=[{"role": "user", "content": "warm"}], **warm)
            for _ in litellm.completion(
                messages=[{"role": "user", "content": "warm"}], stream=True, **warm
            ):
                pass

    def _kwargs(self, call: ProviderCall, *, stream: bool = False) -> dict[str, Any]:
        deployment = call.deployment
        provider = deployment.provider
        kwargs: dict[str, Any] = {**provider.params, **litellm_params(call)}
        model, default_base = _litellm_model(call)
        kwargs.update(model=model, timeout=call.timeout_s, num_retries=0, max_retries=0)
        if call.input:
            kwargs["input"] = call.input
        else:
            kwargs["messages"] = call.messages
        if provider.api_base or default_base:
            kwargs["api_base"] = provider.api_base or default_base
        if provider.api_key is not None:
            kwargs["api_key"] = provider.api_key.get_secret_value()
        if stream:
            kwargs["stream"] = True
            kwargs.setdefault("stream_options", {"include_usage": True})
        return kwargs

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        litellm = self._module()
        try:
            with redirects.no_redirects():
                raw = await litellm.acompletion(**self._kwargs(call, stream=False))
        except Exception as exc:  # the translation boundary: every litellm error ends here
            raise self._translate(exc, call) from None
        answer = _parse(ChatCompletion, raw, call)
        faithful(answer, call.deployment.ref, raw)
        return answer

    async def embed(self, call: ProviderCall) -> EmbeddingResponse:
        """`litellm.aembedding`, its answer read as OpenAI's shape."""
        litellm = self._module()
        kwargs = self._kwargs(call)
        kwargs["max_retries"] = _ZERO_RETRIES
        if "dimensions" in kwargs and str(kwargs["model"]).startswith("openai/"):
            # litellm refuses `dimensions` for an OpenAI-wire model it does not know as
            # text-embedding-3 (Z.ai's embedding-3 is one): the endpoint decides, as natively.
            kwargs["allowed_openai_params"] = ["dimensions"]
        try:
            with redirects.no_redirects():
                raw = await litellm.aembedding(**kwargs)
        except Exception as exc:  # the translation boundary, as for completions
            raise self._translate(exc, call) from None
        data = raw.model_dump(warnings=False) if hasattr(raw, "model_dump") else raw
        if not isinstance(data, Mapping):
            raise MalformedResponseError(
                "unexpected embeddings answer from litellm",
                model=call.deployment.name,
                provider=call.deployment.provider_name,
            )
        return parse_embeddings(data, call)

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        litellm = self._module()
        try:
            with redirects.no_redirects():
                raw = await litellm.acompletion(**self._kwargs(call, stream=True))
            ref = call.deployment.ref
            chunks = provider_chunks(raw, ref)
            while True:
                with redirects.no_redirects():  # some providers only connect on the first read
                    try:
                        chunk = await chunks.__anext__()
                    except StopAsyncIteration:
                        break
                parsed = _parse(ChatCompletionChunk, chunk, call)
                faithful(parsed, ref, chunk)
                yield parsed
        except ProviderError:
            raise
        except Exception as exc:
            raise self._translate(exc, call) from None

    async def aclose(self) -> None:
        """litellm owns its HTTP clients; nothing of ours to close."""

    def _translate(self, exc: Exception, call: ProviderCall) -> ProviderError:
        return classify(
            _raw_fault(exc, self._module()),
            model=call.deployment.name,
            provider=call.deployment.provider_name,
            redact=self._redact,
            codes=call.deployment.ref.vendor.error_codes,
        )


class _ZeroRetries(int):
    """Zero, but truthy. litellm's OpenAI embedding path reads `max_retries or 2`, so a plain 0
    became two SDK retries behind the router's back (one upstream call per attempt is pinned
    by tests/e2e/test_embeddings_http.py)."""

    def __bool__(self) -> bool:
        return True


_ZERO_RETRIES = _ZeroRetries(0)

ModelT = TypeVar("ModelT", bound=BaseModel)


# Response types litellm (and the OpenAI SDK under it) validate on a first call; their
# validators are deferred until then.
_FIRST_CALL_TYPES = (
    "litellm.types.router:GenericLiteLLMParams",
    "litellm.types.router:LiteLLM_Params",
    "litellm.types.utils:Message",
    "litellm.types.utils:Choices",
    "litellm.types.utils:ModelResponse",
    "litellm.types.utils:Usage",
    "litellm.types.utils:PromptTokensDetailsWrapper",
    "litellm.types.utils:CompletionTokensDetailsWrapper",
    "litellm.types.utils:StreamingChoices",
    "litellm.types.utils:Delta",
    "litellm.types.utils:ModelResponseStream",
    "litellm.types.services:ServiceLoggerPayload",
    "openai.types.chat.chat_completion_message:ChatCompletionMessage",
    "openai.types.chat.chat_completion:Choice",
    "openai.types.chat.chat_completion:ChatCompletion",
)


def _build_litellm_validators() -> None:
    import importlib

    with contextlib.suppress(Exception):  # its token counter loads a tokenizer (~300 ms)
        importlib.import_module("litellm.litellm_core_utils.default_encoding")
    for path in _FIRST_CALL_TYPES:
        module_name, _, name = path.partition(":")
        try:
            model = getattr(importlib.import_module(module_name), name)
            model.model_rebuild(force=True)
        except Exception:  # another litellm version: that type is built on first use instead
            continue


def _litellm_model(call: ProviderCall) -> tuple[str, str | None]:
    """The model string to hand litellm, and the api_base it needs if the vendor rewrote it
    (`Vendor.litellm_model`)."""
    ref = call.deployment.ref
    rewrite = ref.vendor.litellm_model
    if rewrite is None:
        return ref.raw, None
    return rewrite(ref.model_id)


def _parse(cls: type[ModelT], raw: Any, call: ProviderCall) -> ModelT:
    data = raw.model_dump() if hasattr(raw, "model_dump") else raw
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise MalformedResponseError(
            f"unexpected response shape: {exc.error_count()} invalid fields",
            model=call.deployment.name,
            provider=call.deployment.provider_name,
        ) from None


def _raw_fault(exc: Exception, litellm: Any) -> RawFault:
    # litellm reports Anthropic's 529 as 500 and keeps the real status aside.
    status = getattr(exc, "provider_status_code", None)
    if not isinstance(status, int):
        status = getattr(exc, "status_code", None)
    response = getattr(exc, "response", None)
    headers: dict[str, str] = {}
    for source in (
        getattr(response, "headers", None),
        getattr(exc, "litellm_response_headers", None),
    ):
        if isinstance(source, Mapping):
            headers.update({str(k).lower(): str(v) for k, v in source.items()})
    redirect = _redirect_status(exc)
    if redirect is not None:  # not followed (see providers/redirects.py): a fault of its own
        return RawFault(status=redirect, headers=headers)
    return RawFault(
        status=status if isinstance(status, int) else None,
        body=_body_text(exc),
        headers=headers,
        transport=_transport_failure(exc, litellm),
        message=str(getattr(exc, "message", None) or exc),
        malformed=isinstance(exc, json.JSONDecodeError),
    )


def _redirect_status(exc: Exception) -> int | None:
    """The 3xx status of an answer litellm did not follow. For Anthropic (and other providers
    on its generic HTTP handler) litellm maps it to a connection error with status 500; the
    provider's own exception, chained as the context, keeps the real status."""
    for err in (exc, exc.__context__):
        status = getattr(err, "status_code", None)
        if isinstance(status, int) and 300 <= status < 400:
            return status
    return None


def _body_text(exc: Exception) -> str | None:
    """The provider's error body. The OpenAI SDK keeps only the inner `error` object."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        return json.dumps(body if "error" in body or "type" in body else {"error": body})
    if isinstance(body, str) and body:
        return body
    response = getattr(exc, "response", None)
    try:
        text = getattr(response, "text", None)
    except Exception:  # an unread streamed response cannot give its text
        return None
    return text if isinstance(text, str) and text else None


def _transport_failure(exc: Exception, litellm: Any) -> TransportFailure | None:
    if isinstance(exc, litellm.Timeout):
        return "timeout"
    name = type(exc).__name__
    if isinstance(exc, litellm.APIConnectionError) or name in (
        "ConnectError",
        "RemoteProtocolError",
    ):
        return "connect"
    return None
