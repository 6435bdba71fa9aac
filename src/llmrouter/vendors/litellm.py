"""The long tail: every model-string prefix without a native vendor file is served through
litellm (`pip install 'llmrouter[litellm]'`), which knows its endpoint and error shapes."""

from __future__ import annotations

from llmrouter.vendors.anthropic import ANTHROPIC_ERRORS
from llmrouter.vendors.base import Vendor
from llmrouter.vendors.openai import OPENAI_ERRORS

# litellm provider prefix -> gen_ai.provider.name well-known value.
TELEMETRY_NAMES = {
    "azure": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock",
    "vertex_ai": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "cohere": "cohere",
    "mistral": "mistral_ai",
    "groq": "groq",
    "xai": "x_ai",
    "perplexity": "perplexity",
    "watsonx": "ibm.watsonx.ai",
}


def long_tail(prefix: str) -> Vendor:
    """The vendor entry of a litellm-only prefix (errors read with the common tables)."""
    return Vendor(
        name=prefix,
        prefixes=(prefix,),
        wire=None,
        telemetry_name=TELEMETRY_NAMES.get(prefix, prefix),
        error_codes={**OPENAI_ERRORS, **ANTHROPIC_ERRORS},
    )
