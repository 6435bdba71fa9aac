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
<start>`, incremented with `Store.incr` and expiring after one window, so every router sharing a
Redis shares the budgets. When the store cannot be reached, this process's own view is used.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from llmrouter.config.schema import BudgetConfig, StateConfig
from llmrouter.errors import BudgetExceededError
from llmrouter.state.base import Store
from llmrouter.state.memory import MemoryStore

__all__ = ["Budget", "BudgetBook", "BudgetStatus", "tenant_of"]

_MAX_COUNTERS = 100_000


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

    @property
    def exhausted(self) -> bool:
        return self.spent_usd >= self.budget.limit_usd

    def describe(self) -> str:
        who = f"{self.budget.scope} ({self.tenant})" if self.budget.target == "*" else ""
        resets = datetime.fromtimestamp(self.resets_at, timezone.utc).strftime("%Y-%m-%d %H:%MZ")
        return (
            f"budget {who or self.budget.scope} spent ${self.spent_usd:.6g} of "
            f"${self.budget.limit_usd:g} in its {self.budget.window} window (resets {resets})"
        )


class BudgetBook:
    """Checks and charges the budgets of the config against a `Store`."""

    def __init__(
        self,
        budgets: Iterable[Budget],
        store: Store,
        *,
        namespace: str = "llmrouter",
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._namespace = namespace
        self._now = wall_clock
        self._local: dict[str, float] = {}
        self._models: dict[str, list[Budget]] = {}
        self._routes: dict[str, list[Budget]] = {}
        self._tenants: dict[str, list[Budget]] = {}
        for budget in budgets:
            table = {"model": self._models, "route": self._routes}.get(budget.kind, self._tenants)
            table.setdefault(budget.target, []).append(budget)
        self._any_tenant = self._tenants.pop("*", [])

    @classmethod
    def from_config(
        cls,
        budgets: Iterable[BudgetConfig],
        state: StateConfig,
        url: str | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> BudgetBook | None:
        """The book for `budgets` over the `state:` store; None when there are no budgets."""
        entries = [Budget.from_config(b) for b in budgets]
        if not entries:
            return None
        store: Store
        if state.backend == "redis":
            from llmrouter.state.redis import RedisStore

            assert url is not None  # the schema requires it
            store = RedisStore(
                url, timeout_s=state.timeout_ms / 1000, trip_s=state.trip_s, clock=clock
            )
        else:
            store = MemoryStore(_MAX_COUNTERS)
        return cls(entries, store, namespace=state.namespace, wall_clock=wall_clock)

    def has_model_budgets(self, models: Iterable[str]) -> bool:
        return any(m in self._models for m in models)

    def _applying(self, route: str | None, tenant: str | None) -> list[tuple[Budget, str | None]]:
        out: list[tuple[Budget, str | None]] = []
        if route is not None:
            out.extend((b, None) for b in self._routes.get(route, ()))
        if tenant is not None:
            out.extend((b, None) for b in self._tenants.get(tenant, ()))
            out.extend((b, tenant) for b in self._any_tenant)
        return out

    def _key(self, budget: Budget, tenant: str | None) -> tuple[str, float]:
        now = self._now()
        start = int(now // budget.window_s) * budget.window_s
        who = f"{budget.scope}:{tenant}" if tenant is not None else budget.scope
        return f"{self._namespace}:budget:{who}:{budget.window}:{start}", start + budget.window_s

    async def _status(self, budget: Budget, tenant: str | None) -> BudgetStatus:
        key, resets_at = self._key(budget, tenant)
        value = await self.store.incr(key, 0.0, budget.window_s)  # a read that keeps the TTL
        if value is None:
            value = self._local.get(key, 0.0)
        else:
            self._local[key] = value
        return BudgetStatus(budget, tenant, value, resets_at)

    async def _statuses(self, pairs: list[tuple[Budget, str | None]]) -> list[BudgetStatus]:
        if len(pairs) == 1 or isinstance(self.store, MemoryStore):
            return [await self._status(b, t) for b, t in pairs]
        return list(await asyncio.gather(*(self._status(b, t) for b, t in pairs)))

    async def check(self, route: str, tenant: str | None, models: Iterable[str]) -> dict[str, str]:
        """Raise `BudgetExceededError` if a route or tenant budget is spent; return the models
        whose own budget is spent, each with a description."""
        for status in await self._statuses(self._applying(route, tenant)):
            if status.exhausted:
                raise BudgetExceededError(
                    status.describe(),
                    scope=status.budget.scope,
                    tenant=status.tenant or tenant,
                    limit_usd=status.budget.limit_usd,
                    spent_usd=status.spent_usd,
                    window=status.budget.window,
                    resets_at=status.resets_at,
                )
        pairs: list[tuple[Budget, str | None]] = [
            (b, None) for m in models for b in self._models.get(m, ())
        ]
        blocked: dict[str, str] = {}
        for status in await self._statuses(pairs):
            if status.exhausted:
                blocked.setdefault(status.budget.target, status.describe())
        return blocked

    async def charge(self, route: str, model: str, tenant: str | None, cost_usd: float) -> None:
        """Add `cost_usd` to every budget the request counts toward."""
        if cost_usd <= 0:
            return
        pairs: list[tuple[Budget, str | None]] = [(b, None) for b in self._models.get(model, ())]
        pairs.extend(self._applying(route, tenant))
        if len(self._local) > _MAX_COUNTERS:
            self._local.clear()  # past windows; the store holds the truth
        for budget, who in pairs:
            key, _ = self._key(budget, who)
            self._local[key] = self._local.get(key, 0.0) + cost_usd
            value = await self.store.incr(key, cost_usd, budget.window_s)
            if value is not None:
                self._local[key] = value

    async def status(self, scope: str, tenant: str | None = None) -> list[BudgetStatus]:
        """The current spend of every budget with `scope` (`tenant` for `tenant:*`)."""
        every = [
            *(b for bs in self._models.values() for b in bs),
            *(b for bs in self._routes.values() for b in bs),
            *(b for bs in self._tenants.values() for b in bs),
            *self._any_tenant,
        ]
        pairs = [(b, tenant if b.target == "*" else None) for b in every if b.scope == scope]
        return await self._statuses(pairs)

    async def aclose(self) -> None:
        await self.store.aclose()


def tenant_of(metadata: Mapping[str, object]) -> str | None:
    """The request's tenant id (`metadata["tenant"]`), as a string."""
    tenant = metadata.get("tenant")
    return None if tenant is None else str(tenant)
