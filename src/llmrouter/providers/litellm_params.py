"""The call's parameters as the litellm adapter sends them: the same controls the native
adapters send, so one call gives the same answer whichever adapter serves it
(docs/wire-formats.md).

- Anthropic wire: `max_tokens` defaults to the model's own output limit, and
  `reasoning_effort` becomes `thinking` with llmrouter's budgets (litellm has budgets and a
  `max_tokens` rule of its own).
- OpenAI wire: the vendor's own body rewrite runs (`thinking` -> `reasoning_effort` for OpenAI,
  GLM's `thinking` switch for Z.ai); a field litellm would refuse for an OpenAI-compatible
  provider (`thinking`) travels in `extra_body`, as the native adapter sends it.
"""

from __future__ import annotations

from typing import Any

from llmrouter.errors import BadRequestError
from llmrouter.providers.anthropic_messages import (
    DEFAULT_MAX_TOKENS,
    UnsupportedRequest,
    anthropic_controls,
)
from llmrouter.providers.base import ProviderCall

__all__ = ["litellm_params"]

_OPENAI_WIRE_EXTRAS = ("thinking",)
"""Fields of a native OpenAI-wire body that litellm has no parameter for."""


def litellm_params(call: ProviderCall) -> dict[str, Any]:
    """A copy of `call.params` with the vendor's controls applied."""
    deployment = call.deployment
    params = dict(call.params)
    vendor = deployment.ref.vendor
    if call.input:  # an embedding: no chat controls to map
        return params
    if vendor.wire == "anthropic":
        limit = deployment.price.max_output_tokens or DEFAULT_MAX_TOKENS
        try:
            controls = anthropic_controls(params, limit)
        except UnsupportedRequest as exc:
            raise BadRequestError(
                str(exc), model=deployment.name, provider=deployment.provider_name
            ) from None
        if "thinking" in controls:
            params.pop("reasoning_effort", None)
        params.pop("max_completion_tokens", None)
        params.update(controls)
    elif vendor.wire == "openai" and vendor.adapt_body is not None:
        vendor.adapt_body(params)
        extras = {k: params.pop(k) for k in _OPENAI_WIRE_EXTRAS if k in params}
        if extras:
            params["extra_body"] = {**(params.get("extra_body") or {}), **extras}
    return params
