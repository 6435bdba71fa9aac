"""Row 6 of issue 12: a redirect is never followed with credentials, on any adapter.

The hostile server answers every request with a redirect to the recorder, a server on
another loopback port that answers correctly and records what reached it. Neither the key nor
the prompt may arrive there, and the redirect is a classified fault of the first model (the
route falls back), never the recorder's answer passed off as the provider's own.
"""

from __future__ import annotations

import behaviours
import httpx
import pytest
from hostile_support import Harness, Wire, collect


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("adapter", "wire"),
    [
        (a, w)
        for a in ("native", "litellm")
        for w in ("openai", "anthropic", "azure")
        if (a, w) != ("native", "azure")
    ],  # azure/ models are served by litellm only
)
async def test_a_redirect_is_a_fault_and_nothing_reaches_its_target(
    harness: Harness, wire: Wire, code: int, stream: bool
) -> None:
    harness.hostile.handler = behaviours.redirect(
        code, lambda request: harness.recorder.url + request.path
    )
    async with harness.router(wire) as router:
        outcome = await collect(router, "chat", stream)
    assert harness.leaked_to_recorder() == []
    assert outcome.route.model == "backup"
    assert outcome.first.status_code == code
    assert outcome.first.error == "malformed_response"
    assert "follows no redirects" in (outcome.first.detail or "")


async def test_other_httpx_clients_of_the_process_keep_their_redirect_behaviour(
    harness: Harness,
) -> None:
    """The guard is scoped to the calls llmrouter makes: a caller's own httpx client, used
    after the litellm adapter was loaded, still follows redirects as it was told to."""
    harness.hostile.handler = behaviours.redirect(307, lambda r: harness.recorder.url + r.path)
    async with harness.router("openai") as router:
        await collect(router, "chat")
    async with httpx.AsyncClient(follow_redirects=True) as client:
        resp = await client.post(harness.hostile.url + "/v1/anything", content=b"{}")
    assert resp.status_code == 200
    assert [r.path for r in harness.recorder.requests] == ["/v1/anything"]
