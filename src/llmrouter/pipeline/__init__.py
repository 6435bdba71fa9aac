"""The request path: stages around the next handler, in the order `build` writes down.

```
acompletion -> RequestTelemetry -> AuditStage -> DataClassStage -> CacheStage -> [ShadowStage]
               request span,      one record    the class, its    lookup,       mirrors a
               callbacks          per request   policy scope      single-flight sample after
    -> Eligibility -> Planning -> [CanaryStage] -> Execution: retries, fallback, hedging,
       budgets, policy  strategy   its slice first   deadline; per attempt (a Leg):
    LegPolicy -> AdmissionStage -> AttemptTelemetry -> AttemptAccounting -> Inspection -> call
    policy,      breaker           attempt span        record, latency,     faults in a    the
    blocks                                             cost to budgets      2xx answer     adapter
```

With a route's `shadow:`, `ShadowStage` sits after the cache (it mirrors a sample of the
answers that end, in the background, through the same attempt stages with the shadows' own
breakers, statistics and budget scope); with a `canary:`, `CanaryStage` sits after planning
(it puts the canary first for its slice of traffic and measures it against a control group).
See docs/architecture.md for where each concern lives and how to add a stage.
"""
