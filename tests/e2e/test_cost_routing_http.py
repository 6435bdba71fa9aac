"""Cost, weighted and latency routing and eligibility, end to end over loopback HTTP through
litellm's adapters, with the bundled price map."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from llmrouter import NoEligibleModelError, Router, RoutingSettings
from llmrouter.pricing import bundled_entry
from support import FAST_BACKOFF, Local, user


def build(local: Local, config: dict[str, Any], **kwargs: Any) -> Router:
    return Router.from_dict(config, env=local.env, retry=FAST_BACKOFF, **kwargs)


def per_mtok(model: str, key: str) -> float:
    entry = bundled_entry(model)
    assert entry is not None
    return float(entry[key]) * 1_000_000


async def test_cost_picks_glm_with_bundled_prices(local: Local) -> None:
    config = local.config(strategy="cost")
    config["routes"]["claude_first"]["strategy"] = "cost"  # listing Claude first changes nothing
    async with build(local, config) as router:
        resp = await router.acompletion(model="claude_first", messages=user("price check"))
    assert resp.route is not None and resp.route.model == "glm"
    assert resp.route.strategy == "cost"
    assert (local.glm.request_count, local.claude.request_count) == (1, 0)
    # GLM-4.6 (0.6 / 2.2 USD per Mtok) is cheaper than Claude Sonnet 4.5 (3 / 15).
    assert per_mtok("zai/glm-4.6", "input_cost_per_token") < per_mtok(
        "claude-sonnet-4-5", "input_cost_per_token"
    )


async def test_cost_usd_is_tokens_times_bundled_prices(local: Local) -> None:
    async with build(local, local.config(strategy="cost")) as router:
        resp = await router.acompletion(model="chat", messages=user("count my tokens please"))
    assert resp.route is not None and resp.usage.prompt_tokens > 0
    expected = (
        resp.usage.prompt_tokens * per_mtok("zai/glm-4.6", "input_cost_per_token")
        + resp.usage.completion_tokens * per_mtok("zai/glm-4.6", "output_cost_per_token")
    ) / 1_000_000
    assert resp.route.cost_usd == pytest.approx(expected, rel=1e-12)


async def test_override_flips_the_choice_and_prices_claude(local: Local) -> None:
    config = local.config(strategy="cost")
    config["models"]["claude"].update(input_cost_per_mtok=0.1, output_cost_per_mtok=0.2)
    async with build(local, config) as router:
        resp = await router.acompletion(model="chat", messages=user("cheap claude"))
    assert resp.route is not None and resp.route.model == "claude"
    assert local.glm.request_count == 0
    u = resp.usage
    assert u.prompt_tokens > 0 and u.cached_tokens == 0
    assert resp.route.cost_usd == pytest.approx(
        (u.prompt_tokens * 0.1 + u.completion_tokens * 0.2) / 1e6, rel=1e-12
    )


async def test_cny_prices_are_converted(local: Local) -> None:
    config = local.config(strategy="cost")
    config["currencies"] = {"CNY": 0.14}
    # Zhipu's list price in CNY: 4 in / 16 out per Mtok, i.e. 0.56 / 2.24 USD.
    config["models"]["glm"].update(currency="CNY", input_cost_per_mtok=4, output_cost_per_mtok=16)
    async with build(local, config) as router:
        resp = await router.acompletion(model="chat", messages=user("yuan"))
    assert resp.route is not None and resp.route.model == "glm"
    u = resp.usage
    expected = (u.prompt_tokens * 4 + u.completion_tokens * 16) * 0.14 / 1e6
    assert resp.route.cost_usd == pytest.approx(expected, rel=1e-12)


async def test_tiered_prices_follow_prompt_length(local: Local) -> None:
    config = local.config(strategy="cost")
    config["models"]["glm"]["price_tiers"] = [
        {"max_input_tokens": 100, "input_cost_per_mtok": 0.5, "output_cost_per_mtok": 1.0},
        {"input_cost_per_mtok": 50.0, "output_cost_per_mtok": 100.0},
    ]
    async with build(local, config) as router:
        short = await router.acompletion(model="chat", messages=user("short"))
        long = await router.acompletion(model="chat", messages=user("word " * 200))
    assert short.route is not None and short.route.model == "glm"
    s = short.usage
    assert short.route.cost_usd == pytest.approx(
        (s.prompt_tokens * 0.5 + s.completion_tokens * 1.0) / 1e6, rel=1e-12
    )
    # ~254 estimated prompt tokens: GLM's upper tier (50 / 100) is dearer than Claude (3 / 15).
    assert long.route is not None and long.route.model == "claude"


async def test_context_window_skip_makes_zero_calls(local: Local) -> None:
    config = local.config(strategy="cost")
    config["models"]["glm"]["context_window"] = 64
    async with build(local, config) as router:
        resp = await router.acompletion(model="chat", messages=user("too long for glm " * 20))
        assert resp.route is not None and resp.route.model == "claude"
        skip = resp.route.attempts[0]
        assert (skip.model, skip.outcome, skip.error) == ("glm", "skipped", "context_window")
        assert skip.detail is not None and "context window is 64" in skip.detail
        assert local.glm.request_count == 0
        config_small = await router.acompletion(model="chat", messages=user("fits"))
        assert config_small.route is not None and config_small.route.model == "glm"


async def test_no_eligible_model_makes_zero_calls(local: Local) -> None:
    config = local.config()
    config["models"]["glm"]["context_window"] = 64
    config["models"]["claude"]["context_window"] = 64
    async with build(local, config) as router:
        with pytest.raises(NoEligibleModelError) as info:
            await router.acompletion(model="chat", messages=user("x" * 400))
    assert [a.error for a in info.value.attempts] == ["context_window", "context_window"]
    assert local.server.total_requests == 0


async def test_weighted_split_over_200_requests(local: Local) -> None:
    config = local.config(strategy="weighted", weights={"glm": 3, "claude": 1})
    del config["routes"]["claude_first"]
    settings = RoutingSettings(rng=random.Random(2024))
    async with build(local, config, routing=settings) as router:
        firsts = Counter()
        for i in range(200):
            resp = await router.acompletion(model="chat", messages=user(f"q{i}"))
            assert resp.route is not None
            firsts[resp.route.model] += 1
    # Binomial(200, 0.75): mean 150, sd 6.1; four sd either side.
    assert 125 <= firsts["glm"] <= 175
    assert firsts["glm"] + firsts["claude"] == 200
    assert (local.glm.request_count, local.claude.request_count) == (
        firsts["glm"],
        firsts["claude"],
    )


async def test_weighted_falls_back_by_weight(local: Local) -> None:
    local.glm.set_latency(0)
    config = local.config(strategy="weighted", weights={"glm": 0, "claude": 1})
    async with build(local, config) as router:
        resp = await router.acompletion(model="chat", messages=user())
    assert resp.route is not None and resp.route.model == "claude"
    assert local.glm.request_count == 0


async def test_latency_moves_to_the_faster_model_and_back(local: Local) -> None:
    config = local.config(strategy="latency", explore_every=3)
    async with build(local, config) as warm:  # first calls pay connection set-up: not measured
        await warm.acompletion(model="glm", messages=user("warm"))
        await warm.acompletion(model="claude", messages=user("warm"))
    async with build(local, config) as router:

        async def first_choices(n: int, tag: str) -> list[str]:
            out = []
            for i in range(n):
                resp = await router.acompletion(model="chat", messages=user(f"{tag}{i}"))
                assert resp.route is not None
                out.append(resp.route.model)
            return out

        local.glm.set_latency(0.12)
        early = await first_choices(8, "early")
        # Each model measured once, then Claude (fast) leads; requests 3 and 6 probe GLM.
        assert early == ["glm", "claude", "glm", "claude", "claude", "glm", "claude", "claude"]

        local.glm.set_latency(0)
        local.claude.set_latency(0.12)
        later = await first_choices(14, "later")
        # Request 9 probes GLM (now fast); Claude still leads for a while as its average climbs
        # and GLM's falls; once GLM leads, only the probes (every third request) go to Claude.
        assert later[:4] == ["glm", "claude", "claude", "glm"]
        assert later[6:] == ["claude", "glm", "glm", "claude", "glm", "glm", "claude", "glm"]
