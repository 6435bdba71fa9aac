"""GLM through Z.ai's Anthropic-compatible Messages endpoint (`zai_anthropic/glm-4.6`):
api.z.ai/api/anthropic, or bigmodel.cn's with `api_base: https://open.bigmodel.cn/api/anthropic`.

It speaks the Anthropic wire (the gateway passes Anthropic clients such as Claude Code straight
through to it) and takes the key as a Bearer token. Error bodies use Anthropic's shape; Zhipu's
business codes can appear as the error type, so both tables apply. The Messages endpoint has
no embeddings: use `zai/embedding-3` on the OpenAI-compatible api base.
"""

from __future__ import annotations

from dataclasses import replace

from llmrouter.vendors.anthropic import ANTHROPIC_ERRORS, ANTHROPIC_LIMITS
from llmrouter.vendors.base import Vendor
from llmrouter.vendors.zai import ZHIPU_CODES

VENDOR = Vendor(
    name="zai_anthropic",
    prefixes=("zai_anthropic",),
    wire="anthropic",
    api_base="https://api.z.ai/api/anthropic",
    telemetry_name="zai",
    error_codes={**ANTHROPIC_ERRORS, **ZHIPU_CODES},
    limits=replace(ANTHROPIC_LIMITS, signed_thinking=False),  # GLM cannot check Claude's
    auth="bearer",
    capability_defaults={"vision": False},
    embeddings=False,
    litellm_model=lambda model_id: (f"anthropic/{model_id}", "https://api.z.ai/api/anthropic"),
)
