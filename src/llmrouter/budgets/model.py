"""A budget, and its spend in its current window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from llmrouter.config.schema import BudgetConfig

__all__ = ["Budget", "BudgetStatus", "describe"]


@dataclass(frozen=True, slots=True)
class Budget:
    """One `budgets:` entry."""

    scope: str
    kind: str
    """`model`, `route`, `tenant` or `shadow`."""
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
    """Charged spend, plus what requests in flight hold (see `llmrouter.budgets`)."""
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


def describe(budget: Budget, tenant: str | None, spent: float, ends: float) -> str:
    return BudgetStatus(budget, tenant, spent, ends).describe()
