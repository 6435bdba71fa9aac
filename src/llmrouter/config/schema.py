"""The shape of `llmrouter.yaml`, validated by pydantic.

Every section forbids unknown keys: a typo must never silently change behaviour.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    field_validator,
    model_validator,
)

from llmrouter.config.budget_schema import BudgetConfig
from llmrouter.config.datapolicy_schema import DataClassConfig, DataPolicyConfig
from llmrouter.config.endpoints import api_base_problem
from llmrouter.config.experiments_schema import ExperimentsConfig, SwitchCriteriaConfig
from llmrouter.config.gateway_schema import GatewayConfig, GatewayKeyConfig
from llmrouter.config.limits import LimitsConfig
from llmrouter.config.qualify import CanaryConfig, ShadowConfig
from llmrouter.config.resilience import CircuitBreakerConfig, RetryBudgetConfig
from llmrouter.config.section import (
    ENV_REF,
    MAX_PRICE,
    MAX_SECONDS,
    MAX_TTL_S,
    Section,
    env_reference_only,
)

__all__ = [
    "ENV_REF",
    "MAX_PRICE",
    "MAX_SECONDS",
    "MAX_TTL_S",
    "BudgetConfig",
    "CacheConfig",
    "CanaryConfig",
    "DataClassConfig",
    "DataPolicyConfig",
    "ExperimentsConfig",
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
    "ShadowConfig",
    "StateConfig",
    "SwitchCriteriaConfig",
    "TelemetryConfig",
]

CURRENCY = re.compile(r"^[A-Z]{3}$")


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
    "invalid_response",
    "timeout",
    "context_window",
    "content_filter",
    "bad_request",
    "auth",
]

ParamValue = str | int | float | bool

_REFUSED_PARAMS = {
    "drop_params": "litellm would drop what a provider cannot take without a word; llmrouter "
    "makes such a model ineligible or refuses the parameter by name instead",
    "num_retries": "the router is the only retry loop; set `retries` on the route",
    "max_retries": "the router is the only retry loop; set `retries` on the route",
    "fallbacks": "fallbacks are a route's `models` list",
    "api_key": "set the provider's `api_key: ${ENV_VAR}`",
    "api_base": "set the provider's `api_base`",
    "base_url": "set the provider's `api_base`",
}


class ProviderConfig(Section):
    """An endpoint and its credentials, shared by the models that name it."""

    api_base: str | None = None
    api_key: str | None = None
    """`${ENV_VAR}` only: a literal key in a config file is refused."""
    region: str | None = None
    """Where the data is processed (`cn`, `us`, `eu`...); a data class that lists regions
    never admits a provider without one."""
    vendor: str | None = Field(default=None, min_length=1)
    """Who processes the data; unset means the provider's own name."""
    zero_data_retention: bool = False
    """The vendor contractually keeps no prompt or completion (a data class can require it)."""
    params: dict[str, ParamValue] = Field(default_factory=dict)
    """Extra adapter parameters (e.g. `aws_region_name`, `api_version`); `${VAR}` allowed."""
    adapter: Literal["auto", "native", "litellm"] = "auto"
    """`auto`: llmrouter's native HTTP adapter for the vendors it serves natively (`openai/`,
    `anthropic/`, `zai/`, `zai_anthropic/`, `deepseek/`, `moonshot/`, `hosted_vllm/`,
    `custom_openai/`) when the provider sets no `params` (those are litellm's), litellm for
    everything else; `native` / `litellm` force one."""
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    """Caps on the answers the native adapters read (see docs/limits.md)."""

    @field_validator("params")
    @classmethod
    def _params_keep_the_routers_guarantees(
        cls, value: dict[str, ParamValue]
    ) -> dict[str, ParamValue]:
        for name in value:
            why = _REFUSED_PARAMS.get(name)
            if why is not None:
                raise ValueError(f"{name!r} is not accepted here: {why}")
        return value

    @field_validator("api_base")
    @classmethod
    def _base_is_http_url(cls, value: str | None) -> str | None:
        if value is not None and "${" not in value:  # a reference is checked once resolved
            problem = api_base_problem(value)
            if problem is not None:
                raise ValueError(problem)
        return value

    @field_validator("api_key")
    @classmethod
    def _key_is_env_reference(cls, value: str | None) -> str | None:
        return env_reference_only(value)

    @property
    def api_key_env(self) -> str | None:
        """The name of the environment variable holding the key, if any."""
        match = ENV_REF.match(self.api_key) if self.api_key else None
        return match.group(1) if match else None


