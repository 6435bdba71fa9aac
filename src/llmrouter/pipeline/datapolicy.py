"""The data policy on the request path: the request's class, resolved before anything else
(an unknown class is refused before the cache or any call), and the check before every leg.

- `DataClassStage` (request): `metadata["data_class"]`, else the route's, else the default;
  the whole request then runs inside `policy_scope(class)`, which the provider-level backstop
  (`EnforcingProvider`) checks every call against.
- `LegPolicy` (attempt, the first stage): every leg (first, fallback, retry, hedge, and the
  shadows and canaries of later stages) asks the gate before it is sent; an excluded or blocked
  model is skipped (`error="policy"` / `"blocked"`, the rule in `detail`). Blocks can change
  mid-request, so this is asked again even after the eligibility stage screened the route.
"""

from __future__ import annotations

from llmrouter.datapolicy.enforce import policy_scope
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.pipeline.attempt.admission import Skipped
from llmrouter.pipeline.chain import Handler, LegHandler
from llmrouter.pipeline.exchange import Exchange, Leg
from llmrouter.pipeline.reply import Reply

__all__ = ["DataClassStage", "LegPolicy"]


class DataClassStage:
    """Resolves the request's data class and serves it inside its policy scope."""

    def __init__(self, gate: PolicyGate) -> None:
        self._gate = gate

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        gate, metadata = self._gate, ex.request.metadata
        if not gate.policy.enabled and "data_class" not in metadata:
            return await call_next(ex)  # no classes: only blocks apply, checked per leg
        ex.data_class = gate.resolve(metadata, ex.route.name)  # a named class must exist
        with policy_scope(ex.data_class):
            return await call_next(ex)


class LegPolicy:
    """The gate's verdict on one leg, before anything is sent."""

    def __init__(self, gate: PolicyGate) -> None:
        self._gate = gate

    async def __call__(self, leg: Leg, call_next: LegHandler) -> Reply:
        gate = self._gate
        if gate.active:
            excluded = gate.check(leg.exchange.data_class, leg.deployment.name)
            if excluded is not None:
                raise Skipped(excluded.reason, excluded.detail)
        return await call_next(leg)
