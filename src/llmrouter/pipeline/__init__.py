"""The request path: stages around the next handler, in the order `build` writes down.

```
acompletion -> RequestTelemetry -> CacheStage -> Eligibility -> Planning -> Execution
               request span,      lookup,        window,        strategy    retries, fallback,
               callbacks          single-flight, capabilities,  order,      hedging, deadline
                                  store at end   vendor limits, health        |
                                                 budgets                      v  per attempt
    AdmissionStage -> AttemptTelemetry -> AttemptAccounting -> Inspection -> ProviderCallStage
    breaker,          attempt span        record, latency,     faults in     the adapter,
    bulkhead                              cost to budgets      a 2xx answer  a stream's head
```

With a route's `shadow:`, `ShadowStage` sits after the cache (it mirrors a sample of the
answers that end, in the background, through the same attempt stages with the shadows' own
breakers, statistics and budget scope); with a `canary:`, `CanaryStage` sits after planning
(it puts the canary first for its slice of traffic and measures it against a control group).
See docs/architecture.md for where each concern lives and how to add a stage.
"""
