"""The YAML shape of the resilience settings: circuit breakers and the retry budget."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from llmrouter.resilience.breaker import BreakerSettings
from llmrouter.resilience.retry_budget import RetryBudgetSettings

__all__ = ["CircuitBreakerConfig", "RetryBudgetConfig"]

_MAX_SECONDS = 86_400.0
"""Upper bound of every window and cool-down: one day (as `config.schema.MAX_SECONDS`)."""


class CircuitBreakerConfig(BaseModel):
    """Per-model circuit breaker. On by default; `enabled: false` (or `false`) turns it off."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)

    enabled: bool = True
    failure_threshold: int = Field(default=5, ge=1, le=1_000_000)
    """Consecutive failures that open the breaker."""
    failure_rate: float = Field(default=0.5, gt=0, le=1)
    """Failure rate over `window_s` that opens it (once `min_requests` outcomes are seen)."""
    window_s: float = Field(default=30.0, gt=0, le=_MAX_SECONDS)
    min_requests: int = Field(default=20, ge=1, le=1_000_000)
    cooldown_s: float = Field(default=30.0, gt=0, le=_MAX_SECONDS)
    """How long an open breaker skips the model before letting probes through."""
    half_open_probes: int = Field(default=1, ge=1, le=1000)

    def settings(self) -> BreakerSettings | None:
        if not self.enabled:
            return None
        return BreakerSettings(
            failure_threshold=self.failure_threshold,
            failure_rate=self.failure_rate,
            window_s=self.window_s,
            min_requests=self.min_requests,
            cooldown_s=self.cooldown_s,
            half_open_probes=self.half_open_probes,
        )


class RetryBudgetConfig(BaseModel):
    """Retries stay a bounded fraction of requests per model. On by default."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)

    enabled: bool = True
    ratio: float = Field(default=0.2, ge=0, le=1)
    min_retries: int = Field(default=10, ge=0, le=1_000_000)
    window_s: float = Field(default=10.0, gt=0, le=_MAX_SECONDS)

    def settings(self) -> RetryBudgetSettings | None:
        if not self.enabled:
            return None
        return RetryBudgetSettings(
            ratio=self.ratio, min_retries=self.min_retries, window_s=self.window_s
        )
