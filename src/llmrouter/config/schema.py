"""The shape of `llmrouter.yaml`, validated by pydantic.

Every section forbids unknown keys: a typo must never silently change behaviour.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from llmrouter.config.resilience import CircuitBreakerConfig, RetryBudgetConfig

__all__ = [
    "BudgetConfig",
    "CacheConfig",
    "FaultKind",
    "FaultPolicyOverride",
    "GatewayConfig",
    "GatewayKeyConfig",
    "ModelConfig",
    "PriceTierConfig",
    "ProviderConfig",
    "RouteCacheConfig",
    "RouteConfig",
    "RouterConfig",
    "StateConfig",
    "TelemetryConfig",
]

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
WINDOW = re.compile(r"^([1-9][0-9]*)([hd])$")
SCOPE = re.compile(r"^(model|route|tenant):(.+)$")


def _currency_code(value: str) -> str:
    if not CURRENCY.match(value):
        raise ValueError(f"must be a three-letter currency code like CNY, not {value!r}")
    return value


CurrencyCode = Annotated[str, AfterValidator(_currency_code)]

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
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _env_reference_only(value: str | None) -> str | None:
    if value is not None and not ENV_REF.match(value):
        # Never echo the value: it may be a real key pasted by mistake.
        raise ValueError(
            "must be an environment reference like ${ZHIPU_API_KEY}; "
            "a literal API key in a config file is refused"
        )
    return value


class ProviderConfig(_Section):
    """An endpoint and its credentials, shared by the models that name it."""

    api_base: str | None = None
    api_key: str | None = None
    """`${ENV_VAR}` only: a literal key in a config file is refused."""
    region: str | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict)
    """Extra adapter parameters (e.g. `aws_region_name`, `api_version`); `${VAR}` allowed."""
    adapter: Literal["auto", "native", "litellm"] = "auto"
    """`auto`: llmrouter's native HTTP adapter for OpenAI-compatible and Anthropic models
    (`openai/`, `zai/`, `deepseek/`, `hosted_vllm/`, `custom_openai/`, `anthropic/`) without
    litellm-only `params`, litellm for everything else; `native` / `litellm` force one."""

    @field_validator("api_key")
    @classmethod
    def _key_is_env_reference(cls, value: str | None) -> str | None:
        return _env_reference_only(value)

    @property
    def api_key_env(self) -> str | None:
        """The name of the environment variable holding the key, if any."""
        match = ENV_REF.match(self.api_key) if self.api_key else None
        return match.group(1) if match else None


class PriceTierConfig(_Section):
    """Prices for prompts up to `max_input_tokens` (the last tier may leave it out)."""

    max_input_tokens: int | None = Field(default=None, gt=0)
    input_cost_per_mtok: float = Field(ge=0)
    output_cost_per_mtok: float = Field(ge=0)
    cached_input_cost_per_mtok: float | None = Field(default=None, ge=0)
    reasoning_cost_per_mtok: float | None = Field(default=None, ge=0)


class ModelConfig(_Section):
    """A concrete deployment: a provider plus a litellm model string."""

    provider: str
    model: str = Field(min_length=1)
    """A litellm model string: provider prefix / model id, e.g. `zai/glm-4.6`."""
    input_cost_per_mtok: float | None = Field(default=None, ge=0)
    """Per million prompt tokens, in `currency`."""
    output_cost_per_mtok: float | None = Field(default=None, ge=0)
    """Per million completion tokens, in `currency`."""
    cached_input_cost_per_mtok: float | None = Field(default=None, ge=0)
    """Per million prompt tokens read from the provider's prompt cache."""
    reasoning_cost_per_mtok: float | None = Field(default=None, ge=0)
    """Per million reasoning tokens, where the provider reports them."""
    price_tiers: list[PriceTierConfig] | None = Field(default=None, min_length=1)
    """Prices by prompt length, ascending; replaces the flat input/output prices."""
    currency: CurrencyCode | None = None
    """Currency of the prices above (default USD); its rate comes from top-level `currencies`."""
    context_window: int | None = Field(default=None, gt=0)
    max_concurrency: int | None = Field(default=None, gt=0)
    """Bulkhead: requests in flight to this model at most; over it, the next model serves."""
    supports_tools: bool | None = None
    """Overrides the price map's `supports_function_calling`; unknown means supported."""
    supports_vision: bool | None = None
    """Overrides the price map's `supports_vision`; unknown means supported."""
    supports_json: bool | None = None
    """Overrides the price map's `supports_response_schema`; unknown means supported."""

    @model_validator(mode="after")
    def _tiers_or_flat(self) -> ModelConfig:
        if self.price_tiers and (
            self.input_cost_per_mtok is not None or self.output_cost_per_mtok is not None
        ):
            raise ValueError(
                "set either price_tiers or input_cost_per_mtok/output_cost_per_mtok, not both"
            )
        return self


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
    circuit_breaker: bool | CircuitBreakerConfig | None = None
    """Unset: the top-level `circuit_breaker`; `false`: no breaker on this route; a mapping:
    this route's own breaker settings (its own breakers per model)."""
    hedge_after_ms: float | None = Field(default=None, gt=0)
    """Start the next model too when the first has not answered after this long; the first
    answer wins and the other is cancelled. Off by default."""
    weights: dict[str, float] | None = None
    """`strategy: weighted` only: relative share of first tries per model (>= 0)."""
    explore_every: int = Field(default=20, ge=0)
    """`strategy: latency` only: every Nth request tries the least recently measured other
    model first, so a recovered model can win traffic back (0 turns it off)."""

    @field_validator("weights")
    @classmethod
    def _weights_valid(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        if any(w < 0 for w in value.values()):
            raise ValueError("weights must be >= 0")
        if not any(w > 0 for w in value.values()):
            raise ValueError("at least one weight must be > 0")
        return value

    @property
    def cache_settings(self) -> RouteCacheConfig:
        return (
            self.cache
            if isinstance(self.cache, RouteCacheConfig)
            else RouteCacheConfig(enabled=self.cache)
        )


class StateConfig(_Section):
    """Where shared state (budgets, circuit breakers) lives: this process, or a Redis shared
    by every router."""

    backend: Literal["memory", "redis"] = "memory"
    url: str | None = None
    """Redis URL; `${VAR}` references allowed. Redis only."""
    timeout_ms: float = Field(default=50.0, gt=0)
    """Cap on one Redis operation; a slower Redis is treated as down."""
    trip_s: float = Field(default=30.0, gt=0)
    """How long an unreachable Redis is bypassed before it is tried again."""
    namespace: str = Field(default="llmrouter", min_length=1)
    """Key prefix, so several applications can share one Redis."""

    @model_validator(mode="after")
    def _url_matches_backend(self) -> StateConfig:
        if self.backend == "redis" and not self.url:
            raise ValueError("the redis backend needs `url`")
        if self.backend == "memory" and self.url:
            raise ValueError("`url` is for the redis backend; remove it or set backend: redis")
        return self


class BudgetConfig(_Section):
    """A spending limit in USD over a fixed UTC window."""

    scope: str
    """`model:<name>`, `route:<name>`, `tenant:<id>` or `tenant:*` (each tenant on its own)."""
    limit_usd: float = Field(ge=0)
    window: str = "1d"
    """`<n>h` or `<n>d` (e.g. 1h, 1d, 30d): fixed windows aligned to the Unix epoch (UTC)."""

    @field_validator("scope")
    @classmethod
    def _scope_shape(cls, value: str) -> str:
        if not SCOPE.match(value):
            raise ValueError(
                f"must be model:<name>, route:<name>, tenant:<id> or tenant:*, not {value!r}"
            )
        return value

    @field_validator("window")
    @classmethod
    def _window_shape(cls, value: str) -> str:
        if not WINDOW.match(value):
            raise ValueError(f"must be hours or days like 1h, 1d or 30d, not {value!r}")
        return value

    @property
    def window_s(self) -> int:
        """The window length in seconds."""
        match = WINDOW.match(self.window)
        assert match is not None  # validated
        return int(match.group(1)) * (3600 if match.group(2) == "h" else 86400)


class GatewayKeyConfig(_Section):
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
        _env_reference_only(value)
        return value

    @property
    def key_env(self) -> str:
        """The name of the environment variable holding the key."""
        match = ENV_REF.match(self.key)
        assert match is not None  # validated
        return match.group(1)


class GatewayConfig(_Section):
    """`llmrouter serve`: inbound keys, model aliases and HTTP limits."""

    keys: list[GatewayKeyConfig] = Field(default_factory=list)
    model_aliases: dict[str, str] = Field(default_factory=dict)
    """Inbound model name (a glob such as `claude-*`) -> route or model; first match wins."""
    max_body_mb: float = Field(default=32.0, gt=0)
    """Largest request body accepted; larger ones get a 413."""
    drain_timeout_s: float = Field(default=30.0, ge=0)
    """On SIGTERM, how long requests and streams in flight may take to finish."""


class RouterConfig(_Section):
    """The whole configuration file."""

    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    models: dict[str, ModelConfig] = Field(min_length=1)
    routes: dict[str, RouteConfig] = Field(default_factory=dict)
    cache: CacheConfig | None = None
    """Off unless present."""
    circuit_breaker: CircuitBreakerConfig = Field(default_factory=CircuitBreakerConfig)
    retry_budget: RetryBudgetConfig = Field(default_factory=RetryBudgetConfig)
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
    currencies: dict[CurrencyCode, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    """USD per unit of each currency named by a model's `currency` (e.g. `CNY: 0.14`)."""
    budgets: list[BudgetConfig] = Field(default_factory=list)
    state: StateConfig = Field(default_factory=StateConfig)
    """Where budgets and circuit state are kept; in this process unless set to redis."""
    gateway: GatewayConfig | None = None
    """Settings of `llmrouter serve`; the Router itself ignores them."""
