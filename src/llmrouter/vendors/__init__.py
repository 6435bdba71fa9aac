"""The vendor registry: one module per vendor, found by model-string prefix.

`model_ref("zai/glm-4.6")` parses a model string once into a `ModelRef` (vendor, model id);
every other module reads vendor facts from it. A prefix without a vendor file is served through
litellm. See docs/architecture.md, "Adding a vendor".
"""

from __future__ import annotations

from functools import lru_cache

from llmrouter.vendors import (
    anthropic,
    deepseek,
    moonshot,
    openai,
    openai_compatible,
    zai,
    zai_anthropic,
)
from llmrouter.vendors.base import ErrorTable, Limits, ModelRef, Vendor, Wire
from llmrouter.vendors.litellm import long_tail

__all__ = ["VENDORS", "ErrorTable", "Limits", "ModelRef", "Vendor", "Wire", "model_ref"]

VENDORS: dict[str, Vendor] = {
    prefix: module.VENDOR
    for module in (openai, anthropic, zai, zai_anthropic, deepseek, moonshot, openai_compatible)
    for prefix in module.VENDOR.prefixes
}
"""Native vendors by model-string prefix."""


@lru_cache(maxsize=4096)
def model_ref(model: str) -> ModelRef:
    """Parse a model string: `prefix/model-id`. A bare id has no native vendor: litellm
    infers its provider from the name."""
    prefix, sep, rest = model.partition("/")
    if not sep or not rest:
        return ModelRef(model, "", model, long_tail("openai"))
    vendor = VENDORS.get(prefix) or long_tail(prefix)
    return ModelRef(model, prefix, rest, vendor)
