"""The fault policy: for each kind of provider fault, retry the same model, fall back, or stop.

This table is the contract of docs/fault-policy.md; routes may override it per fault kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from llmrouter.config.schema import FaultKind, FaultPolicyOverride

__all__ = ["DEFAULT_POLICY", "FaultPolicy", "RoutePolicy"]


@dataclass(frozen=True)
class FaultPolicy:
    retry: bool
    """Try the same model again, within `retries` and the deadline."""
    fallback: bool
    """Move on to the next candidate."""
    larger_window_only: bool = False
    """Fall back only to models whose context window is larger (or unknown)."""
    mark_unhealthy: bool = False
    """Report loudly and demote the model (credentials are wrong; every call would fail)."""


DEFAULT_POLICY: Mapping[str, FaultPolicy] = {
    "rate_limit": FaultPolicy(retry=True, fallback=True),
    "quota": FaultPolicy(retry=False, fallback=True),
    "overloaded": FaultPolicy(retry=True, fallback=True),
    "unavailable": FaultPolicy(retry=True, fallback=True),
    "malformed_response": FaultPolicy(retry=True, fallback=True),
    "invalid_response": FaultPolicy(retry=False, fallback=True),
    "timeout": FaultPolicy(retry=True, fallback=True),
    "context_window": FaultPolicy(retry=False, fallback=True, larger_window_only=True),
    "content_filter": FaultPolicy(retry=False, fallback=False),
    "bad_request": FaultPolicy(retry=False, fallback=False),
    "auth": FaultPolicy(retry=False, fallback=True, mark_unhealthy=True),
}
_STOP = FaultPolicy(retry=False, fallback=False)


@dataclass(frozen=True)
class RoutePolicy:
    """The default table with one route's overrides applied."""

    table: Mapping[str, FaultPolicy]

    @classmethod
    def build(cls, overrides: Mapping[FaultKind, FaultPolicyOverride]) -> RoutePolicy:
        if not overrides:
            return _DEFAULT_ROUTE_POLICY
        table = dict(DEFAULT_POLICY)
        for kind, change in overrides.items():
            base = table[kind]
            table[kind] = replace(
                base,
                retry=base.retry if change.retry is None else change.retry,
                fallback=base.fallback if change.fallback is None else change.fallback,
            )
        return cls(table)

    def for_kind(self, kind: str) -> FaultPolicy:
        """Unknown kinds (e.g. an interrupted stream) neither retry nor fall back."""
        return self.table.get(kind, _STOP)


_DEFAULT_ROUTE_POLICY = RoutePolicy(DEFAULT_POLICY)
