"""Spending limits in USD over fixed UTC windows, counted in the shared-state store.

```yaml
budgets:
  - {scope: model:glm, limit_usd: 50, window: 1d}    # spent: glm leaves routing (skipped)
  - {scope: route:chat, limit_usd: 200, window: 30d}  # spent: BudgetExceededError
  - {scope: tenant:acme, limit_usd: 5, window: 1h}    # metadata["tenant"] == "acme"
  - {scope: "tenant:*", limit_usd: 1, window: 1d}     # every tenant on its own
```

A budget is spent when the recorded spend of its current window is at or above `limit_usd`;
it is checked before the request and charged after it, so concurrent requests can overshoot
by what is in flight. Windows are fixed and aligned to the Unix epoch in UTC (a `1d` window
starts at midnight UTC). Each window is one counter, `<namespace>:budget:<scope>:<window>:
<start>`. With `state: {backend: memory}` (the default) the counters live in this process; with
`state: {backend: redis}` they are `Store.incr` counters that expire after one window, so every
router sharing the Redis shares the budgets; when Redis cannot be reached, this process's own
view is used.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from llmrouter.config.schema import BudgetConfig
from llmrouter.errors import BudgetExceededError
from llmrouter.state.base import Store

__all__ = ["Budget", "BudgetBook", "BudgetStatus"]

_MAX_COUNTERS = 100_000
"""Past windows' counters are pruned once this many are kept."""


@dataclass(frozen=True, slots=True)
class Budget:
    """One `budgets:` entry."""

    scope: str
    kind: str
    """`model`, `route` or `tenant`."""
    target: str
    """The model or route name, the tenant id, or `*`."""
    limit_usd: float
    window: str
    window_s: int

    @classmethod
    def from_config(cls, config: BudgetConfig) -> Budget:
        """The budget of one validated `budgets:` entry."""
        kind, _, target = config.scope.partition(":")
        return cls(config.scope, kind, target, config.limit_usd, config.window, config.window_s)


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """A budget's spend in its current window."""

    budget: Budget
    tenant: str | None
    spent_usd: float
    resets_at: float
    """Unix time when the window ends."""

    def describe(self) -> str:
        """One line for errors and skip details: scope, spend, limit, window, reset time."""
        who = f"{self.budget.scope} ({self.tenant})" if self.budget.target == "*" else ""
        resets = datetime.fromtimestamp(self.resets_at, timezone.utc).strftime("%Y-%m-%d %H:%MZ")
        return (
            f"budget {who or self.budget.scope} spent ${self.spent_usd:.6g} of "
            f"${self.budget.limit_usd:g} in its {self.budget.window} window (resets {resets})"
        )


