"""The `data_policy:` section: data classes, the default class and the audit log (see
docs/data-policy.md; cross-field checks in `llmrouter.config.policy_checks`)."""

from __future__ import annotations

from pydantic import Field

from llmrouter.config.section import Section

__all__ = ["DataClassConfig", "DataPolicyConfig"]


class DataClassConfig(Section):
    """Where a class of data may go; a field left out does not restrict."""

    regions: list[str] | None = Field(default=None, min_length=1)
    """Provider regions allowed; a provider with no `region` never qualifies."""
    vendors: list[str] | None = Field(default=None, min_length=1)
    """Provider vendors allowed."""
    zero_data_retention: bool = False
    """Only providers with `zero_data_retention: true`."""


class DataPolicyConfig(Section):
    """Data classes, the default class, and the audit log (see docs/data-policy.md)."""

    default_class: str | None = None
    """The class of a request that names none and whose route sets none; required once
    classes are declared."""
    classes: dict[str, DataClassConfig] = Field(default_factory=dict)
    audit_log: str | None = Field(default=None, min_length=1)
    """A JSONL file, one record per request; relative to the config file's directory."""
