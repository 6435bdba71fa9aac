"""The `experiments:` section: where eval, shadow and canary results are kept, and the switch
criteria behind the report's verdict (docs/switching-vendors.md)."""

from __future__ import annotations

from pydantic import Field, field_validator

from llmrouter.config.section import Section

__all__ = ["STORE_SCHEMES", "ExperimentsConfig", "SwitchCriteriaConfig"]


STORE_SCHEMES = ("sqlite:///", "redis://", "rediss://")


class SwitchCriteriaConfig(Section):
    """Thresholds behind the report's verdict on a candidate (docs: Switching vendors safely)."""

    min_samples: int = Field(default=200, ge=1)
    """Fewer samples of a candidate than this: "not enough samples", whatever the figures."""
    min_agreement: float = Field(default=0.90, ge=0, le=1)
    """Share of paired samples on which the candidate does at least as well as the baseline."""
    max_error_rate: float = Field(default=0.02, ge=0, le=1)
    max_refusal_rate_delta: float = Field(default=0.02, ge=0, le=1)
    """Candidate refusal rate minus the baseline's, at most."""
    max_p95_latency_ratio: float = Field(default=1.5, gt=0)
    """Candidate p95 latency over the baseline's, at most."""


class ExperimentsConfig(Section):
    """Where eval, shadow and canary results are kept, and what makes a switch safe."""

    store: str = "sqlite:///llmrouter-experiments.sqlite"
    """`sqlite:///PATH` (relative to the config file; `sqlite:////abs/path` for an absolute
    one) or `redis://HOST:PORT/DB`; `${VAR}` references allowed."""
    namespace: str = Field(default="llmrouter", min_length=1)
    """Redis key prefix."""
    capture_content: bool = False
    """Keep answers (completion text) in the results; off: only outcomes and figures."""
    switch_criteria: SwitchCriteriaConfig = Field(default_factory=SwitchCriteriaConfig)

    @field_validator("store")
    @classmethod
    def _store_scheme(cls, value: str) -> str:
        if value.startswith("${") or value.startswith(STORE_SCHEMES):
            if value == "sqlite:///":
                raise ValueError("sqlite:/// needs a file path, e.g. sqlite:///experiments.sqlite")
            return value
        # Never echo a URL: it may carry a password. A bare path is safe to show.
        shown = f"a {value.partition(':')[0]}: URL" if ":" in value else repr(value)
        raise ValueError(f"must be sqlite:///PATH or redis://HOST:PORT/DB, not {shown}")
