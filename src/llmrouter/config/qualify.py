"""A route's vendor-qualification sections: `shadow:` (mirror a sample of live requests to
candidates in the background) and `canary:` (serve a slice of real traffic from a candidate,
rolled back on a breach). Cross-field checks (models and routes named) are in
`llmrouter.config.qualify_checks`; the comparators of `compare` are built, and checked, when
the Router is built (docs/switching-vendors.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from llmrouter.config.section import Section

__all__ = ["CanaryConfig", "ShadowConfig"]


_SIMILARITY: list[str | dict[str, Any]] = ["similarity"]


class ShadowConfig(Section):
    """Mirror a sample of the route's requests to candidate models, in the background; the
    caller sees nothing of it."""

    models: list[str] = Field(min_length=1)
    """Candidate models, each sent every sampled request."""
    sample: float = Field(gt=0, le=1)
    """Share of the route's requests mirrored (0.1: one in ten, at random)."""
    max_concurrency: int = Field(default=4, ge=1, le=10_000)
    """Shadows in flight at most (all candidates of the route); a sampled request finding it
    full is dropped and counted, never queued."""
    compare: list[str | dict[str, Any]] = Field(default_factory=lambda: _SIMILARITY.copy())
    """Comparators scoring each candidate's answer against the primary's: `similarity`
    (`{similarity: 0.7}` sets the threshold), `json_valid`, `tool_calls`, `judge`."""
    judge: str | None = Field(default=None, min_length=1)
    """The route (or model) that grades the `judge` comparator."""

    @field_validator("compare")
    @classmethod
    def _some_comparator(cls, value: list[str | dict[str, Any]]) -> list[str | dict[str, Any]]:
        if not value:
            raise ValueError("name at least one comparator, e.g. [similarity]")
        return value


class CanaryConfig(Section):
    """Serve `percent` of the route's traffic from `model` first (the route's models behind it
    as fallbacks); roll back on a breach of the guardrails once `min_samples` are in."""

    model: str = Field(min_length=1)
    percent: float = Field(gt=0, le=100)
    """Share of the route's requests the canary serves, in percent."""
    sticky_by: Literal["tenant", "user", "none"] = "tenant"
    """`tenant` (`metadata["tenant"]`) or `user` (`metadata["user"]`): a key always lands on
    the same side, and a request without one stays on the primary; `none`: at random."""
    max_error_rate: float = Field(default=0.02, ge=0, le=1)
    """The canary's own error rate (its legs' faults, fallbacks or not), at most."""
    max_refusal_rate_delta: float = Field(default=0.02, ge=0, le=1)
    """Canary refusal rate minus the control group's, at most."""
    max_p95_latency_ratio: float = Field(default=2.0, gt=0, le=1000)
    """Canary p95 latency over the control group's, at most."""
    min_samples: int = Field(default=200, ge=1, le=100_000_000)
    """Canary requests (all routers pooled) before any guardrail is judged: on fewer, no
    rollback, whatever the figures."""
