"""Row 8 and the size part of row 9 of issue 12: the native adapters read a bounded amount of
any answer, counted after decompression, whatever its shape (JSON or SSE, compressed or not,
ending or not); past a cap the answer is a classified fault and the route falls back.

The caps are the provider's `limits:` (defaults: 64 MiB per answer, 256 MiB per stream, 16 MiB
per event, 64 KiB of an error body). litellm reads bodies with its own clients, which have no
cap: these tests run on `adapter: native` (docs/limits.md says so).
"""

from __future__ import annotations

import tracemalloc

import behaviours
import pytest
from hostile_support import Harness, Stopwatch, collect

from llmrouter import StreamInterruptedError

MIB = 1 << 20
STREAM = [pytest.param(False, id="json"), pytest.param(True, id="stream")]
pytestmark = pytest.mark.parametrize("adapter", ["native"], indirect=True)


class PeakMemory:
    """`with PeakMemory() as peak: ...`, then `peak.mib`: the most Python memory held at once."""

    def __enter__(self) -> PeakMemory:
        tracemalloc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.mib = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()


def _too_large(detail: str | None, what: str, cap: str) -> bool:
    return detail is not None and f"the {what} exceeded {cap}" in detail


async def test_a_gzip_bomb_stops_at_the_cap_and_falls_back(harness: Harness) -> None:
    """96 MiB of text in ~100 KB on the wire: reading stops at the 64 MiB cap."""
    harness.hostile.handler = behaviours.gzip_bomb(96 * MIB)
    async with harness.router(timeout_s=20, retries=0) as router:
        with PeakMemory() as peak:
            outcome = await collect(router, "chat")
    assert outcome.route.model == "backup"
    assert outcome.first.error == "malformed_response"
    assert _too_large(outcome.first.detail, "answer", "64 MiB"), outcome.first.detail
    assert peak.mib < 64 + 16, f"peak {peak.mib:.0f} MiB"


async def test_a_streamed_gzip_bomb_stops_at_the_stream_cap(harness: Harness) -> None:
    """The same bomb as a stream of 16 KiB events, under a 32 MiB stream cap: the caller has
    had chunks, so the stream ends with `StreamInterruptedError` naming the cap."""
    harness.hostile.handler = behaviours.gzip_bomb(96 * MIB)
    limits = {"limits": {"stream_mb": 32}}
    async with harness.router(provider=limits, timeout_s=20, retries=0) as router:
        with PeakMemory() as peak, pytest.raises(StreamInterruptedError) as info:
            await collect(router, "chat", True)
    assert info.value.cause_kind == "malformed_response"
    assert _too_large(info.value.detail, "stream", "32 MiB"), info.value.detail
    # the text read so far is kept twice: by the stream and as the error's partial text
    assert peak.mib < 2 * 32 + 16, f"peak {peak.mib:.0f} MiB"


async def test_one_endless_event_stops_at_the_event_cap(harness: Harness) -> None:
    """A stream whose first content event never ends (no blank line, ever)."""
    harness.hostile.handler = behaviours.endless(event_size=None, safety_bytes=128 * MIB)
    async with harness.router(timeout_s=3, retries=0) as router:
        with Stopwatch() as watch, PeakMemory() as peak:
            outcome = await collect(router, "chat", True)
    assert outcome.route.model == "backup"
    assert _too_large(outcome.first.detail, "stream event", "16 MiB"), outcome.first.detail
    assert watch.seconds < 2.5
    assert peak.mib < 48, f"peak {peak.mib:.0f} MiB"


async def test_an_endless_answer_stops_at_the_cap(harness: Harness) -> None:
    harness.hostile.handler = behaviours.endless(safety_bytes=64 * MIB)
    async with harness.router(provider={"limits": {"response_mb": 2}}, retries=0) as router:
        with Stopwatch() as watch:
            outcome = await collect(router, "chat")
    assert outcome.route.model == "backup"
    assert _too_large(outcome.first.detail, "answer", "2 MiB")
    assert watch.seconds < 2.0


async def test_an_endless_stream_stops_at_the_cap(harness: Harness) -> None:
    harness.hostile.handler = behaviours.endless(event_size=4096, safety_bytes=64 * MIB)
    async with harness.router(provider={"limits": {"stream_mb": 2}}, retries=0) as router:
        with Stopwatch() as watch, pytest.raises(StreamInterruptedError) as info:
            await collect(router, "chat", True)
    assert _too_large(info.value.detail, "stream", "2 MiB")
    assert watch.seconds < 2.0


async def test_a_declared_oversize_answer_is_refused_before_reading(harness: Harness) -> None:
    body = b'{"id": "x", "choices": [], "pad": "' + b"a" * (3 * MIB) + b'"}'
    harness.hostile.handler = behaviours.status(200, body)
    async with harness.router(provider={"limits": {"response_mb": 1}}, retries=0) as router:
        outcome = await collect(router, "chat")
    assert outcome.route.model == "backup"
    assert _too_large(outcome.first.detail, "answer", "1 MiB")


@pytest.mark.parametrize("stream", STREAM)
async def test_a_huge_error_body_is_read_only_as_far_as_classification_needs(
    harness: Harness, stream: bool
) -> None:
    """An 8 MiB error page: 64 KiB is read and classified, the rest never leaves the socket."""
    harness.hostile.handler = behaviours.status(503, b"<html>" + b"x" * (8 * MIB))
    async with harness.router(retries=0) as router:
        outcome = await collect(router, "chat", stream)
    assert outcome.route.model == "backup"
    assert outcome.first.error == "unavailable"
    [request] = harness.hostile.requests
    assert request.disconnected  # the client hung up instead of draining 8 MiB


async def test_answers_under_the_caps_are_untouched(harness: Harness) -> None:
    """A 3 MiB answer, gzip-compressed, under a 4 MiB cap, in JSON and as a stream."""
    harness.hostile.handler = behaviours.gzip_bomb(3 * MIB, event_size=64 << 10)
    limits = {"limits": {"response_mb": 4, "stream_mb": 4, "event_mb": 1}}
    async with harness.router(provider=limits) as router:
        whole = await collect(router, "solo")
        streamed = await collect(router, "solo", True)
    assert len(whole.text) == len(streamed.text) == 3 * MIB
