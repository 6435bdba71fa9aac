"""Rows 15 and 16 (request side) of issue 12: what a caller passes is checked before anything
is sent, hashed for the cache or charged: tenants are strings, compared exactly, and text is
valid Unicode. Each refusal is a `RequestValidationError` naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from hostile_support import Harness, collect

from llmrouter import RequestValidationError

CACHE = {"cache": {"backend": "memory"}}


class LooksLikeAcme:
    def __str__(self) -> str:
        return "acme"


@pytest.mark.parametrize("tenant", [1, 1.0, True, None, b"acme", LooksLikeAcme(), ["acme"]])
async def test_a_tenant_that_is_not_a_string_is_refused(harness: Harness, tenant: Any) -> None:
    async with harness.router(sections=CACHE) as router:
        with pytest.raises(RequestValidationError) as info:
            await collect(router, "chat", metadata={"tenant": tenant})
    assert info.value.field == "metadata.tenant"
    assert harness.hostile.requests == []  # refused before anything was sent


async def test_tenants_never_share_an_entry_through_str(harness: Harness) -> None:
    """`"1"` and `1` used to hash alike: the second call was a cache hit of the first
    tenant's answer. Now the second is refused, and string tenants stay apart."""
    async with harness.router(sections=CACHE) as router:
        first = await collect(router, "solo", metadata={"tenant": "1"})
        with pytest.raises(RequestValidationError):
            await collect(router, "solo", metadata={"tenant": 1})
        other = await collect(router, "solo", metadata={"tenant": "2"})
    assert not first.route.cache_hit and not other.route.cache_hit
    assert len(harness.hostile.requests) == 2


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ([{"role": "user", "content": "a truncated emoji \ud83d"}], "messages[0].content"),
        (
            [
                {"role": "user", "content": "fine"},
                {"role": "user", "content": [{"type": "text", "text": "\udc00 bad"}]},
            ],
            "messages[1].content[0].text",
        ),
        ([{"role": "user", "content": "hi", "name": "b\udfffob"}], "messages[0].name"),
    ],
)
async def test_a_lone_surrogate_names_its_message(
    harness: Harness, messages: list[dict[str, Any]], field: str, stream: bool
) -> None:
    async with harness.router(sections=CACHE) as router:
        with pytest.raises(RequestValidationError) as info:
            await collect(router, "chat", stream, messages=messages)
    assert info.value.field == field
    assert "surrogate" in str(info.value)
    assert harness.hostile.requests == []


async def test_valid_unicode_is_untouched(harness: Harness) -> None:
    text = "naïve café 東京 😀 \u200b"
    async with harness.router(sections=CACHE) as router:
        outcome = await collect(router, "solo", messages=[{"role": "user", "content": text}])
    assert outcome.route.model == "hostile"
    assert harness.hostile.requests[0].json["messages"][0]["content"] == text
