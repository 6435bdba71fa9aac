"""llmrouter's counters and gauges, kept as in-process totals and read at collection time.

A request adds to a dict (well under a microsecond) instead of calling a synchronous OTel
instrument (several microseconds with the SDK). Observable instruments report the running totals
when the metric reader collects, which is what a cumulative counter exports anyway.

The instruments are created once per meter provider and shared by every Router that uses it:
the SDK keeps only the first registration of an instrument name, so a second Router creating
its own would silently export nothing.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

__all__ = ["CIRCUIT_LEVELS", "MeterExports", "Tally", "exports_for"]

CIRCUIT_LEVELS = {"closed": 0, "half_open": 1, "open": 2}


class Tally:
    """Running totals per attribute values; `observe` is an observable-counter callback."""

    def __init__(self, *keys: str) -> None:
        self._keys = keys
        self._totals: dict[tuple[str, ...], float] = {}
        # Routers on event loops in different threads may share one meter provider.
        self._lock = threading.Lock()

    def add(self, amount: float, *values: str) -> None:
        with self._lock:
            self._totals[values] = self._totals.get(values, 0) + amount

    def totals(self) -> dict[tuple[str, ...], float]:
        with self._lock:
            return dict(self._totals)

    def observe(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(total, dict(zip(self._keys, values, strict=True)))
            for values, total in self.totals().items()
        ]


CircuitStates = Callable[[], Mapping[str, str]]


class MeterExports:
    """The observable instruments of one meter provider, and the totals behind them."""

    def __init__(self, meter: metrics.Meter) -> None:
        self.cost = Tally("llmrouter.route", "llmrouter.model")
        self.fallbacks = Tally("llmrouter.route", "llmrouter.model")
        self.cache_hits = Tally("llmrouter.route", "llmrouter.model")
        self.unhealthy = Tally("llmrouter.model", "llmrouter.reason")
        # Each Router registers a callable reading its breakers; held weakly by its owner.
        self._circuits: weakref.WeakKeyDictionary[object, CircuitStates] = (
            weakref.WeakKeyDictionary()
        )
        counters = (
            ("llmrouter.cost", self.cost, "USD", "Cost of answered requests, in US dollars."),
            ("llmrouter.fallbacks", self.fallbacks, "{fallback}", "Moves to the next model."),
            ("llmrouter.cache.hits", self.cache_hits, "{hit}", "Requests answered by the cache."),
            (
                "llmrouter.model.unhealthy",
                self.unhealthy,
                "{event}",
                "Models marked unhealthy (credentials rejected); demoted for a cooldown.",
            ),
        )
        for name, tally, unit, description in counters:
            meter.create_observable_counter(
                name, callbacks=[tally.observe], unit=unit, description=description
            )
        meter.create_observable_gauge(
            "llmrouter.circuit.state",
            callbacks=[self._observe_circuits],
            unit="{state}",
            description="Circuit-breaker state per model: 0 closed, 1 half-open, 2 open.",
        )

    def observe_circuits(self, owner: object, states: CircuitStates) -> None:
        """Report `states()` while `owner` lives; `states` must not hold `owner` strongly."""
        self._circuits[owner] = states

    def _observe_circuits(self, _options: CallbackOptions) -> Iterable[Observation]:
        levels: dict[str, int] = {}
        for states in list(self._circuits.values()):
            for model, state in states().items():
                # Routers sharing a model name: report the worst state any of them sees.
                levels[model] = max(levels.get(model, 0), CIRCUIT_LEVELS.get(state, 0))
        return [Observation(level, {"llmrouter.model": m}) for m, level in levels.items()]


_lock = threading.Lock()
_by_provider: weakref.WeakKeyDictionary[Any, MeterExports] = weakref.WeakKeyDictionary()
_global: list[MeterExports] = []


def exports_for(meter_provider: metrics.MeterProvider | None, meter: metrics.Meter) -> MeterExports:
    """The shared exports of `meter_provider` (None: the global one), created on first use."""
    with _lock:
        if meter_provider is None:
            if not _global:
                _global.append(MeterExports(meter))
            return _global[0]
        found = _by_provider.get(meter_provider)
        if found is None:
            found = _by_provider[meter_provider] = MeterExports(meter)
        return found
