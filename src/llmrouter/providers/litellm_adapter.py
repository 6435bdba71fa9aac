"""The adapter for every provider litellm speaks. litellm is imported on first use only.

litellm's retries are off (the router is the only retry loop) and it is told to use its bundled
price map and Anthropic beta headers, so it never fetches anything. Its exceptions are reduced
to a `RawFault` here and classified by `llmrouter.faults`; they never leave this module.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from llmrouter.errors import MalformedResponseError, ProviderError
from llmrouter.faults import FAULT_FINISH_REASONS, RawFault, TransportFailure, classify
from llmrouter.providers.base import ProviderCall
from llmrouter.types import ChatCompletion, ChatCompletionChunk

__all__ = ["LiteLLMProvider", "import_litellm"]

# litellm adapters that drop `max_retries` (their OpenAI SDK client then retries twice on its own,
# behind the router's back). These providers speak the OpenAI wire format, so they are called
# through litellm's generic OpenAI-compatible adapter, which honours `max_retries=0`.
# Checked against litellm 1.110: its zai adapter keeps only ten parameters, `max_retries` not one.
_VIA_OPENAI_COMPATIBLE = {
    "zai": "https://api.z.ai/api/paas/v4",
}

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
    return litellm


class LiteLLMProvider:
    """Calls `litellm.acompletion` for any model string litellm understands."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        self._redact = redact
        self._litellm: Any = None

    def _module(self) -> Any:
        if self._litellm is None:
            self._litellm = import_litellm()
        return self._litellm

    def warm_up(self) -> None:
        """Import litellm now (it takes seconds) rather than on the first request."""
        self._module()

    def _kwargs(self, call: ProviderCall, *, stream: bool) -> dict[str, Any]:
        deployment = call.deployment
        provider = deployment.provider
        kwargs: dict[str, Any] = {**provider.params, **call.params}
        model, default_base = _litellm_model(deployment.model)
        kwargs.update(
            model=model,
            messages=call.messages,
            timeout=call.timeout_s,
            num_retries=0,
            max_retries=0,
        )
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
            raw = await litellm.acompletion(**self._kwargs(call, stream=False))
        except Exception as exc:  # the translation boundary: every litellm error ends here
            raise self._translate(exc, call) from None
        return _with_native_fault_reason(_parse(ChatCompletion, raw, call), raw)

    async def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        litellm = self._module()
        try:
            raw = await litellm.acompletion(**self._kwargs(call, stream=True))
            async for chunk in raw:
                yield _parse(ChatCompletionChunk, chunk, call)
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
        )


ModelT = TypeVar("ModelT", bound=BaseModel)


def _with_native_fault_reason(resp: ChatCompletion, raw: Any) -> ChatCompletion:
    """litellm maps Z.ai's `network_error` (and `sensitive`) finish reasons to ordinary ones; it
    keeps the provider's own in `provider_specific_fields`. Restore it where it is a fault."""
    for choice, raw_choice in zip(resp.choices, getattr(raw, "choices", None) or [], strict=False):
        fields = getattr(raw_choice, "provider_specific_fields", None)
        native = fields.get("native_finish_reason") if isinstance(fields, Mapping) else None
        if native in FAULT_FINISH_REASONS:
            choice.finish_reason = native
    return resp


def _litellm_model(model: str) -> tuple[str, str | None]:
    """The model string to hand litellm, and the api_base it needs if it was rewritten."""
    prefix, _, name = model.partition("/")
    default_base = _VIA_OPENAI_COMPATIBLE.get(prefix)
    if default_base is None or not name:
        return model, None
    return f"openai/{name}", default_base


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
    return RawFault(
        status=status if isinstance(status, int) else None,
        body=_body_text(exc),
        headers=headers,
        transport=_transport_failure(exc, litellm),
        message=str(getattr(exc, "message", None) or exc),
        malformed=isinstance(exc, json.JSONDecodeError),
    )


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
