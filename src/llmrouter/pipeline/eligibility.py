"""The eligibility stage: which candidates may serve this request at all, decided before any
call. Budgets first (a spent route or tenant budget refuses the request), then each model:
context window, capabilities, its vendor's documented limits, its own budget. Every model left
out is recorded as a skipped attempt with its reason; none left is `NoEligibleModelError`."""

from __future__ import annotations

from collections.abc import Mapping

from llmrouter import attempt_records as records
from llmrouter.budgets import BudgetBook
from llmrouter.errors import NoEligibleModelError
from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Reply
from llmrouter.providers.base import Deployment
from llmrouter.routing.eligibility import Capabilities, ineligibility
from llmrouter.routing.estimate import RequestEstimate, estimate_request
from llmrouter.routing.table import Route
from llmrouter.vendors import Limits

__all__ = ["Eligibility"]

_Profile = tuple[Deployment, int | None, Capabilities, Limits]
_NOTHING: Mapping[str, str] = {}


class Eligibility:
    """Fills `exchange.estimate` and `exchange.candidates` (in the route's order)."""

    def __init__(
        self, capabilities: Mapping[str, Capabilities], budgets: BudgetBook | None
    ) -> None:
        self._caps = dict(capabilities)
        self._budgets = budgets
        self._profiles: dict[str, tuple[_Profile, ...]] = {}

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        estimate = ex.estimate = estimate_request(ex.request)
        route = ex.route
        blocked = _NOTHING
        if self._budgets is not None:
            names = (d.name for d in route.candidates)
            blocked = await self._budgets.check(route.name, ex.request.tenant, names)
        ex.candidates = self._eligible(ex, estimate, blocked)
        return await call_next(ex)

    def _eligible(
        self, ex: Exchange, estimate: RequestEstimate, blocked: Mapping[str, str]
    ) -> list[Deployment]:
        eligible: list[Deployment] = []
        for deployment, window, caps, limits in self._profile(ex.route):
            why = ineligibility(estimate, window, caps, limits)
            if why is None and deployment.name in blocked:
                why = ("budget", blocked[deployment.name])
            if why is None:
                eligible.append(deployment)
            else:
                ex.attempts.append(records.skipped(deployment, *why))
        if not eligible:
            reasons = "; ".join(f"{a.model}: {a.error} ({a.detail})" for a in ex.attempts)
            raise NoEligibleModelError(f"no model can serve this request: {reasons}", ex.attempts)
        return eligible

    def _profile(self, route: Route) -> tuple[_Profile, ...]:
        found = self._profiles.get(route.name)
        if found is None:
            found = self._profiles[route.name] = tuple(
                (d, d.context_window, self._caps[d.name], d.ref.vendor.limits)
                for d in route.candidates
            )
        return found
