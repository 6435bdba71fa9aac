"""Helpers shared by the tests: fake time, a canary key, small configs."""

from __future__ import annotations

from typing import Any

from llmrouter import RetrySettings
from llmrouter.testing import LocalProvider, LocalProviderServer

FAST_BACKOFF = RetrySettings(backoff_initial_s=0.01, backoff_max_s=0.05)
"""Backoff for tests over real HTTP: retries happen, but nobody waits long."""

CANARY_KEY = "sk-canary-7f3a9c1e5b2d4f60a8b9"
ENV = {"ZHIPU_API_KEY": CANARY_KEY, "ANTHROPIC_API_KEY": CANARY_KEY + "-anthropic"}


class FakeTime:
    """A clock that only moves when the router sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def two_model_config(**route: Any) -> dict[str, Any]:
    return {
        "providers": {
            "zhipu": {"api_key": "${ZHIPU_API_KEY}"},
            "anthropic": {"api_key": "${ANTHROPIC_API_KEY}"},
        },
        "models": {
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {"chat": {"models": ["glm", "claude"], **route}},
    }


def user(text: str = "hi") -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


class Local:
    """A GLM-like and a Claude-like local provider, and a config pointing at them."""

    def __init__(self, server: LocalProviderServer, adapter: str = "auto") -> None:
        self.server = server
        self.adapter = adapter
        self.glm: LocalProvider = server.add_provider("glm", wire="openai", flavor="zhipu")
        self.claude: LocalProvider = server.add_provider("claude", wire="anthropic")
        self.env = {
            "ZHIPU_API_KEY": CANARY_KEY,
            "ANTHROPIC_API_KEY": CANARY_KEY + "-anthropic",
        }

    def config(self, **route: Any) -> dict[str, Any]:
        return {
            "providers": {
                "zhipu": {
                    "api_base": self.glm.api_base,
                    "api_key": "${ZHIPU_API_KEY}",
                    "adapter": self.adapter,
                },
                "anthropic": {
                    "api_base": self.claude.api_base,
                    "api_key": "${ANTHROPIC_API_KEY}",
                    "adapter": self.adapter,
                },
            },
            "models": {
                "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
                "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
            },
            "routes": {
                "chat": {"models": ["glm", "claude"], "timeout_s": 10, **route},
                "claude_first": {"models": ["claude", "glm"], "timeout_s": 10, **route},
            },
        }
