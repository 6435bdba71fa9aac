"""Which models are known to be unwell, so routing can try them last."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["HealthRegistry", "ModelHealth"]

logger = logging.getLogger("llmrouter")


@dataclass(frozen=True)
class ModelHealth:
    healthy: bool
    reason: str | None = None
    until: float | None = None
    """Clock time when the model is tried in its normal place again."""
    circuit: str = "closed"
    """Circuit-breaker state: closed, open or half_open."""
    error_rate: float = 0.0
    """Share of failed attempts over the breaker's window."""
    latency_s: float | None = None
    """Mean latency of answered attempts (EWMA; time to first chunk for streams)."""
    in_flight: int = 0


class HealthRegistry:
    """In-process health marks with a cooldown; a marked model is demoted, not removed."""

    def __init__(self, clock: Callable[[], float], cooldown_s: float = 300.0) -> None:
        self._clock = clock
        self._cooldown_s = cooldown_s
        self._marks: dict[str, tuple[str, float]] = {}

    def mark_unhealthy(self, model: str, reason: str) -> None:
        self._marks[model] = (reason, self._clock() + self._cooldown_s)

    def get(self, model: str) -> ModelHealth:
        mark = self._marks.get(model)
        if mark is None:
            return ModelHealth(healthy=True)
        reason, until = mark
        if self._clock() >= until:
            del self._marks[model]
            return ModelHealth(healthy=True)
        return ModelHealth(healthy=False, reason=reason, until=until)

    def unhealthy(self) -> set[str]:
        """The models marked unhealthy now (empty, and cheap, when none is)."""
        if not self._marks:
            return set()
        return {m for m in list(self._marks) if not self.get(m).healthy}
