"""The `gateway:` section of `llmrouter serve`: inbound keys, model aliases, HTTP limits
(docs/gateway.md). The Router itself ignores it."""

from __future__ import annotations

from pydantic import Field, field_validator

from llmrouter.config.section import ENV_REF, Section, env_reference_only

__all__ = ["GatewayConfig", "GatewayKeyConfig"]


class GatewayKeyConfig(Section):
    """One inbound key of `llmrouter serve` and what it may do."""

    key: str
    """`${ENV_VAR}` only: a literal key in a config file is refused."""
    tenant: str = Field(min_length=1)
    data_classes: list[str] = Field(default_factory=list)
    """Allowed data classes; the first is the default, header `x-llmrouter-data-class` picks
    another of them."""
    routes: list[str] | None = None
    """Allowed routes and models (absent: all)."""

    @field_validator("key")
    @classmethod
    def _key_is_env_reference(cls, value: str) -> str:
        env_reference_only(value)
        return value

    @property
    def key_env(self) -> str:
        """The name of the environment variable holding the key."""
        match = ENV_REF.match(self.key)
        assert match is not None  # validated
        return match.group(1)


class GatewayConfig(Section):
    """`llmrouter serve`: inbound keys, model aliases and HTTP limits."""

    keys: list[GatewayKeyConfig] = Field(default_factory=list)
    model_aliases: dict[str, str] = Field(default_factory=dict)
    """Inbound model name (a glob such as `claude-*`) -> route or model; first match wins."""
    max_body_mb: float = Field(default=32.0, gt=0)
    """Largest request body accepted; larger ones get a 413."""
    drain_timeout_s: float = Field(default=30.0, ge=0)
    """On SIGTERM, how long requests and streams in flight may take to finish."""
