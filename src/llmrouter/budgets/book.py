"""`BudgetBook`: checks, holds and charges the budgets of a config, in this process or in a
shared store (see `llmrouter.budgets` for the rules)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from llmrouter.budgets.model import Budget, BudgetStatus, describe
from llmrouter.budgets.writer import CounterWriter
from llmrouter.errors import BudgetExceededError
from llmrouter.state.base import Store

__all__ = ["BudgetBook", "Hold"]

_MAX_COUNTERS = 100_000
"""Past windows' counters are pruned once this many are kept."""

_Keyed = tuple[Budget, "str | None", str, float]  # budget, tenant, counter key, window end
_EPSILON = 1e-9
"""Relative slack on `spent >= limit`: counters are float sums (INCRBYFLOAT in Redis), so ten
holds of $x may add up to a hair under $10x."""


def _spent(spent: float, limit: float) -> bool:
    return spent >= limit * (1 - _EPSILON)


@dataclass(slots=True)
class Hold:
    """What one request holds on its route and tenant budgets while in flight."""

    entries: list[tuple[str, float, int, bool]] = field(default_factory=list)
    """(counter key, amount, window seconds, held in the shared store too)."""


class BudgetBook:
    """Checks, holds and charges budgets; `store=None` counts in this process only."""

    def __init__(
        self,
        budgets: Iterable[Budget],
        store: Store | None = None,
        *,
        namespace: str = "llmrouter",
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self._namespace = namespace
        self._now = wall_clock
        self._writer = CounterWriter(store, sleep=sleep) if store is not None else None
        self._local: dict[str, list[float]] = {}
        """key -> [spend, window end]: this process's view (the truth without a store)."""
        self._keys: dict[tuple[int, str | None], tuple[float, float, str]] = {}
        self._models: dict[str, list[Budget]] = {}
        self._routes: dict[str, list[Budget]] = {}
        self._tenants: dict[str, list[Budget]] = {}
        self._shadows: dict[str, list[Budget]] = {}
        """`shadow:<route>`: what that route's shadows spend, and nothing else."""
        for budget in budgets:
            tables = {"model": self._models, "route": self._routes, "shadow": self._shadows}
            table = tables.get(budget.kind, self._tenants)
            table.setdefault(budget.target, []).append(budget)
        self._any_tenant = self._tenants.pop("*", [])

    # -- keys and this process's view -------------------------------------------------------

    def _applying(self, route: str | None, tenant: str | None) -> list[tuple[Budget, str | None]]:
        out: list[tuple[Budget, str | None]] = []
        if route is not None:
            out.extend((b, None) for b in self._routes.get(route, ()))
        if tenant is not None:
            out.extend((b, None) for b in self._tenants.get(tenant, ()))
            out.extend((b, tenant) for b in self._any_tenant)
        return out

    def _key(self, budget: Budget, tenant: str | None, now: float) -> tuple[str, float]:
        """The counter key of the window holding `now` and when that window ends."""
        cached = self._keys.get((id(budget), tenant))
        if cached is not None and cached[0] <= now < cached[1]:
            return cached[2], cached[1]
        start = int(now // budget.window_s) * budget.window_s
        who = f"{budget.scope}:{tenant}" if tenant is not None else budget.scope
        key = f"{self._namespace}:budget:{who}:{budget.window}:{start}"
        if len(self._keys) > _MAX_COUNTERS:
            self._keys.clear()
        self._keys[(id(budget), tenant)] = (start, start + budget.window_s, key)
        return key, start + budget.window_s

    def _keyed(self, pairs: Iterable[tuple[Budget, str | None]], now: float) -> list[_Keyed]:
        return [(b, t, *self._key(b, t, now)) for b, t in pairs]

    def _add_local(self, key: str, ends: float, amount: float) -> float:
        entry = self._local.get(key)
        if entry is None:
            if len(self._local) > _MAX_COUNTERS:
                now = self._now()
                self._local = {k: v for k, v in self._local.items() if v[1] > now}
            entry = self._local[key] = [0.0, ends]
        entry[0] += amount
        return entry[0]

    async def _counted(self, keyed: Sequence[_Keyed], add: float) -> list[tuple[float, bool]]:
        """Add `add` to each counter and return each one's spend after it, and whether the
        shared store counted it (one round trip for all of them)."""
        if self.store is None or not keyed:
            return [(self._add_local(key, ends, add), False) for _, _, key, ends in keyed]
        values = await self.store.incr_many([(key, add, b.window_s) for b, _, key, _ in keyed])
        out = []
        for (_, _, key, ends), value in zip(keyed, values, strict=True):
            if value is None:  # unreachable: this process's own view
                out.append((self._add_local(key, ends, add), False))
                continue
            assert self._writer is not None
            spent = value + self._writer.pending(key)
            self._local[key] = [spent, ends]
            out.append((spent, True))
        return out

    # -- the request path ---------------------------------------------------------------------

    async def check(
        self,
        route: str,
        tenant: str | None,
        models: Iterable[str],
        reserve_usd: float = 0.0,
    ) -> tuple[dict[str, str], Hold]:
        """Hold `reserve_usd` (the request's expected cost) on its route and tenant budgets,
        so requests in flight count; raise `BudgetExceededError` if one was already spent.
        Return the models whose own budget is spent (with a description) and the hold, to
        `release` when the request ends."""
        now = self._now()
        keyed = self._keyed(self._applying(route, tenant), now)
        hold = Hold()
        counted = await self._counted(keyed, reserve_usd)
        for (budget, _, key, _), (_, shared) in zip(keyed, counted, strict=True):
            hold.entries.append((key, reserve_usd, budget.window_s, shared))
        for (budget, who, _, ends), (after, _) in zip(keyed, counted, strict=True):
            spent = after - reserve_usd
            if _spent(spent, budget.limit_usd):
                self.release(hold)
                raise BudgetExceededError(
                    describe(budget, who, spent, ends),
                    scope=budget.scope,
                    tenant=who or tenant,
                    limit_usd=budget.limit_usd,
                    spent_usd=spent,
                    window=budget.window,
                    resets_at=ends,
                )
        return await self._spent_models(models, now), hold

    async def _spent_models(self, models: Iterable[str], now: float) -> dict[str, str]:
        if not self._models:
            return {}
        pairs = [(b, None) for m in models for b in self._models.get(m, ())]
        keyed = self._keyed(pairs, now)
        blocked: dict[str, str] = {}
        for (budget, _, _, ends), (spent, _) in zip(
            keyed, await self._counted(keyed, 0.0), strict=True
        ):
            if _spent(spent, budget.limit_usd):
                blocked.setdefault(budget.target, describe(budget, None, spent, ends))
        return blocked

    async def model_spent(self, model: str) -> str | None:
        """Why `model` may not serve now (a spent `model:` budget), or None."""
        found = await self._spent_models((model,), self._now())
        return found.get(model)

    def release(self, hold: Hold) -> None:
        """Give back what a request held (its charges are separate, by `charge`)."""
        entries, hold.entries = hold.entries, []
        for key, amount, window_s, shared in entries:
            if amount == 0:
                continue
            entry = self._local.get(key)
            if entry is not None:
                entry[0] -= amount
            if shared and self._writer is not None:
                self._writer.add(key, -amount, window_s)

    def charge(self, route: str, model: str, tenant: str | None, cost_usd: float) -> None:
        """Add `cost_usd` to every budget the request counts toward: in this process now, in
        the shared store in the background (retried until written)."""
        if cost_usd <= 0:
            return
        pairs: list[tuple[Budget, str | None]] = [(b, None) for b in self._models.get(model, ())]
        pairs.extend(self._applying(route, tenant))
        for budget, _, key, ends in self._keyed(pairs, self._now()):
            self._add_local(key, ends, cost_usd)
            if self._writer is not None:
                self._writer.add(key, cost_usd, budget.window_s)

    # -- shadows: their own scope only ------------------------------------------------------

    def charge_shadow(self, route: str, cost_usd: float) -> None:
        """Add a shadow's cost to the `shadow:<route>` budgets, and to no other."""
        if cost_usd <= 0:
            return
        pairs = [(b, None) for b in self._shadows.get(route, ())]
        for budget, _, key, ends in self._keyed(pairs, self._now()):
            self._add_local(key, ends, cost_usd)
            if self._writer is not None:
                self._writer.add(key, cost_usd, budget.window_s)

    async def shadow_spent(self, route: str) -> str | None:
        """Why no more shadow of `route` may be sent (a spent `shadow:<route>` budget), or
        None."""
        pairs = [(b, None) for b in self._shadows.get(route, ())]
        if not pairs:
            return None
        keyed = self._keyed(pairs, self._now())
        for (budget, _, _, ends), (spent, _) in zip(
            keyed, await self._counted(keyed, 0.0), strict=True
        ):
            if _spent(spent, budget.limit_usd):
                return describe(budget, None, spent, ends)
        return None

    async def status(self, scope: str, tenant: str | None = None) -> list[BudgetStatus]:
        """The current spend of every budget with `scope` (`tenant` for `tenant:*`)."""
        every = [
            *(b for bs in self._models.values() for b in bs),
            *(b for bs in self._routes.values() for b in bs),
            *(b for bs in self._tenants.values() for b in bs),
            *self._any_tenant,
            *(b for bs in self._shadows.values() for b in bs),
        ]
        pairs = [(b, tenant if b.target == "*" else None) for b in every if b.scope == scope]
        keyed = self._keyed(pairs, self._now())
        counted = await self._counted(keyed, 0.0)
        return [
            BudgetStatus(budget, who, spent, ends)
            for (budget, who, _, ends), (spent, _) in zip(keyed, counted, strict=True)
        ]

    async def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until queued charges are in the shared store; False if they are not yet."""
        return await self._writer.flush(timeout_s) if self._writer is not None else True

    async def aclose(self) -> None:
        """Write what is queued (one last try)."""
        if self._writer is not None:
            await self._writer.aclose()
