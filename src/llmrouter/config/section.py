"""What every section of the config shares: unknown keys refused, values frozen and finite,
the bounds of durations and prices, and the rule that secrets are `${ENV}` references."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

__all__ = ["ENV_REF", "MAX_PRICE", "MAX_SECONDS", "MAX_TTL_S", "Section", "env_reference_only"]

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
"""A whole value that is one environment reference: `${ZHIPU_API_KEY}`."""

MAX_SECONDS = 86_400.0
"""Upper bound of every duration in the config (deadlines, windows, cool-downs): one day."""
MAX_TTL_S = 31_536_000.0
"""Upper bound of a cache time to live: 365 days (Redis refuses expiries past ~292 years in
ms, and a value near that overflows)."""
MAX_PRICE = 1_000_000.0
"""Upper bound of a price per million tokens, a budget limit and a currency rate."""


class Section(BaseModel):
    """A config section: unknown keys refused, frozen, every float finite (`.inf` and `.nan`
    are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)


def env_reference_only(value: str | None) -> str | None:
    """`value` unchanged if it is an environment reference (or None); else ValueError."""
    if value is not None and not ENV_REF.match(value):
        # Never echo the value: it may be a real key pasted by mistake.
        raise ValueError(
            "must be an environment reference like ${ZHIPU_API_KEY}; "
            "a literal API key in a config file is refused"
        )
    return value
