"""Structured access log: one JSON line per request on the `llmrouter.gateway.access` logger.

Fields: `ts`, `request_id`, `method`, `path` (no query string), `status`, `format`, `tenant`,
`model` (as the client named it), `route`, `served_by`, `attempts`, `stream`, `dropped`,
`error` (a problem kind), `duration_ms`. Never message content, never a key.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field

__all__ = ["AccessRecord", "access_logger"]

access_logger = logging.getLogger("llmrouter.gateway.access")


@dataclass
class AccessRecord:
    """Filled in as a request is served; `emit()` writes it once."""

    request_id: str
    method: str
    path: str
    format: str
    started: float = field(default_factory=time.monotonic)
    status: int = 0
    tenant: str | None = None
    model: str | None = None
    route: str | None = None
    served_by: str | None = None
    attempts: int = 0
    stream: bool = False
    dropped: list[str] = field(default_factory=list)
    error: str | None = None

    def emit(self) -> None:
        if not access_logger.isEnabledFor(logging.INFO):
            return
        line = asdict(self)
        started = line.pop("started")
        line["ts"] = round(time.time(), 3)
        line["duration_ms"] = round((time.monotonic() - started) * 1000, 2)
        access_logger.info(json.dumps(line, separators=(",", ":")))
