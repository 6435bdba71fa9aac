"""A `budgets:` entry: a spending limit in USD over a fixed UTC window, for a model, a route,
a tenant (or each tenant) or a route's shadows (docs/cost-routing.md)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from llmrouter.config.section import MAX_PRICE, Section

__all__ = ["SCOPE", "WINDOW", "BudgetConfig"]

WINDOW = re.compile(r"^([1-9][0-9]*)([hd])$")
SCOPE = re.compile(r"^(model|route|tenant|shadow):(.+)$")
_UNIT_S = {"h": 3600, "d": 86400}
_MAX_WINDOW_S = 366 * 86400


class BudgetConfig(Section):
    """A spending limit in USD over a fixed UTC window."""

    scope: str
    """`model:<name>`, `route:<name>`, `tenant:<id>`, `tenant:*` (each tenant on its own) or
    `shadow:<route>` (what that route's shadows spend)."""
    limit_usd: float = Field(ge=0, le=MAX_PRICE * 1000)
    window: str = "1d"
    """`<n>h` or `<n>d` (e.g. 1h, 1d, 30d): fixed windows aligned to the Unix epoch (UTC)."""

    @field_validator("scope")
    @classmethod
    def _scope_shape(cls, value: str) -> str:
        if not SCOPE.match(value):
            raise ValueError(
                "must be model:<name>, route:<name>, tenant:<id>, tenant:* or shadow:<route>, "
                f"not {value!r}"
            )
        return value

    @field_validator("window")
    @classmethod
    def _window_shape(cls, value: str) -> str:
        match = WINDOW.match(value)
        if not match:
            raise ValueError(f"must be hours or days like 1h, 1d or 30d, not {value!r}")
        if len(match.group(1)) > 6 or int(match.group(1)) * _UNIT_S[match.group(2)] > _MAX_WINDOW_S:
            raise ValueError(f"must be at most 366d, not {value!r}")
        return value

    @property
    def window_s(self) -> int:
        """The window length in seconds."""
        match = WINDOW.match(self.window)
        assert match is not None  # validated
        return int(match.group(1)) * _UNIT_S[match.group(2)]
