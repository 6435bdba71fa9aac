"""`classify` is total: whatever status, body, headers and message an adapter hands it, it
returns a classified `ProviderError` (never raises), in time linear in a bounded prefix."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from llmrouter.errors import ProviderError
from llmrouter.faults import RawFault, classify, parse_retry_after

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_error_like = st.builds(
    lambda code, etype, message, extra: json.dumps(
        {"error": {"code": code, "type": etype, "message": message, **extra}}
    ),
    _json_values,
    _json_values,
    _json_values,
    st.dictionaries(st.text(max_size=8), _json_values, max_size=3),
)
_bodies = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.text(alphabet='{}[]":,\\ \n0123456789aeflnrstu', max_size=400),
    _error_like,
    st.builds(lambda prefix, body: prefix + body, st.text(max_size=40), _error_like),
    st.integers(1, 3000).map(lambda depth: '{"error": ' + "[" * depth + "]" * depth + "}"),
)
_header_values = st.one_of(
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers().map(str),
    st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S -0000")),
    st.sampled_from(["Wed, 21 Oct 2015 07:28:00 -0000", "Fri, 31 Dec 9999 23:59:59 +2359"]),
)
_headers = st.dictionaries(
    st.sampled_from(["retry-after", "retry-after-ms", "Retry-After", "x-other"]),
    _header_values,
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(
    status=st.none() | st.integers(-10, 1000),
    body=_bodies,
    headers=_headers,
    message=st.text(max_size=200) | _error_like,
    transport=st.sampled_from([None, "timeout", "connect", "closed"]),
    malformed=st.booleans(),
)
def test_classify_never_raises(
    status: int | None,
    body: str | None,
    headers: dict[str, str],
    message: str,
    transport: str | None,
    malformed: bool,
) -> None:
    raw = RawFault(status, body, headers, transport, message, malformed)  # type: ignore[arg-type]
    error = classify(raw, model="m", provider="p")
    assert isinstance(error, ProviderError)
    assert error.retry_after_s is None or error.retry_after_s >= 0


@settings(max_examples=300, deadline=None)
@given(headers=_headers)
def test_retry_after_is_none_or_a_finite_wait(headers: dict[str, str]) -> None:
    seconds = parse_retry_after(headers)
    assert seconds is None or 0 <= seconds < float("inf")
