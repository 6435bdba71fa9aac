"""Local stand-ins for LLM providers: a real HTTP server on 127.0.0.1 speaking the OpenAI
chat-completions (and embeddings) and Anthropic Messages wire formats, with scriptable faults.

    async with LocalProviderServer() as server:
        glm = server.add_provider("glm", wire="openai", flavor="zhipu")
        glm.fail_next(Fault.server_error(503), times=2)
        ...  # point your client at glm.api_base
"""

from llmrouter.testing.faults import Fault
from llmrouter.testing.provider import LocalProvider, ReceivedRequest
from llmrouter.testing.server import LocalProviderServer

__all__ = ["Fault", "LocalProvider", "LocalProviderServer", "ReceivedRequest"]
