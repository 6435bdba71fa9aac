"""The one place where a provider's answer becomes one of our error classes.

Adapters reduce whatever their transport raised to a `RawFault` (status, body, headers, transport
failure) and call `classify`. The provider's business code and error type win over the HTTP
status, because adapters and gateways misreport statuses: litellm reports Anthropic's 529
overloaded as a 500, and Zhipu's content filter (code 1301) as a plain 400.
The vendors' own tables are in `llmrouter.vendors`; docs/fault-policy.md lists the sources.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from llmrouter import errors as e
from llmrouter.vendors.anthropic import ANTHROPIC_ERRORS
from llmrouter.vendors.base import ErrorTable
from llmrouter.vendors.openai import OPENAI_ERRORS

__all__ = [
    "DEFAULT_CODES",
    "FAULT_FINISH_REASONS",
    "RawFault",
    "classify",
    "error_for_finish_reason",
    "parse_retry_after",
]

ErrorClass = type[e.ProviderError]
TransportFailure = Literal["timeout", "connect", "closed"]


@dataclass(frozen=True)
class RawFault:
    """What an adapter knows about a failed call, before classification."""

    status: int | None = None
    body: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    transport: TransportFailure | None = None
    message: str = ""
    malformed: bool = False
    """A 2xx answer whose body could not be parsed."""


# Business codes and error types live in each vendor's file (llmrouter.vendors); this table
# reads an error of a model whose vendor llmrouter does not know.
DEFAULT_CODES: ErrorTable = {**OPENAI_ERRORS, **ANTHROPIC_ERRORS}

# Message fragments that refine a generic class (lower-case).
_CONTEXT_HINTS = (
    "context length",
    "context_length",
    "maximum context",
    "prompt is too long",
    "prompt exceeds max length",
    "too many tokens",
    "context window",
)
_FILTER_HINTS = (
    "content filtering",
    "content_policy",
    "content management policy",
    "safety system",
)
_QUOTA_HINTS = (
    "insufficient_quota",
    "exceeded your current quota",
    "usage limit",
    "spend limit",
    "credit balance",
    "billing",
    "in arrears",
)

_AUTH_HINTS = ("missing credentials", "incorrect api key", "invalid api key", "invalid x-api-key")

_STATUS_CLASSES: dict[int, ErrorClass] = {
    401: e.AuthenticationError,
    403: e.AuthenticationError,
    402: e.QuotaExceededError,
    408: e.ProviderTimeoutError,
    429: e.RateLimitError,
    529: e.OverloadedError,
}

# Finish reasons of a 2xx answer that are faults.
_FINISH_FAULTS: dict[str, tuple[ErrorClass, str]] = {
    "sensitive": (e.ContentFilteredError, "answer blocked by the provider's content filter"),
    "content_filter": (e.ContentFilteredError, "answer blocked by the provider's content filter"),
    "network_error": (e.ProviderUnavailableError, "the provider reported a network error"),
}

FAULT_FINISH_REASONS = frozenset(_FINISH_FAULTS)


def classify(
    raw: RawFault,
    *,
    model: str | None = None,
    provider: str | None = None,
    redact: Callable[[str], str] = lambda text: text,
    codes: ErrorTable = DEFAULT_CODES,
) -> e.ProviderError:
    """Map a raw fault to the error class of the fault policy. `codes` is the vendor's table of
    business codes and error types; secrets are scrubbed by `redact`."""
    code, etype, message = _parse_error_body(raw.body)
    if code is None and etype is None and message is None:
        code, etype, message = _parse_error_body(raw.message)
    text = (message or raw.message or raw.body or "")[:_BODY_SCAN_CHARS]
    cls = _choose_class(raw, code, etype, text.lower(), codes)
    summary = _one_line(redact(text)) or _default_message(cls, raw)  # scrub, then cut
    return cls(
        summary,
        model=model,
        provider=provider,
        status_code=raw.status,
        code=code or etype,
        retry_after_s=parse_retry_after(raw.headers),
    )


def _choose_class(
    raw: RawFault, code: str | None, etype: str | None, text: str, codes: ErrorTable
) -> ErrorClass:
    if raw.transport == "timeout":
        return e.ProviderTimeoutError
    if raw.transport in ("connect", "closed"):
        return e.ProviderUnavailableError
    if raw.malformed:
        return e.MalformedResponseError
    for key in (code, etype):
        if key is not None:
            found = codes.get(key) or codes.get(key.lower())
            if found is not None:
                return _refine(found, text)
    return _refine(_class_for_status(raw.status, text), text)


def _class_for_status(status: int | None, text: str) -> ErrorClass:
    if status is None:
        return e.ProviderUnavailableError
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if 400 <= status < 500:
        return e.BadRequestError
    if status >= 500:
        return e.OverloadedError if "overloaded" in text else e.ProviderUnavailableError
    return e.MalformedResponseError  # a "fault" with a 1xx-3xx status


def _refine(cls: ErrorClass, text: str) -> ErrorClass:
    """Generic classes hide specific faults in their message (Anthropic, gateways)."""
    if cls in (e.BadRequestError, e.ProviderUnavailableError) and any(
        h in text for h in _AUTH_HINTS
    ):
        return e.AuthenticationError  # litellm reports a missing key as a 500
    if cls is e.BadRequestError:
        if any(h in text for h in _CONTEXT_HINTS):
            return e.ContextWindowExceededError
        if any(h in text for h in _FILTER_HINTS):
            return e.ContentFilteredError
    if cls is e.RateLimitError and any(h in text for h in _QUOTA_HINTS):
        return e.QuotaExceededError
    return cls


_BODY_SCAN_CHARS = 64 * 1024
"""How much of an error body (or adapter message) classification reads. Provider error bodies
are a few hundred bytes; the native adapters read no more than this of one (docs/limits.md)."""
_MAX_JSON_CANDIDATES = 8
"""Places in that prefix where an error object may start (`{"`) that are tried at most."""
_OBJECT_START = re.compile(r'\{\s*"')


def _parse_error_body(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(code, type, message) from an OpenAI, Zhipu or Anthropic error body found in `text`."""
    payload = _first_json_object(text[:_BODY_SCAN_CHARS]) if text else None
    if payload is None:
        return None, None, None
    err = payload.get("error", payload)
    if not isinstance(err, Mapping):
        return None, None, err if isinstance(err, str) and err else None
    code = err.get("code")
    etype = err.get("type")
    message = err.get("message")
    return (
        _scalar_text(code),
        etype if isinstance(etype, str) and etype else None,
        _scalar_text(message),
    )


