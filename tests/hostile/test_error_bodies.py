"""Rows 7 and 11 of issue 12: error answers built to hurt the classifier.

Classification reads a bounded prefix of an error body in linear time and never raises
anything but a classified `ProviderError`, so a hostile body costs milliseconds, never
freezes the event loop, and never skips the fallback.
"""

from __future__ import annotations

import behaviours
import pytest
from hostile_support import Harness, LoopLag, Stopwatch, collect

STREAM = [pytest.param(False, id="json"), pytest.param(True, id="stream")]


def _html_page(size: int) -> bytes:
    rule = b"body{margin:0;padding:0}.x{color:red}\n"
    return b"<html><head><style>" + rule * (size // len(rule)) + b"</style></head></html>"


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{" * (256 << 10), id="256KB-of-braces"),
        pytest.param(_html_page(400 << 10), id="400KB-html"),
    ],
)
async def test_a_hostile_error_body_costs_milliseconds_and_falls_back(
    harness: Harness, body: bytes, stream: bool
) -> None:
    harness.hostile.handler = behaviours.status(500, body, [("content-type", "text/html")])
    async with harness.router(timeout_s=1) as router:
        await collect(router, "backup", stream)  # litellm's first call stalls on its own
        async with LoopLag() as lag:
            with Stopwatch() as watch:
                outcome = await collect(router, "chat", stream)
    assert outcome.route.model == "backup"
    assert outcome.first.error == "unavailable"
    assert lag.worst_s < 0.25, f"the event loop froze for {lag.worst_s:.2f} s"
    assert watch.seconds < 1.0


@pytest.mark.parametrize("stream", STREAM)
async def test_a_deeply_nested_error_body_is_classified(harness: Harness, stream: bool) -> None:
    harness.hostile.handler = behaviours.nested_error(depth=100_000)
    async with harness.router() as router:
        outcome = await collect(router, "chat", stream)
    assert outcome.route.model == "backup"
    assert outcome.first.error == "unavailable"


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize(
    "value",
    [
        "Wed, 21 Oct 2015 07:28:00 -0000",  # a date in the past, zone "unknown" (RFC 5322)
        "Fri, 31 Dec 9999 23:59:59 -0000",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 99 Foo 2024 99:99:99 GMT",
        "1e308",
        "99999999999999999999999",
        "inf",
        "nan",
        "-5",
        "0x10",
        "",
    ],
)
async def test_an_absurd_retry_after_is_a_rate_limit_that_falls_back_in_time(
    harness: Harness, value: str, stream: bool
) -> None:
    harness.hostile.handler = behaviours.retry_after(value)
    async with harness.router(timeout_s=3) as router:
        with Stopwatch() as watch:
            outcome = await collect(router, "chat", stream)
    assert outcome.route.model == "backup"
    assert outcome.first.error == "rate_limit"
    assert watch.seconds < 3.0
