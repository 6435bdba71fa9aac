"""The harness itself: the hostile server answers correctly when told to, in every wire, on
both adapters, so a test that fails elsewhere fails for the fault it scripts."""

from __future__ import annotations

import pytest
from hostile_support import KEY, PROMPT, Harness, collect


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("adapter", "wire"),
    [
        (a, w)
        for a in ("native", "litellm")
        for w in ("openai", "anthropic", "azure")
        if (a, w) != ("native", "azure")
    ],  # azure/ models are served by litellm only
)
async def test_a_well_behaved_hostile_server_answers(
    harness: Harness, wire: str, stream: bool
) -> None:
    async with harness.router(wire) as router:  # type: ignore[arg-type]
        outcome = await collect(router, "solo", stream)
    assert outcome.route.model == "hostile"
    assert "hostile server" in outcome.text
    [request] = harness.hostile.requests
    assert PROMPT.encode() in request.body
    assert KEY in " ".join(request.headers.values())
