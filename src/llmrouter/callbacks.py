"""For callback authors: typed events about each request, delivered to `RouterCallbacks`.

```python
from llmrouter.callbacks import FallbackEvent, RouterCallbacks

class Audit(RouterCallbacks):
    async def on_fallback(self, event: FallbackEvent) -> None:
        print(f"{event.from_model} -> {event.to_model}: {event.error_kind}")

router = Router.from_yaml("llmrouter.yaml", callbacks=[Audit()])
```

Callbacks are awaited on the request path: keep them fast. One that raises is logged and
ignored; it never breaks a request. Events carry no prompt or completion text and no secret.
"""

from llmrouter.telemetry.events import (
    AttemptEvent,
    CanaryRollbackEvent,
    FailureEvent,
    FallbackEvent,
    RouterCallbacks,
    SuccessEvent,
)

__all__ = [
    "AttemptEvent",
    "CanaryRollbackEvent",
    "FailureEvent",
    "FallbackEvent",
    "RouterCallbacks",
    "SuccessEvent",
]
