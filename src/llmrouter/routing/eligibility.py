"""Which candidate models can serve a request at all, decided before any upstream call.

A model is skipped (recorded in `route.attempts` as `outcome="skipped"`) when:

- `context_window`: the estimated prompt tokens plus the requested `max_tokens` exceed its
  context window;
- `no_tools`: the request has `tools` (or `functions`) and the model cannot call functions;
- `no_vision`: a message has an image part and the model does not take images;
- `no_json`: `response_format` asks for `json_schema` and the model has no structured output,
  or asks for `json_object` and the config says `supports_json: false`;
- `vendor_limit`: the request breaks a documented limit of the model's vendor API (Z.ai: one
  stop word, `tool_choice` only `auto`, no JSON-schema `response_format`), which it would refuse
  with a 400 that ends the route; skipped, the route falls back instead;
- `unsupported_param`: the model's wire cannot carry a parameter the request sets (the Messages
  API has no `seed`, `logprobs`, penalties, ...): dropping it would change the answer silently;
- `vendor_limit` too: thinking is on and the conversation holds thinking no Anthropic model
  signed (another model answered an earlier turn), which Anthropic refuses;
- `budget`: the model's own budget is spent (see `llmrouter.budgets`);
- `no_embeddings` (an embedding request): the model's vendor API has no embeddings endpoint
  (`Vendor.embeddings`), or the price map lists the model as a chat (or other non-embedding)
  model; for an embedding request `context_window` compares the longest input with the window.

Capabilities come from the price map (`supports_function_calling`, `supports_vision`,
`supports_response_schema`) overridden by the model entry's `supports_tools`,
`supports_vision` and `supports_json`. An unknown capability is assumed supported: the
provider's own error still reaches the fault policy. `json_object` is gated only by an explicit
`supports_json: false`, because many models without native structured output honour it.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmrouter.config.schema import ModelConfig
from llmrouter.pricing import bundled_entry
from llmrouter.routing.estimate import RequestEstimate
from llmrouter.vendors import Limits, model_ref

__all__ = ["Capabilities", "capabilities_for", "ineligibility"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a model supports; None means unknown (assumed supported)."""

    tools: bool | None = None
    vision: bool | None = None
    json_schema: bool | None = None
    json_object: bool | None = None
    embeddings: bool | None = None
    no_embeddings_why: str = ""
    """Why the model serves no embeddings (when `embeddings` is False)."""


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def capabilities_for(entry: ModelConfig) -> Capabilities:
    """The model entry's capabilities: YAML overrides, then the bundled price map, then what
    its vendor file says of its models (`Vendor.capability_defaults`)."""
    bundled = bundled_entry(entry.model) or {}
    defaults = model_ref(entry.model).vendor.capability_defaults

    def pick(override: bool | None, key: str, name: str) -> bool | None:
        if override is not None:
            return override
        found = _flag(bundled.get(key))
        return found if found is not None else defaults.get(name)

    embeddings, why = _embeddings(entry.model, bundled.get("mode"))
    return Capabilities(
        tools=pick(entry.supports_tools, "supports_function_calling", "tools"),
        vision=pick(entry.supports_vision, "supports_vision", "vision"),
        json_schema=pick(entry.supports_json, "supports_response_schema", "json_schema"),
        json_object=entry.supports_json,
        embeddings=embeddings,
        no_embeddings_why=why,
    )


def _embeddings(model: str, mode: object) -> tuple[bool | None, str]:
    """Whether the model embeds: no when its vendor's API has no embeddings, else what the
    price map's `mode` says, else unknown (assumed yes)."""
    vendor = model_ref(model).vendor
    if vendor.embeddings is False:
        return False, f"the {vendor.name} API has no embeddings endpoint"
    if mode == "embedding":
        return True, ""
    if isinstance(mode, str):
        return False, f"the price map lists {model!r} as a {mode} model"
    return None, ""


def ineligibility(
    estimate: RequestEstimate,
    window: int | None,
    caps: Capabilities,
    limits: Limits | None = None,
) -> tuple[str, str] | None:
    """`(reason, detail)` when a model with `window`, `caps` and its vendor's `limits` cannot
    serve the request."""
    if estimate.embedding:
        return _embedding_ineligibility(estimate, window, caps)
    if window is not None:
        need = estimate.prompt_tokens + (estimate.max_output_tokens or 0)
        if need > window:
            asked = estimate.max_output_tokens or 0
            return (
                "context_window",
                f"needs ~{estimate.prompt_tokens:,} prompt + {asked:,} completion tokens; "
                f"context window is {window:,}",
            )
    if estimate.tools and caps.tools is False:
        return "no_tools", "the request has tools and the model does not support function calling"
    if estimate.vision and caps.vision is False:
        return "no_vision", "the request has images and the model does not support vision"
    if estimate.json == "json_schema" and caps.json_schema is False:
        return "no_json", "response_format json_schema needs structured output support"
    if estimate.json == "json_object" and caps.json_object is False:
        return "no_json", "response_format json_object and the model has supports_json: false"
    return vendor_limit(estimate, limits) if limits is not None else None


def _embedding_ineligibility(
    estimate: RequestEstimate, window: int | None, caps: Capabilities
) -> tuple[str, str] | None:
    if caps.embeddings is False:
        return "no_embeddings", caps.no_embeddings_why
    longest = estimate.window_tokens
    if window is not None and longest > window:
        return (
            "context_window",
            f"the longest input needs ~{longest:,} tokens; the model takes {window:,} per input",
        )
    return None


def vendor_limit(estimate: RequestEstimate, limits: Limits) -> tuple[str, str] | None:
    """The first documented vendor limit or uncarried parameter the request breaks."""
    uncarried = estimate.params & limits.uncarried
    if uncarried:
        names = ", ".join(sorted(uncarried))
        return "unsupported_param", f"the vendor's API cannot carry {names}"
    if limits.max_stop_words is not None and estimate.stop_words > limits.max_stop_words:
        return (
            "vendor_limit",
            f"{estimate.stop_words} stop words; the vendor accepts {limits.max_stop_words}",
        )
    if limits.max_choices is not None and estimate.choices > limits.max_choices:
        return (
            "vendor_limit",
            f"n={estimate.choices} choices; the vendor returns at most {limits.max_choices}",
        )
    choice = estimate.tool_choice
    if limits.tool_choice is not None and choice is not None and choice not in limits.tool_choice:
        allowed = ", ".join(sorted(limits.tool_choice))
        return "vendor_limit", f"tool_choice {choice!r}; the vendor accepts only {allowed}"
    if estimate.json == "json_schema" and not limits.json_schema:
        return "vendor_limit", "response_format json_schema is not accepted by the vendor"
    if estimate.json is not None and estimate.tools and not limits.json_with_tools:
        return "vendor_limit", "a JSON response_format together with tools cannot be carried"
    if estimate.vision and limits.images is False:
        return "vendor_limit", "the request has images and the vendor's model takes none"
    if estimate.unsigned_thinking and limits.signed_thinking:
        return (
            "vendor_limit",
            "thinking is on and an earlier turn's thinking has no signature of this vendor "
            "(another model wrote it)",
        )
    return None
