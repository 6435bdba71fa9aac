"""Spending limits in USD over fixed UTC windows, counted in the shared-state store.

```yaml
budgets:
  - {scope: model:glm, limit_usd: 50, window: 1d}    # spent: glm leaves routing (skipped)
  - {scope: route:chat, limit_usd: 200, window: 30d}  # spent: BudgetExceededError
  - {scope: tenant:acme, limit_usd: 5, window: 1h}    # metadata["tenant"] == "acme"
  - {scope: "tenant:*", limit_usd: 1, window: 1d}     # every tenant on its own
  - {scope: "shadow:chat", limit_usd: 20, window: 1d} # chat's shadows, and nothing else
```

A shadow's cost (see `llmrouter.qualify.shadow`) is charged to the `shadow:<route>` budgets
only, and a spent one stops the route's shadows; no other budget ever counts a shadow.

A budget is spent when its counted spend for the current window is at or above `limit_usd`.
The count is what was charged plus what requests in flight hold: before a call, a request
holds its expected cost (the priciest candidate's estimate for its prompt and `max_tokens`, or
256 completion tokens) on its route and tenant budgets, so a burst of concurrent requests sees
each other; every billed answer is charged its cost (`RouteInfo.cost_usd`) when it ends, and
the hold is released when the request ends. The overshoot bound: the counted spend exceeds a
limit only by what requests admitted before it was reached cost beyond their estimate.

Windows are fixed and aligned to the Unix epoch in UTC (a `1d` window starts at midnight UTC).
Each window is one counter, `<namespace>:budget:<scope>:<window>:<start>`. With `state:
{backend: memory}` (the default) the counters live in this process; with `state: {backend:
redis}` they are counters that expire after one window, shared by every router on that Redis.
Holds are taken in the same round trip as the check; charges and releases are written in the
background and retried until they land (`llmrouter.budgets.writer`), so a slow or unreachable
Redis neither delays an answer nor loses a charge; meanwhile this process's own view decides.
"""

from llmrouter.budgets.book import BudgetBook, Hold
from llmrouter.budgets.model import Budget, BudgetStatus

__all__ = ["Budget", "BudgetBook", "BudgetStatus", "Hold"]
