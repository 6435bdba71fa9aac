"""Cache parts in isolation: keys, the memory store, single-flight, stream assembly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from llmrouter import ConfigError, RequestValidationError
from llmrouter.assembly import CompletionAssembler, completion_to_chunks
from llmrouter.cache.keys import cache_key
from llmrouter.cache.single_flight import SingleFlight
from llmrouter.config import load_dict
from llmrouter.providers import make_completion
from llmrouter.request import CompletionRequest
from llmrouter.state import MemoryStore
from llmrouter.types import ChatCompletion, Choice, FunctionCall, Message, ToolCall, Usage
from support import CANARY_KEY, user


def key(**kwargs: Any) -> str:
    params = kwargs.pop("params", {})
    request = CompletionRequest.build(
        kwargs.pop("model", "chat"), kwargs.pop("messages", user()), params=params, **kwargs
    )
    return cache_key("llmrouter", request)


def test_key_is_stable_and_prefixed() -> None:
    assert key() == key()
    assert key().startswith("llmrouter:cache:v1:")


@pytest.mark.parametrize(
    "change",
    [
        {"params": {"temperature": 0.5}},
        {"params": {"max_tokens": 10}},
        {"params": {"seed": 1}},
        {"params": {"response_format": {"type": "json_object"}}},
        {"params": {"tools": [{"type": "function", "function": {"name": "f"}}]}},
        {"messages": user("other")},
        {"model": "other-route"},
        {"metadata": {"tenant": "acme"}},
    ],
)
def test_anything_that_changes_the_answer_changes_the_key(change: dict[str, Any]) -> None:
    assert key(**change) != key()


def test_tenants_never_share_a_key() -> None:
    assert key(metadata={"tenant": "a"}) != key(metadata={"tenant": "b"})


def test_delivery_and_metadata_do_not_change_the_key() -> None:
    assert key(params={"stream_options": {"include_usage": True}}) == key()
    assert key(stream=True) == key()
    assert key(metadata={"trace": "x"}) == key()
    assert key(timeout=3) == key()


def test_key_never_contains_a_secret() -> None:
    k = key(messages=user(f"my key is {CANARY_KEY}"))
    assert CANARY_KEY not in k


@pytest.mark.parametrize(
    ("controls", "field"),
    [
        ({"no-cache": "yes"}, "cache.no-cache"),
        ({"ttl": 0}, "cache.ttl"),
        ({"ttl": True}, "cache.ttl"),
        ({"nocache": True}, "cache.nocache"),
        ("no-cache", "cache"),
    ],
)
def test_bad_cache_controls_name_the_field(controls: Any, field: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        CompletionRequest.build("chat", user(), cache=controls, params={})
    assert info.value.field == field


async def test_memory_store_expires_and_is_bounded() -> None:
    now = [0.0]
    store = MemoryStore(max_entries=3, timer=lambda: now[0])
    await store.set("a", b"1", ttl_s=10)
    assert await store.get("a") == b"1"
    now[0] = 11
    assert await store.get("a") is None
    for i in range(10):
        await store.set(f"k{i}", b"x", ttl_s=100)
    assert len(store) == 3
    assert await store.get("k9") == b"x"
    assert await store.get("k0") is None


async def test_memory_counter_keeps_its_fixed_window() -> None:
    now = [0.0]
    store = MemoryStore(timer=lambda: now[0])
    assert await store.incr("spend", 1.5, ttl_s=60) == 1.5
    now[0] = 59
    assert await store.incr("spend", 1.0, ttl_s=60) == 2.5
    now[0] = 61  # the window ends 60 s after the first increment, not after the last
    assert await store.incr("spend", 1.0, ttl_s=60) == 1.0


async def test_single_flight_shares_answer_and_error() -> None:
    flights = SingleFlight()
    leader = flights.join("k")
    follower = flights.join("k")
    assert leader.leader and not follower.leader
    waiting = asyncio.ensure_future(flights.wait(follower, 5.0))
    answer = make_completion("shared")
    flights.land(leader, answer)
    assert await waiting is answer
    assert len(flights) == 0

    leader = flights.join("k")
    follower = flights.join("k")
    flights.crash(leader, ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await flights.wait(follower, 5.0)


async def test_abandoned_flight_lets_followers_run() -> None:
    flights = SingleFlight()
    leader = flights.join("k")
    follower = flights.join("k")
    flights.crash(leader, None)
    assert await flights.wait(follower, 5.0) is None


def test_replayed_chunks_assemble_to_the_same_answer() -> None:
    original = ChatCompletion(
        id="c1",
        created=5,
        model="m",
        choices=[
            Choice(
                message=Message(
                    content="a fairly long answer " * 5,
                    tool_calls=[ToolCall(id="t1", function=FunctionCall(name="f", arguments="{}"))],
                ),
                finish_reason="tool_calls",
            )
        ],
        usage=Usage(prompt_tokens=3, completion_tokens=4, total_tokens=7),
    )
    assembler = CompletionAssembler()
    for chunk in completion_to_chunks(original, piece_chars=7):
        assembler.add(chunk)
    assert assembler.result() == original


@pytest.mark.parametrize(
    ("cache", "message"),
    [
        ({"backend": "redis"}, "the redis backend needs `url`"),
        ({"backend": "memory", "url": "redis://x"}, "`url` is for the redis backend"),
        ({"backend": "disk"}, "cache.backend"),
    ],
)
def test_cache_config_errors(cache: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_dict(
            {
                "providers": {"p": {}},
                "models": {"m": {"provider": "p", "model": "x/y"}},
                "cache": cache,
            }
        )


def test_route_cache_settings_need_a_cache_section() -> None:
    with pytest.raises(ConfigError, match=r"routes.r.cache: no top-level `cache:` section"):
        load_dict(
            {
                "providers": {"p": {}},
                "models": {"m": {"provider": "p", "model": "x/y"}},
                "routes": {"r": {"models": ["m"], "cache": {"ttl_s": 5}}},
            }
        )
