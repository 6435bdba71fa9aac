"""Provider adapters behind one protocol."""

from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.providers.function import FunctionProvider, make_chunks, make_completion
from llmrouter.providers.litellm_adapter import LiteLLMProvider

__all__ = [
    "Deployment",
    "FunctionProvider",
    "LiteLLMProvider",
    "Provider",
    "ProviderCall",
    "make_chunks",
    "make_completion",
]
