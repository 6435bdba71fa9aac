"""The shape of `llmrouter.yaml`, validated by pydantic.

Every section forbids unknown keys: a typo must never silently change behaviour.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CacheConfig",
    "FaultKind",
    "FaultPolicyOverride",
    "ModelConfig",
    "ProviderConfig",
    "RouteCacheConfig",
    "RouteConfig",
    "RouterConfig",
    "TelemetryConfig",
]

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")

FaultKind = Literal[
    "rate_limit",
    "quota",
    "overloaded",
    "unavailable",
    "malformed_response",
    "timeout",
    "context_window",
    "content_filter",
    "bad_request",
    "auth",
]

ParamValue = str | int | float | bool


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderConfig(_Section):
    """An endpoint and its credentials, shared by the models that name it."""

    api_base: str | None = None
    api_key: str | None = None
    """`${ENV_VAR}` only: a literal key in a config file is refused."""
    region: str | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict)
    """Extra adapter parameters (e.g. `aws_region_name`, `api_version`); `${VAR}` allowed."""

    @field_validator("api_key")
    @classmethod
    def _key_is_env_reference(cls, value: str | None) -> str | None:
        if value is not None and not ENV_REF.match(value):
            # Never echo the value: it may be a real key pasted by mistake.
            raise ValueError(
                "must be an environment reference like ${ZHIPU_API_KEY}; "
                "a literal API key in a config file is refused"
            )
        return value

    @property
    def api_key_env(self) -> str | None:
        """The name of the environment variable holding the key, if any."""
        match = ENV_REF.match(self.api_key) if self.api_key else None
        return match.group(1) if match else None


class ModelConfig(_Section):
    """A concrete deployment: a provider plus a litellm model string."""

    provider: str
    model: str = Field(min_length=1)
    """A litellm model string: provider prefix / model id, e.g. `zai/glm-4.6`."""
    input_cost_per_mtok: float | None = Field(default=None, ge=0)
    output_cost_per_mtok: float | None = Field(default=None, ge=0)
    context_window: int | None = Field(default=None, gt=0)


class FaultPolicyOverride(_Section):
    """Per-route change to the default policy of one fault kind."""

    retry: bool | None = None
    """Try the same model again (within `retries` and the deadline)."""
    fallback: bool | None = None
    """Move on to the next candidate model."""


class TelemetryConfig(_Section):
    """OpenTelemetry spans and metrics (API only; the SDK and exporters are the user's choice)."""

    enabled: bool = True
    """Emit spans and metrics through the global (or injected) tracer and meter providers."""
    capture_content: bool = False
    """Record prompts and completions on spans. Also turned on by the standard
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true environment variable."""


class RouteCacheConfig(_Section):
    """Per-route cache switch and time to live."""

    enabled: bool = True
    ttl_s: float | None = Field(default=None, gt=0)
    """Overrides `cache.ttl_s` for this route."""


class CacheConfig(_Section):
    """Response cache shared by every route unless a route turns it off."""

    backend: Literal["memory", "redis"] = "memory"
    url: str | None = None
    """Redis URL (`redis://host:6379/0`); `${VAR}` references allowed. Redis only."""
    ttl_s: float = Field(default=3600.0, gt=0)
    max_entries: int = Field(default=10_000, gt=0)
    """Bound of the in-process backend (least recently used entries go first)."""
    timeout_ms: float = Field(default=50.0, gt=0)
    """Cap on one Redis operation; a slower Redis is treated as down."""
    trip_s: float = Field(default=30.0, gt=0)
    """How long an unreachable Redis is bypassed before it is tried again."""
    namespace: str = Field(default="llmrouter", min_length=1)
    """Key prefix, so several applications can share one Redis."""

    @model_validator(mode="after")
    def _url_matches_backend(self) -> CacheConfig:
        if self.backend == "redis" and not self.url:
            raise ValueError("the redis backend needs `url`")
        if self.backend == "memory" and self.url:
            raise ValueError("`url` is for the redis backend; remove it or set backend: redis")
        return self


class RouteConfig(_Section):
    """What applications ask for: candidate models and how to move between them."""

    models: list[str] = Field(min_length=1)
    strategy: str = "ordered"
    retries: int = Field(default=1, ge=0, le=10)
    """Extra attempts on the same model for retryable faults."""
    timeout_s: float = Field(default=60.0, gt=0)
    """Deadline for the whole request, all attempts and backoff included."""
    attempt_timeout_s: float | None = Field(default=None, gt=0)
    """Optional cap on a single upstream attempt."""
    fault_policy: dict[FaultKind, FaultPolicyOverride] = Field(default_factory=dict)
    cache: bool | RouteCacheConfig = True
    """`false` turns the cache off for this route; `{ttl_s: 60}` changes its time to live."""

    @property
    def cache_settings(self) -> RouteCacheConfig:
        return (
            self.cache
            if isinstance(self.cache, RouteCacheConfig)
            else RouteCacheConfig(enabled=self.cache)
        )


class RouterConfig(_Section):
    """The whole configuration file."""

    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    models: dict[str, ModelConfig] = Field(min_length=1)
    routes: dict[str, RouteConfig] = Field(default_factory=dict)
    cache: CacheConfig | None = None
    """Off unless present."""
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
