"""Any OpenAI-compatible server at a configured `api_base`: vLLM (`hosted_vllm/`), or a
generic endpoint (`custom_openai/`). There is no default endpoint. Embeddings are assumed at
`{api_base}/embeddings`, the OpenAI path (vLLM serves it for embedding models)."""

from __future__ import annotations

from llmrouter.vendors.base import Vendor
from llmrouter.vendors.openai import OPENAI_ERRORS

VENDOR = Vendor(
    name="openai_compatible",
    prefixes=("hosted_vllm", "custom_openai"),
    wire="openai",
    error_codes=OPENAI_ERRORS,
    needs_api_base=True,
    embeddings=True,
)
