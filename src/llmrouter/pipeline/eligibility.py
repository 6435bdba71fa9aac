"""The eligibility stage: which candidates may serve this request at all, decided before any
call. Budgets first (a spent route or tenant budget refuses the request), then each model: the
data policy and blocks, context window, capabilities (embeddings among them), its vendor's
documented limits, its own budget. Every model left
out is recorded as a skipped attempt with its reason; none left is `NoEligibleModelError`. A
request with vendor fields only its own wire carries (`Passthrough.exclusive`) skips the models
of other wires."""

from __future__ import annotations

from collections.abc import Mapping

from llmrouter import attempt_records as records
from llmrouter.budgets import BudgetBook, Hold
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.errors import NoEligibleModelError
from llmrouter.passthrough import Passthrough
from llmrouter.pipeline.chain import Handler
from llmrouter.pipeline.exchange import Exchange
from llmrouter.pipeline.reply import Ending, Reply
from llmrouter.providers.base import Deployment
from llmrouter.routing.eligibility import Capabilities, ineligibility
from llmrouter.routing.estimate import RequestEstimate, estimate_request
from llmrouter.routing.table import Route
from llmrouter.vendors import Limits

__all__ = ["Eligibility"]

_Profile = tuple[Deployment, int | None, Capabilities, Limits]


class _RouteProfile:
    """A route's candidates with what eligibility reads of each, and what a request must
    avoid for the context window to be the only question (most requests)."""

    __slots__ = ("entries", "max_stop_words", "uncarried")

    def __init__(self, entries: tuple[_Profile, ...]) -> None:
        self.entries = entries
        self.uncarried = frozenset().union(*(limits.uncarried for *_, limits in entries))
        stops = [lim.max_stop_words for *_, lim in entries if lim.max_stop_words is not None]
        self.max_stop_words = min(stops, default=None)

    def plain(self, estimate: RequestEstimate) -> bool:
        """No capability or vendor limit can exclude a model for this request."""
        if estimate.tools or estimate.vision or estimate.json is not None or estimate.embedding:
            return False
        if estimate.unsigned_thinking:
            return False
        if estimate.tool_choice is not None or estimate.choices > 1:
            return False
        if estimate.params & self.uncarried:
            return False
        return self.max_stop_words is None or estimate.stop_words <= self.max_stop_words


_NOTHING: Mapping[str, str] = {}


class Eligibility:
    """Fills `exchange.estimate` and `exchange.candidates` (in the route's order)."""

    def __init__(
        self,
        capabilities: Mapping[str, Capabilities],
        budgets: BudgetBook | None,
        default_output_tokens: int,
        gate: PolicyGate | None = None,
    ) -> None:
        self._caps = dict(capabilities)
        self._budgets = budgets
        self._gate = gate
        self._default_output = default_output_tokens
        self._profiles: dict[str, _RouteProfile] = {}

    async def __call__(self, ex: Exchange, call_next: Handler) -> Reply:
        estimate = ex.estimate = estimate_request(ex.request)
        budgets = self._budgets
        if budgets is None:
            ex.candidates = self._eligible(ex, estimate, _NOTHING)
            return await call_next(ex)
        route = ex.route
        names = (d.name for d in route.candidates)
        expected = self._expected_cost(route, estimate)
        blocked, hold = await budgets.check(route.name, ex.request.tenant, names, expected)
        try:
            ex.candidates = self._eligible(ex, estimate, blocked)
            reply = await call_next(ex)
        except BaseException:
            budgets.release(hold)
            raise
        await reply.on_end(_Release(budgets, hold))
        return reply

    def _expected_cost(self, route: Route, estimate: RequestEstimate) -> float:
        """What the request is held to cost while in flight: its priciest candidate's
        estimate for the prompt and `max_tokens` (else `default_output_tokens`; an embedding
        request has no output)."""
        output = 0 if estimate.embedding else estimate.max_output_tokens or self._default_output
        costs = [d.price.estimate_usd(estimate.prompt_tokens, output) for d in route.candidates]
        return max((c for c in costs if c is not None), default=0.0)

    def _eligible(
        self, ex: Exchange, estimate: RequestEstimate, blocked: Mapping[str, str]
    ) -> list[Deployment]:
        eligible: list[Deployment] = []
        gate = self._gate if self._gate is not None and self._gate.active else None
        profile = self._profile(ex.route)
        plain = profile.plain(estimate)
        need = estimate.window_tokens
        only = _only_wire(ex.request.passthrough)
        for deployment, window, caps, limits in profile.entries:
            if gate is not None:
                excluded = gate.check(ex.data_class, deployment.name)
                if excluded is not None:  # the data policy or a block: wherever it stands
                    ex.attempts.append(excluded.attempt())
                    continue
            if only is not None and deployment.ref.wire != only[0]:
                ex.attempts.append(records.skipped(deployment, "unsupported_param", only[1]))
                continue
            if plain and (window is None or need <= window):
                why = None  # the common case, without a call per model
            else:
                why = ineligibility(estimate, window, caps, limits)
            if why is None and deployment.name in blocked:
                why = ("budget", blocked[deployment.name])
            if why is None:
                eligible.append(deployment)
            else:
                ex.attempts.append(records.skipped(deployment, *why))
        if not eligible:
            reasons = "; ".join(f"{a.model}: {a.error} ({a.detail})" for a in ex.attempts)
            what = f"data class {ex.data_class!r}" if ex.data_class is not None else "this request"
            raise NoEligibleModelError(f"no model can serve {what}: {reasons}", ex.attempts)
        return eligible

    def _profile(self, route: Route) -> _RouteProfile:
        found = self._profiles.get(route.name)
        if found is None:
            found = self._profiles[route.name] = _RouteProfile(
                tuple(
                    (d, d.context_window, self._caps[d.name], d.ref.vendor.limits)
                    for d in route.candidates
                )
            )
        return found


def _only_wire(passthrough: Passthrough | None) -> tuple[str, str] | None:
    """(wire, why) when the request has fields only a backend of its own wire carries."""
    if passthrough is None or not passthrough.exclusive:
        return None
    names = ", ".join(sorted(passthrough.exclusive))
    return passthrough.wire, f"{names}: carried only to {passthrough.wire}-wire backends"


class _Release:
    __slots__ = ("_budgets", "_hold")

    def __init__(self, budgets: BudgetBook, hold: Hold) -> None:
        self._budgets, self._hold = budgets, hold

    async def __call__(self, ending: Ending) -> None:
        self._budgets.release(self._hold)