def _scalar_text(value: object) -> str | None:
    """A code or message as text; a nested structure (a hostile body) is not one."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    return str(value) if isinstance(value, (str, int, float)) else None


def _first_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object with an `error` or `type` key in `text` (bodies, and adapter
    messages that quote one after a prefix). Linear and bounded: only the first few places
    that can start an object with a key are tried, so a body of `{` characters costs one regex
    scan; nesting too deep for the parser counts as no object."""
    decoder = json.JSONDecoder()
    for tried, match in enumerate(_OBJECT_START.finditer(text)):
        if tried == _MAX_JSON_CANDIDATES:
            break
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict) and ("error" in value or "type" in value):
            return value
    return None


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or HTTP date).

    Gateways send nonsense (negative, NaN, dates in the past, unparseable dates): those give
    None. A date without a usable zone (`-0000`) is read as UTC. Large values are returned as
    they are; the executor never sleeps past the request deadline.
    """
    lowered = {str(k).lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        value = _to_float(raw_ms)
        if value is not None:
            return value / 1000.0
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    value = _to_float(raw)
    if value is not None:
        return value
    return _seconds_until(raw)


def _seconds_until(http_date: object) -> float | None:
    from datetime import datetime, timezone

    try:
        when = parsedate_to_datetime(str(http_date))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, local offset unknown (RFC 5322 section 3.3)
        when = when.replace(tzinfo=timezone.utc)
    delta = (when - datetime.now(timezone.utc)).total_seconds()
    return delta if delta >= 0 else None


def _to_float(text: object) -> float | None:
    try:
        value = float(str(text))
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def error_for_finish_reason(
    finish_reason: str | None, *, model: str, provider: str, partial_text: str = ""
) -> e.ProviderError | None:
    """A 2xx answer can still be a fault: Z.ai `sensitive`, OpenAI `content_filter`, ..."""
    if finish_reason is None or finish_reason not in _FINISH_FAULTS:
        return None
    cls, message = _FINISH_FAULTS[finish_reason]
    if cls is e.ContentFilteredError:
        return e.ContentFilteredError(
            f"{message} (finish_reason={finish_reason!r})",
            partial_text=partial_text,
            model=model,
            provider=provider,
            code=finish_reason,
        )
    return cls(f"{message} (finish_reason={finish_reason!r})", model=model, provider=provider)


# Adapter noise in front of the provider's message: "litellm.RateLimitError: OpenAIException - ".
_ADAPTER_PREFIX = re.compile(r"^(?:(?:litellm\.)?\w+(?:Error|Exception)(?::| -)\s*)+")


def _one_line(text: str, limit: int = 300) -> str:
    flat = _ADAPTER_PREFIX.sub("", " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _default_message(cls: ErrorClass, raw: RawFault) -> str:
    if raw.transport == "timeout":
        return "the attempt timed out"
    if raw.transport == "connect":
        return "could not connect to the provider"
    if raw.transport == "closed":
        return "the provider closed the connection"
    if raw.status is not None and 300 <= raw.status < 400:
        return f"the provider answered {raw.status}, a redirect; llmrouter follows no redirects"
    return f"{cls.kind} fault"