class BudgetBook:
    """Checks and charges the budgets of the config, in this process or in a shared `Store`."""

    def __init__(
        self,
        budgets: Iterable[Budget],
        store: Store | None = None,
        *,
        namespace: str = "llmrouter",
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """`store=None` counts in this process only; a `Store` (Redis) is shared."""
        self.store = store
        self._namespace = namespace
        self._now = wall_clock
        self._counts: dict[str, list[float]] = {}
        """key -> [spent, window end]: the truth without a store, the fallback view with one."""
        self._keys: dict[tuple[int, str | None], tuple[float, float, str]] = {}
        self._models: dict[str, list[Budget]] = {}
        self._routes: dict[str, list[Budget]] = {}
        self._tenants: dict[str, list[Budget]] = {}
        for budget in budgets:
            table = {"model": self._models, "route": self._routes}.get(budget.kind, self._tenants)
            table.setdefault(budget.target, []).append(budget)
        self._any_tenant = self._tenants.pop("*", [])

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

    def _local_spent(self, budget: Budget, tenant: str | None, now: float) -> tuple[float, float]:
        key, ends = self._key(budget, tenant, now)
        local = self._counts.get(key)
        return (local[0] if local is not None else 0.0), ends

    async def _spent_many(
        self, pairs: Sequence[tuple[Budget, str | None]], now: float
    ) -> list[tuple[float, float]]:
        """(spent, window end) of each budget: one store round trip for all of them."""
        if self.store is None:
            return [self._local_spent(b, t, now) for b, t in pairs]
        keys = [self._key(b, t, now) for b, t in pairs]
        # Adding 0 is a read that creates the counter with its window's TTL if it is new.
        values = await self.store.incr_many(
            [(key, 0.0, b.window_s) for (key, _), (b, _) in zip(keys, pairs, strict=True)]
        )
        out = []
        for (budget, tenant), (key, ends), value in zip(pairs, keys, values, strict=True):
            if value is None:  # unreachable: this process's view
                out.append(self._local_spent(budget, tenant, now))
            else:
                self._counts[key] = [value, ends]
                out.append((value, ends))
        return out

    async def _over(
        self, pairs: list[tuple[Budget, str | None]]
    ) -> list[tuple[Budget, str | None, float, float]]:
        """The spent budgets among `pairs`: (budget, tenant, spent, window end)."""
        spent = await self._spent_many(pairs, self._now())
        return [
            (b, t, value, ends)
            for (b, t), (value, ends) in zip(pairs, spent, strict=True)
            if value >= b.limit_usd
        ]

    async def check(self, route: str, tenant: str | None, models: Iterable[str]) -> dict[str, str]:
        """Raise `BudgetExceededError` if a route or tenant budget is spent; return the models
        whose own budget is spent, each with a description."""
        applying = self._applying(route, tenant)
        if applying:
            for budget, who, spent, ends in await self._over(applying):
                raise BudgetExceededError(
                    _describe(budget, who, spent, ends),
                    scope=budget.scope,
                    tenant=who or tenant,
                    limit_usd=budget.limit_usd,
                    spent_usd=spent,
                    window=budget.window,
                    resets_at=ends,
                )
        if not self._models:
            return {}
        pairs: list[tuple[Budget, str | None]] = [
            (b, None) for m in models for b in self._models.get(m, ())
        ]
        blocked: dict[str, str] = {}
        for budget, _, spent, ends in await self._over(pairs):
            blocked.setdefault(budget.target, _describe(budget, None, spent, ends))
        return blocked

    async def charge(self, route: str, model: str, tenant: str | None, cost_usd: float) -> None:
        """Add `cost_usd` to every budget the request counts toward."""
        if cost_usd <= 0:
            return
        pairs: list[tuple[Budget, str | None]] = [(b, None) for b in self._models.get(model, ())]
        pairs.extend(self._applying(route, tenant))
        now = self._now()
        if len(self._counts) > _MAX_COUNTERS:
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        keys = [self._key(budget, who, now) for budget, who in pairs]
        for key, ends in keys:
            self._counts.setdefault(key, [0.0, ends])[0] += cost_usd
        if self.store is None:
            return
        values = await self.store.incr_many(
            [(key, cost_usd, b.window_s) for (key, _), (b, _) in zip(keys, pairs, strict=True)]
        )
        for (key, _), value in zip(keys, values, strict=True):
            if value is not None:
                self._counts[key][0] = value

    async def status(self, scope: str, tenant: str | None = None) -> list[BudgetStatus]:
        """The current spend of every budget with `scope` (`tenant` for `tenant:*`)."""
        every = [
            *(b for bs in self._models.values() for b in bs),
            *(b for bs in self._routes.values() for b in bs),
            *(b for bs in self._tenants.values() for b in bs),
            *self._any_tenant,
        ]
        pairs = [
            (budget, tenant if budget.target == "*" else None)
            for budget in every
            if budget.scope == scope
        ]
        spent = await self._spent_many(pairs, self._now())
        return [
            BudgetStatus(budget, who, value, ends)
            for (budget, who), (value, ends) in zip(pairs, spent, strict=True)
        ]


def _describe(budget: Budget, tenant: str | None, spent: float, ends: float) -> str:
    return BudgetStatus(budget, tenant, spent, ends).describe()
