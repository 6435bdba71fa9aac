"""Where audit records go: the JSONL file, callbacks (`RouterCallbacks.on_audit`), and an
OpenTelemetry span event, `llmrouter.audit`, on the request span.

```python
audit = AuditLog.from_config(loaded, callbacks)     # the file of `data_policy.audit_log`
await audit.emit(trail.finish(...), span=request_span)
```

A sink that fails is logged and skipped; the audit never fails a request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from llmrouter.config.loader import LoadedConfig
from llmrouter.datapolicy.audit import AuditRecord
from llmrouter.datapolicy.audit_file import JsonlAuditFile
from llmrouter.telemetry.events import RouterCallbacks

__all__ = [
    "EVENT_NAME",
    "AuditLog",
    "AuditSink",
    "CallbackAuditSink",
    "add_audit_event",
    "audit_event_attributes",
    "audit_log_path",
]

logger = logging.getLogger("llmrouter")

EVENT_NAME = "llmrouter.audit"


class AuditSink(Protocol):
    """Takes every audit record."""

    async def emit(self, record: AuditRecord) -> None: ...

    async def aclose(self) -> None: ...


class CallbackAuditSink:
    """Awaits `on_audit(record)` of each callback that overrides it; one that raises is
    logged and ignored."""

    def __init__(self, callbacks: Iterable[RouterCallbacks]) -> None:
        self.callbacks = [
            cb for cb in callbacks if type(cb).on_audit is not RouterCallbacks.on_audit
        ]

    async def emit(self, record: AuditRecord) -> None:
        for callback in self.callbacks:
            try:
                await callback.on_audit(record)
            except Exception:  # a broken callback must never break a request
                logger.exception("llmrouter: callback %r raised in on_audit; ignored", callback)

    async def aclose(self) -> None:
        return None


def audit_event_attributes(record: AuditRecord) -> dict[str, Any]:
    """The attributes of the `llmrouter.audit` span event (lists as parallel arrays; a leg
    without a region has `""`)."""
    attributes: dict[str, Any] = {
        "llmrouter.request_id": record.request_id,
        "llmrouter.route": record.route,
        "llmrouter.audit.outcome": record.outcome,
        "llmrouter.cache_hit": record.cache_hit,
        "llmrouter.cost_usd": record.cost_usd,
        "llmrouter.audit.excluded.model": [e.model for e in record.excluded],
        "llmrouter.audit.excluded.reason": [e.reason for e in record.excluded],
        "llmrouter.audit.excluded.rule": [e.rule or "" for e in record.excluded],
        "llmrouter.audit.legs.kind": [leg.kind for leg in record.legs],
        "llmrouter.audit.legs.model": [leg.model for leg in record.legs],
        "llmrouter.audit.legs.provider": [leg.provider for leg in record.legs],
        "llmrouter.audit.legs.vendor": [leg.vendor for leg in record.legs],
        "llmrouter.audit.legs.region": [leg.region or "" for leg in record.legs],
        "llmrouter.audit.legs.outcome": [leg.outcome for leg in record.legs],
    }
    optional = {
        "llmrouter.data_class": record.data_class,
        "llmrouter.tenant": record.tenant,
        "llmrouter.audit.error": record.error,
        "llmrouter.model": record.served_model,
        "llmrouter.provider": record.served_provider,
    }
    attributes.update((k, v) for k, v in optional.items() if v is not None)
    return attributes


def add_audit_event(span: Any, record: AuditRecord) -> None:
    """Add the `llmrouter.audit` event to `span` (an OpenTelemetry span), if it records."""
    if span is not None and span.is_recording():
        span.add_event(EVENT_NAME, audit_event_attributes(record))


def audit_log_path(loaded: LoadedConfig) -> Path | None:
    """`data_policy.audit_log`, a relative path taken from the config file's directory."""
    policy = loaded.config.data_policy
    if policy is None or policy.audit_log is None:
        return None
    path = Path(policy.audit_log).expanduser()
    source = loaded.source
    if path.is_absolute() or source.startswith("<"):  # `<dict>`: from the working directory
        return path
    return Path(source).parent / path


class AuditLog:
    """Every sink of a router, behind one `emit`."""

    def __init__(self, sinks: Sequence[AuditSink] = ()) -> None:
        self.sinks = list(sinks)

    @classmethod
    def from_config(
        cls, loaded: LoadedConfig, callbacks: Iterable[RouterCallbacks] = ()
    ) -> AuditLog:
        """The audit file of the config (if any) and the callbacks that take `on_audit`."""
        sinks: list[AuditSink] = []
        path = audit_log_path(loaded)
        if path is not None:
            sinks.append(JsonlAuditFile(path))
        callback_sink = CallbackAuditSink(callbacks)
        if callback_sink.callbacks:
            sinks.append(callback_sink)
        return cls(sinks)

    @property
    def enabled(self) -> bool:
        """Whether any sink takes records (the span event aside)."""
        return bool(self.sinks)

    async def emit(self, record: AuditRecord, span: Any = None) -> None:
        """Deliver `record` to every sink, and as an event on `span` when one is given."""
        add_audit_event(span, record)
        for sink in self.sinks:
            try:
                await sink.emit(record)
            except Exception:  # a sink must never break a request
                logger.exception("llmrouter: audit sink %r raised; record dropped there", sink)

    async def aclose(self) -> None:
        for sink in self.sinks:
            await sink.aclose()
