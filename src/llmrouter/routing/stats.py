"""Observed latency and completion size per model, fed after every request.

Latency is an exponentially weighted moving average (EWMA) of attempt latencies, as the
executor measures them: the whole call for a completion, the time to the first content chunk
for a stream. Failed attempts count too, so that a failing model does not look fast:

- a timed-out attempt counts its full elapsed time (at least the timeout);
- any other failed attempt counts as `max(elapsed, 2 x the model's EWMA, failure_floor_s)`;
- skipped candidates count nothing.

Completion size is an EWMA of `completion_tokens` over successful answers. The stats live in
this process only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from llmrouter.types import Attempt

__all__ = ["ModelStats"]


class ModelStats:
    """Per-model latency EWMA and average completion tokens."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        alpha: float = 0.3,
        failure_floor_s: float = 1.0,
    ) -> None:
        if not 0 < alpha <= 1:
            raise ValueError("alpha must be in (0, 1]")
        self._clock = clock
        self._alpha = alpha
        self._floor = failure_floor_s
        self._latency: dict[str, float] = {}
        self._samples: dict[str, int] = {}
        self._sampled_at: dict[str, float] = {}
        self._tokens: dict[str, float] = {}

    @property
    def latencies(self) -> Mapping[str, float]:
        """Latency EWMA in seconds of every measured model (read-only view for strategies)."""
        return self._latency

    @property
    def completion_averages(self) -> Mapping[str, float]:
        """Average completion tokens of every model with at least one answer."""
        return self._tokens

    def latency(self, model: str) -> float | None:
        """The latency EWMA in seconds, or None before the first sample."""
        return self._latency.get(model)

    def sampled_at(self, model: str) -> float:
        """Clock time of the model's last latency sample (-inf if never)."""
        return self._sampled_at.get(model, float("-inf"))

    def samples(self, model: str) -> int:
        """How many latency samples the model has had."""
        return self._samples.get(model, 0)

    def record_latency(self, model: str, seconds: float) -> None:
        """Fold one latency sample into the model's EWMA."""
        current = self._latency.get(model)
        self._latency[model] = (
            seconds if current is None else current + self._alpha * (seconds - current)
        )
        self._samples[model] = self._samples.get(model, 0) + 1
        self._sampled_at[model] = self._clock()

    def record_completion(self, model: str, completion_tokens: int) -> None:
        """Fold the completion size of one successful answer into the model's average."""
        current = self._tokens.get(model)
        value = float(completion_tokens)
        self._tokens[model] = (
            value if current is None else current + self._alpha * (value - current)
        )

    def observe(self, attempts: Iterable[Attempt]) -> None:
        """Record the latency samples of attempts (see the module docstring)."""
        for attempt in attempts:
            self.observe_attempt(attempt)

    def observe_attempt(self, attempt: Attempt) -> None:
        """Record one attempt's latency sample (skipped candidates count nothing)."""
        if attempt.outcome == "ok" or attempt.error == "timeout":
            self.record_latency(attempt.model, attempt.latency_s)
        elif attempt.outcome == "error":
            current = self._latency.get(attempt.model, 0.0)
            penalty = max(attempt.latency_s, 2 * current, self._floor)
            self.record_latency(attempt.model, penalty)
