"""Provider adapters behind one protocol."""

from llmrouter.providers.anthropic_wire import AnthropicWireProvider
from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.providers.dispatch import AdapterDispatch, can_serve_natively
from llmrouter.providers.function import FunctionProvider, make_chunks, make_completion
from llmrouter.providers.litellm_adapter import LiteLLMProvider
from llmrouter.providers.openai_wire import OpenAIWireProvider

__all__ = [
    "AdapterDispatch",
    "AnthropicWireProvider",
    "Deployment",
    "FunctionProvider",
    "LiteLLMProvider",
    "OpenAIWireProvider",
    "Provider",
    "ProviderCall",
    "can_serve_natively",
    "make_chunks",
    "make_completion",
]
