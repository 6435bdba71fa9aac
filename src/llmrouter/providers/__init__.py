"""Provider adapters behind one protocol."""

from llmrouter.providers.anthropic_wire import AnthropicWireProvider
from llmrouter.providers.base import Deployment, Provider, ProviderCall
from llmrouter.providers.function import FunctionProvider, make_chunks, make_completion
from llmrouter.providers.litellm_adapter import LiteLLMProvider
from llmrouter.providers.native import NativeProvider, can_serve_natively, native_wire_for
from llmrouter.providers.openai_wire import OpenAIWireProvider

__all__ = [
    "AnthropicWireProvider",
    "Deployment",
    "FunctionProvider",
    "LiteLLMProvider",
    "NativeProvider",
    "OpenAIWireProvider",
    "Provider",
    "ProviderCall",
    "can_serve_natively",
    "make_chunks",
    "make_completion",
    "native_wire_for",
]
