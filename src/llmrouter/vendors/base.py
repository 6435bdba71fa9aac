"""What a vendor file declares: its model-string prefixes, wire, endpoints, error codes and
request limits. docs/architecture.md ("Adding a vendor") walks through writing one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from llmrouter import errors as e

__all__ = ["ErrorTable", "Limits", "ModelRef", "Vendor", "Wire"]

Wire = Literal["openai", "anthropic"]
"""The wire formats llmrouter speaks natively: OpenAI chat completions, Anthropic Messages."""

ErrorTable = Mapping[str, type[e.ProviderError]]
"""A vendor's business code or error type (as a string) -> the error class it means."""


@dataclass(frozen=True)
class Limits:
    """What a vendor's API refuses with a 400, checked before a call: a request that breaks a
    limit makes the model ineligible (the route falls back) instead of failing on a 400.
    docs/wire-formats.md tabulates each vendor's."""

    max_stop_words: int | None = None
    tool_choice: frozenset[str] | None = None
    """The `tool_choice` values accepted (None: any)."""
    json_schema: bool = True
    """Whether `response_format: {type: json_schema}` is accepted."""
    images: bool | None = None
    """Whether image parts are accepted (None: as the model's capabilities say)."""
    uncarried: frozenset[str] = frozenset()
    """Call parameters the vendor's wire has no field for (the model is skipped when a request
    sets one, rather than the parameter being dropped)."""
    max_choices: int | None = None
    """The most choices (`n`) one request may ask for (None: any)."""
    json_with_tools: bool = True
    """Whether a JSON `response_format` may come with `tools` (the Anthropic wire carries
    structured output as a forced tool, so it cannot)."""
    signed_thinking: bool = False
    """Whether, with thinking on, every thinking block sent back must carry the vendor's own
    signature (Anthropic's): a conversation another model thought in cannot continue there."""


@dataclass(frozen=True)
class Vendor:
    """One vendor's facts. A new native vendor is one of these in its own module, listed in
    `llmrouter.vendors.VENDORS`."""

    name: str
    prefixes: tuple[str, ...]
    """Model-string prefixes this vendor answers (`zai` in `zai/glm-4.6`)."""
    wire: Wire | None
    """The wire of its native adapter; None: served through litellm only."""
    api_base: str | None = None
    """The endpoint used when a provider config sets no `api_base`."""
    telemetry_name: str | None = None
    """`gen_ai.provider.name` (a well-known value where the conventions define one)."""
    error_codes: ErrorTable = field(default_factory=dict)
    """Business codes / error types in the error body that decide the class."""
    limits: Limits = field(default_factory=Limits)
    auth: Literal["bearer", "x-api-key"] = "bearer"
    """How the native adapter sends the key."""
    needs_api_base: bool = False
    """True for generic endpoints (vLLM, any OpenAI-compatible server): no default."""
    litellm_model: Callable[[str], tuple[str, str | None]] | None = None
    """How to hand a model id to litellm: `(litellm model string, api_base)`; None keeps the
    model string as it is."""
    adapt_body: Callable[[dict[str, Any]], None] | None = None
    """Last changes to an outgoing native request body (vendor quirks), in place."""
    embeddings: bool | None = None
    """Whether the vendor's API has an embeddings endpoint (`POST {api_base}/embeddings` on the
    OpenAI wire); None: unknown (litellm decides). A model of a vendor without one is skipped
    for an embedding request (`no_embeddings`), so its route falls back without a call."""
    capability_defaults: Mapping[str, bool] = field(default_factory=dict)
    """What the vendor's models support when neither the config nor the price map says
    (`vision`, `tools`, `json_schema`); unknown is otherwise assumed supported."""


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model string parsed once: `zai/glm-4.6` -> vendor zai, model id `glm-4.6`."""

    raw: str
    prefix: str
    model_id: str
    vendor: Vendor

    @property
    def wire(self) -> Wire | None:
        return self.vendor.wire