class PriceTierConfig(Section):
    """Prices for prompts up to `max_input_tokens` (the last tier may leave it out)."""

    max_input_tokens: int | None = Field(default=None, gt=0)
    input_cost_per_mtok: float = Field(ge=0, le=MAX_PRICE)
    output_cost_per_mtok: float = Field(ge=0, le=MAX_PRICE)
    cached_input_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    reasoning_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    cache_write_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    cache_write_1h_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)


class ModelConfig(Section):
    """A concrete deployment: a provider plus a litellm model string."""

    provider: str
    model: str = Field(min_length=1)
    """A litellm model string: provider prefix / model id, e.g. `zai/glm-4.6`."""
    input_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    """Per million prompt tokens, in `currency`."""
    output_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    """Per million completion tokens, in `currency`."""
    cached_input_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    """Per million prompt tokens read from the provider's prompt cache."""
    reasoning_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    """Per million reasoning tokens, where the provider reports them."""
    cache_write_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    """Per million prompt tokens written to the provider's prompt cache (Anthropic)."""
    cache_write_1h_cost_per_mtok: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    """Per million prompt tokens written with a one-hour cache lifetime (Anthropic's
    `ttl: "1h"`; default: the bundled price, else the cache-write price)."""
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


class FaultPolicyOverride(Section):
    """Per-route change to the default policy of one fault kind."""

    retry: bool | None = None
    """Try the same model again (within `retries` and the deadline)."""
    fallback: bool | None = None
    """Move on to the next candidate model."""


class TelemetryConfig(Section):
    """OpenTelemetry spans and metrics (API only; the SDK and exporters are the user's choice)."""

    enabled: bool = True
    """Emit spans and metrics through the global (or injected) tracer and meter providers."""
    capture_content: bool = False
    """Record prompts and completions on spans. Also turned on by the standard
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true environment variable."""


class RouteCacheConfig(Section):
    """Per-route cache switch and time to live."""

    enabled: bool = True
    ttl_s: float | None = Field(default=None, gt=0, le=MAX_TTL_S)
    """Overrides `cache.ttl_s` for this route."""


class CacheConfig(Section):
    """Response cache shared by every route unless a route turns it off."""

    backend: Literal["memory", "redis"] = "memory"
    url: str | None = None
    """Redis URL (`redis://host:6379/0`); `${VAR}` references allowed. Redis only."""
    ttl_s: float = Field(default=3600.0, gt=0, le=MAX_TTL_S)
    max_entries: int = Field(default=10_000, gt=0, le=100_000_000)
    """Bound of the in-process backend (least recently used entries go first)."""
    timeout_ms: float = Field(default=50.0, gt=0, le=60_000)
    """Cap on one Redis operation; a slower Redis is treated as down."""
    trip_s: float = Field(default=30.0, gt=0, le=MAX_SECONDS)
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


