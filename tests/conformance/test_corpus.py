"""Recorded and documented provider traffic, replayed byte for byte through llmrouter's public
API with each adapter: the caller must get what the provider said, priced by the bundled table.

Add a transcript: put the file under `transcripts/<vendor>/` (header block, then the body as
sent), cite it in SOURCES.md, and add one `Case` to `cases.py`; a new vendor also adds one
`VENDORS` entry in `harness.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

import pytest
from cases import CASES, NO_USAGE, Case, Prefix
from harness import Outcome, replay
from replay import TRANSCRIPTS, ReplayServer, Transcript

ADAPTERS = ("native", "litellm")

pytestmark = [
    # litellm's stream wrapper reads `model_computed_fields` off an instance (deprecated in
    # pydantic 2.11), and maps unknown finish reasons with a warning.
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
    pytest.mark.filterwarnings("ignore:Items? .* (is|are) using the `ReadOnly`:UserWarning"),
]


@pytest.fixture
async def replay_server() -> AsyncIterator[ReplayServer]:
    async with ReplayServer() as server:
        yield server


def _params() -> list[Any]:
    params = []
    for case in CASES:
        for adapter in ADAPTERS:
            marks = []
            if adapter in case.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=case.xfail[adapter]))
            params.append(pytest.param(case, adapter, id=f"{case.id}-{adapter}", marks=marks))
    return params


def _matches(expected: Any, got: Any) -> bool:
    if isinstance(expected, Prefix):
        return isinstance(got, str) and got.startswith(expected.start)
    if isinstance(expected, float):
        return got is not None and abs(got - expected) < 1e-12
    return bool(got == expected)


def check(outcome: Outcome, expect: dict[str, Any]) -> None:
    """Every expected field equals what the caller got (and no error unless one is expected)."""
    got = asdict(outcome)
    assert got["error"] == expect.get("error"), got
    for key, expected in expect.items():
        if key == "usage" and expected == NO_USAGE:
            usage = got["usage"]
            assert usage is None or not any(usage.values()), f"invented usage: {usage}"
            continue
        assert _matches(expected, got[key]), f"{key}: expected {expected!r}, got {got[key]!r}"


@pytest.mark.parametrize(("case", "adapter"), _params())
async def test_replayed_transcript(replay_server: ReplayServer, case: Case, adapter: str) -> None:
    served = replay_server.serve(Transcript.load(case.transcript))
    outcome = await replay(served, case.vendor, adapter, dict(case.request))
    assert len(served.requests) == 1  # one upstream request, answered by the recording
    check(outcome, case.expect)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.xfail(strict=True, reason=c.disagree)] if c.disagree else [],
        )
        for c in CASES
    ],
)
async def test_both_adapters_give_the_same_answer(replay_server: ReplayServer, case: Case) -> None:
    outcomes = []
    for adapter in ADAPTERS:
        served = replay_server.serve(Transcript.load(case.transcript))
        outcomes.append(asdict(await replay(served, case.vendor, adapter, dict(case.request))))
    native, litellm = outcomes
    assert native == litellm


async def test_same_default_max_tokens_for_claude(replay_server: ReplayServer) -> None:
    """A call without max_tokens must truncate the same whichever adapter serves it."""
    sent = []
    for adapter in ADAPTERS:
        served = replay_server.serve(Transcript.load("anthropic/basic-stream.http"))
        await replay(served, "anthropic", adapter, {"stream": True})
        sent.append(served.requests[0].get("max_tokens"))
    assert sent[0] is not None and sent[0] == sent[1], sent


def test_every_transcript_is_cited_and_in_the_table() -> None:
    files = sorted(str(p.relative_to(TRANSCRIPTS)) for p in TRANSCRIPTS.rglob("*.http"))
    sources = (TRANSCRIPTS.parent / "SOURCES.md").read_text(encoding="utf-8")
    used = {case.transcript for case in CASES}
    for name in files:
        transcript = Transcript.load(name)
        assert transcript.source.startswith("https://"), name
        assert name in sources, f"{name} is not listed in SOURCES.md"
        assert name in used, f"{name} has no case in cases.py"
