"""A fleet of embedding stand-ins for the `aembedding` tests: two OpenAI deployments of the same
embedding model (US and EU), Z.ai's embedding-3 and a Claude, which has no embeddings."""

from __future__ import annotations

from typing import Any

from llmrouter import Router
from llmrouter.testing import LocalProvider, LocalProviderServer
from support import CANARY_KEY, FAST_BACKOFF

ENV = {"OPENAI_API_KEY": CANARY_KEY, "ZHIPU_API_KEY": CANARY_KEY, "ANTHROPIC_API_KEY": CANARY_KEY}
MODEL = "text-embedding-3-small"
TEXTS = ["the quarterly numbers of project bluebird", "a second, shorter text"]


class EmbeddingFleet:
    """`us` and `eu` serve openai/text-embedding-3-small, `glm` zai/embedding-3, `claude`
    Anthropic's Messages API (no embeddings endpoint)."""

    def __init__(self, server: LocalProviderServer, adapter: str = "auto") -> None:
        self.server = server
        self.adapter = adapter
        self.us: LocalProvider = server.add_provider("oa-us")
        self.eu: LocalProvider = server.add_provider("oa-eu")
        self.glm: LocalProvider = server.add_provider("glm", flavor="zhipu")
        self.claude: LocalProvider = server.add_provider("claude", wire="anthropic")

    def _provider(self, local: LocalProvider, key: str, region: str) -> dict[str, Any]:
        return {
            "api_base": local.api_base,
            "api_key": "${" + key + "}",
            "adapter": self.adapter,
            "region": region,
        }

    def config(self, **route: Any) -> dict[str, Any]:
        settings = {"retries": 0, "timeout_s": 10, **route}
        return {
            "providers": {
                "openai-us": self._provider(self.us, "OPENAI_API_KEY", "us"),
                "openai-eu": self._provider(self.eu, "OPENAI_API_KEY", "eu"),
                "zhipu": self._provider(self.glm, "ZHIPU_API_KEY", "cn"),
                "anthropic": self._provider(self.claude, "ANTHROPIC_API_KEY", "us"),
            },
            "models": {
                "small-us": {"provider": "openai-us", "model": f"openai/{MODEL}"},
                "small-eu": {"provider": "openai-eu", "model": f"openai/{MODEL}"},
                "glm-embed": {"provider": "zhipu", "model": "zai/embedding-3"},
                "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
            },
            "routes": {
                "embed": {"models": ["small-us", "small-eu"], **settings},
                "claude-first": {"models": ["claude", "small-us"], **settings},
                "only-claude": {"models": ["claude"], **settings},
                "glm": {"models": ["glm-embed"], **settings},
            },
        }

    def router(self, config: dict[str, Any] | None = None, **kwargs: Any) -> Router:
        return Router.from_dict(config or self.config(), env=ENV, retry=FAST_BACKOFF, **kwargs)

    @property
    def counts(self) -> tuple[int, int, int, int]:
        return (
            self.us.request_count,
            self.eu.request_count,
            self.glm.request_count,
            self.claude.request_count,
        )
