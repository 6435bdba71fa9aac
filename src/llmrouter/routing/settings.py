"""Routing knobs for embedders and tests (`Router(..., routing=RoutingSettings(...))`)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from llmrouter.routing.strategies import DEFAULT_OUTPUT_TOKENS

__all__ = ["RoutingSettings"]


@dataclass(frozen=True)
class RoutingSettings:
    """Seeds and tunables of routing."""

    rng: random.Random | None = None
    """Draws of the `weighted` strategy, the shadows' samples and `sticky_by: none` canaries;
    seed it for reproducible splits."""
    wall_clock: Callable[[], float] = time.time
    """Unix time, for the fixed UTC windows of budgets and shared breaker state."""
    default_output_tokens: int = DEFAULT_OUTPUT_TOKENS
    """Completion tokens assumed when a request sets no `max_tokens` and a model has no history."""
    latency_alpha: float = 0.3
    """Weight of the newest sample in the latency and completion-size averages."""
    failure_floor_s: float = 1.0
    """The least latency a failed (non-timeout) attempt counts as."""