class RouteConfig(Section):
    """What applications ask for: candidate models and how to move between them."""

    models: list[str] = Field(min_length=1)
    strategy: str = "ordered"
    check_json: bool = True
    """An answer to a request with a JSON `response_format` that is not valid JSON, or does
    not validate against the requested schema, is an `invalid_response` fault of that model
    (the route falls back). Streams are checked only for emptiness."""
    answer_check: str | None = None
    """`package.module:function(request, answer) -> str | None`: your own check of each
    whole answer; a returned reason makes it an `invalid_response` fault."""
    retries: int = Field(default=1, ge=0, le=10)
    """Extra attempts on the same model for retryable faults."""
    timeout_s: float = Field(default=60.0, gt=0, le=MAX_SECONDS)
    """Deadline for the whole request, all attempts and backoff included."""
    attempt_timeout_s: float | None = Field(default=None, gt=0, le=MAX_SECONDS)
    """Optional cap on a single upstream attempt."""
    fault_policy: dict[FaultKind, FaultPolicyOverride] = Field(default_factory=dict)
    cache: bool | RouteCacheConfig = True
    """`false` turns the cache off for this route; `{ttl_s: 60}` changes its time to live."""
    circuit_breaker: bool | CircuitBreakerConfig | None = None
    """Unset: the top-level `circuit_breaker`; `false`: no breaker on this route; a mapping:
    this route's own breaker settings (its own breakers per model)."""
    hedge_after_ms: float | None = Field(default=None, gt=0, le=MAX_SECONDS * 1000)
    """Start the next model too when the first has not answered after this long; the first
    answer wins and the other is cancelled. Off by default."""
    weights: dict[str, float] | None = None
    """`strategy: weighted` only: relative share of first tries per model (>= 0)."""
    explore_every: int = Field(default=20, ge=0)
    """`strategy: latency` only: every Nth request tries the least recently measured other
    model first, so a recovered model can win traffic back (0 turns it off)."""
    data_class: str | None = None
    """The data class of this route's requests that name none (see `data_policy`)."""
    shadow: ShadowConfig | None = None
    """Mirror a sample of this route's requests to candidates (docs: Switching vendors)."""
    canary: CanaryConfig | None = None
    """Serve a slice of this route's traffic from a candidate, rolled back on a breach."""

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


class StateConfig(Section):
    """Where shared state (budgets, circuit breakers) lives: this process, or a Redis shared
    by every router."""

    backend: Literal["memory", "redis"] = "memory"
    url: str | None = None
    """Redis URL; `${VAR}` references allowed. Redis only."""
    timeout_ms: float = Field(default=50.0, gt=0, le=60_000)
    """Cap on one Redis operation; a slower Redis is treated as down."""
    trip_s: float = Field(default=30.0, gt=0, le=MAX_SECONDS)
    """How long an unreachable Redis is bypassed before it is tried again."""
    namespace: str = Field(default="llmrouter", min_length=1)
    """Key prefix, so several applications can share one Redis."""
    sync_s: float = Field(default=5.0, gt=0)
    """How often blocks are read from the shared Redis: a block reaches every router within
    this time."""

    @model_validator(mode="after")
    def _url_matches_backend(self) -> StateConfig:
        if self.backend == "redis" and not self.url:
            raise ValueError("the redis backend needs `url`")
        if self.backend == "memory" and self.url:
            raise ValueError("`url` is for the redis backend; remove it or set backend: redis")
        return self


class RouterConfig(Section):
    """The whole configuration file."""

    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    models: dict[str, ModelConfig] = Field(min_length=1)
    routes: dict[str, RouteConfig] = Field(default_factory=dict)
    cache: CacheConfig | None = None
    """Off unless present."""
    circuit_breaker: CircuitBreakerConfig = Field(default_factory=CircuitBreakerConfig)
    retry_budget: RetryBudgetConfig = Field(default_factory=RetryBudgetConfig)
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
    currencies: dict[CurrencyCode, Annotated[float, Field(gt=0, le=MAX_PRICE)]] = Field(
        default_factory=dict
    )
    """USD per unit of each currency named by a model's `currency` (e.g. `CNY: 0.14`)."""
    budgets: list[BudgetConfig] = Field(default_factory=list)
    state: StateConfig = Field(default_factory=StateConfig)
    """Where budgets, circuit state and blocks are kept; in this process unless set to redis."""
    data_policy: DataPolicyConfig | None = None
    """Which data may go to which provider, and the audit log; off unless present."""
    experiments: ExperimentsConfig = Field(default_factory=ExperimentsConfig)
    """Results store and switch criteria of `llmrouter eval` and `llmrouter report`."""
    gateway: GatewayConfig | None = None
    """Settings of `llmrouter serve`; the Router itself ignores them."""
