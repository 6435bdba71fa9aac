"""Vendor qualification on live traffic: shadows (a sample of a route's requests mirrored to
candidates in the background, each pair scored and stored) and canaries (a slice of real
traffic served by a candidate first, rolled back on a breach). See
docs/switching-vendors.md.

Only the live-state types of `router.experiments()` are imported here; the machinery
(`llmrouter.qualify.setup`) loads when a config has a `shadow:` or a `canary:`.
"""

from llmrouter.qualify.status import (
    CanarySide,
    CanaryState,
    CanaryStatus,
    RouteExperiments,
    ShadowCandidateStatus,
    ShadowStatus,
)

__all__ = [
    "CanarySide",
    "CanaryState",
    "CanaryStatus",
    "RouteExperiments",
    "ShadowCandidateStatus",
    "ShadowStatus",
]
