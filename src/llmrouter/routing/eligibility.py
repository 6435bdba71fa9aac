"""Which candidate models can serve a request at all, decided before any upstream call.

A model is skipped (recorded in `route.attempts` as `outcome="skipped"`) when:

- `context_window`: the estimated prompt tokens plus the requested `max_tokens` exceed its
  context window;
- `no_tools`: the request has `tools` (or `functions`) and the model cannot call functions;
- `no_vision`: a message has an image part and the model does not take images;
- `no_json`: `response_format` asks for `json_schema` and the model has no structured output,
  or asks for `json_object` and the config says `supports_json: false`;
- `budget`: the model's own budget is spent (see `llmrouter.budgets`).

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

__all__ = ["Capabilities", "capabilities_for", "ineligibility"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a model supports; None means unknown (assumed supported)."""

    tools: bool | None = None
    vision: bool | None = None
    json_schema: bool | None = None
    json_object: bool | None = None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def capabilities_for(entry: ModelConfig) -> Capabilities:
    """The model entry's capabilities: YAML overrides, then the bundled price map."""
    bundled = bundled_entry(entry.model) or {}

    def pick(override: bool | None, key: str) -> bool | None:
        return override if override is not None else _flag(bundled.get(key))

    return Capabilities(
        tools=pick(entry.supports_tools, "supports_function_calling"),
        vision=pick(entry.supports_vision, "supports_vision"),
        json_schema=pick(entry.supports_json, "supports_response_schema"),
        json_object=entry.supports_json,
    )


def ineligibility(
    estimate: RequestEstimate, window: int | None, caps: Capabilities
) -> tuple[str, str] | None:
    """`(reason, detail)` when a model with `window` and `caps` cannot serve the request."""
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
    return None
