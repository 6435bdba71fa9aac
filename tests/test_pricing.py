"""Effective prices: the bundled map, YAML overrides, currencies, tiers, cached and reasoning
tokens, and the exact cost of a reported usage."""

from __future__ import annotations

from typing import Any

import pytest

from llmrouter.config.schema import ModelConfig
from llmrouter.pricing import Price, PriceTier, bundled_entry, price_for
from llmrouter.types import Usage


def model(name: str = "zai/glm-4.6", **fields: Any) -> ModelConfig:
    return ModelConfig(provider="p", model=name, **fields)


def usage(prompt: int, completion: int, cached: int = 0, reasoning: int = 0) -> Usage:
    return Usage.model_validate(
        {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        }
    )


def test_bundled_prices_of_glm_and_claude() -> None:
    glm = price_for(model("zai/glm-4.6"))
    claude = price_for(model("anthropic/claude-sonnet-4-5"))
    assert (glm.input_per_mtok, glm.output_per_mtok) == pytest.approx((0.6, 2.2))
    assert glm.cached_input_per_mtok == pytest.approx(0.11)
    assert (claude.input_per_mtok, claude.output_per_mtok) == pytest.approx((3.0, 15.0))
    assert claude.cached_input_per_mtok == pytest.approx(0.3)
    assert glm.source == claude.source == "bundled"
    assert glm.context_window == claude.context_window == 200_000


def test_cost_prices_cached_and_reasoning_tokens_apart() -> None:
    price = price_for(
        model("openai/unknown-xyz", input_cost_per_mtok=2, output_cost_per_mtok=8,
              cached_input_cost_per_mtok=0.5, reasoning_cost_per_mtok=12)
    )  # fmt: skip
    cost = price.cost_usd(usage(1000, 500, cached=400, reasoning=300))
    expected = (600 * 2 + 400 * 0.5 + 200 * 8 + 300 * 12) / 1_000_000
    assert cost == pytest.approx(expected, rel=1e-12)


def test_without_details_every_token_is_plain() -> None:
    price = price_for(model("openai/unknown-xyz", input_cost_per_mtok=2, output_cost_per_mtok=8))
    plain = Usage(prompt_tokens=1000, completion_tokens=500, total_tokens=1500)
    assert price.cost_usd(plain) == pytest.approx((1000 * 2 + 500 * 8) / 1e6, rel=1e-12)
    # No cached/reasoning price: those tokens cost the plain input/output price.
    assert price.cost_usd(usage(1000, 500, cached=400, reasoning=300)) == price.cost_usd(plain)


def test_details_beyond_their_totals_are_clamped() -> None:
    price = price_for(
        model("openai/unknown-xyz", input_cost_per_mtok=2, output_cost_per_mtok=8,
              cached_input_cost_per_mtok=0, reasoning_cost_per_mtok=0)
    )  # fmt: skip
    assert price.cost_usd(usage(100, 50, cached=900, reasoning=900)) == 0.0


def test_bundled_cached_price_is_used() -> None:
    glm = price_for(model("zai/glm-4.6"))
    cost = glm.cost_usd(usage(10_000, 1_000, cached=8_000))
    assert cost == pytest.approx((2_000 * 0.6 + 8_000 * 0.11 + 1_000 * 2.2) / 1e6, rel=1e-12)


def test_bundled_reasoning_price_is_used() -> None:
    name = next(
        k
        for k in ("dashscope/qwen-plus-2025-04-28", "dashscope/qwen-turbo")
        if bundled_entry(k) and "output_cost_per_reasoning_token" in (bundled_entry(k) or {})
    )
    entry = bundled_entry(name) or {}
    price = price_for(model(name))
    expected = (
        100 * entry["input_cost_per_token"]
        + 50 * entry["output_cost_per_token"]
        + 200 * entry["output_cost_per_reasoning_token"]
    )
    assert price.cost_usd(usage(100, 250, reasoning=200)) == pytest.approx(expected, rel=1e-9)


def test_currency_is_converted_to_usd() -> None:
    price = price_for(
        model(currency="CNY", input_cost_per_mtok=4, output_cost_per_mtok=16,
              cached_input_cost_per_mtok=1),
        {"CNY": 0.14},
    )  # fmt: skip
    assert (price.input_per_mtok, price.output_per_mtok) == pytest.approx((0.56, 2.24))
    assert price.cached_input_per_mtok == pytest.approx(0.14)
    assert (price.currency, price.usd_per_unit) == ("CNY", 0.14)
    expected = (1000 * 4 + 500 * 16) * 0.14 / 1e6
    assert price.cost_usd(usage(1000, 500)) == pytest.approx(expected, rel=1e-12)


def test_yaml_tiers_are_chosen_by_prompt_tokens() -> None:
    tiers = [
        {"max_input_tokens": 32_000, "input_cost_per_mtok": 2, "output_cost_per_mtok": 8},
        {"max_input_tokens": 128_000, "input_cost_per_mtok": 4, "output_cost_per_mtok": 16},
        {"input_cost_per_mtok": 6, "output_cost_per_mtok": 24, "cached_input_cost_per_mtok": 1},
    ]
    price = price_for(model(currency="CNY", price_tiers=tiers), {"CNY": 0.5})
    assert [t.max_input_tokens for t in price.tiers] == [32_000, 128_000, None]
    assert price.cost_usd(usage(32_000, 10)) == pytest.approx((32_000 * 2 + 10 * 8) * 0.5 / 1e6)
    assert price.cost_usd(usage(32_001, 10)) == pytest.approx((32_001 * 4 + 10 * 16) * 0.5 / 1e6)
    big = price.cost_usd(usage(200_000, 10, cached=100_000))
    assert big == pytest.approx((100_000 * 6 + 100_000 * 1 + 10 * 24) * 0.5 / 1e6)
    assert price.estimate_usd(40_000, 100) == pytest.approx((40_000 * 4 + 100 * 16) * 0.5 / 1e6)


def test_bundled_above_200k_prices_make_tiers() -> None:
    entry = bundled_entry("gemini/gemini-2.5-pro")
    assert entry is not None and "input_cost_per_token_above_200k_tokens" in entry
    price = price_for(model("gemini/gemini-2.5-pro"))
    assert [t.max_input_tokens for t in price.tiers] == [200_000, None]
    low, high = price.tiers
    assert high.input_per_mtok == pytest.approx(
        entry["input_cost_per_token_above_200k_tokens"] * 1e6
    )
    assert high.output_per_mtok == pytest.approx(
        entry["output_cost_per_token_above_200k_tokens"] * 1e6
    )
    assert high.cached_input_per_mtok == pytest.approx(
        entry["cache_read_input_token_cost_above_200k_tokens"] * 1e6
    )
    assert price.cost_usd(usage(200_001, 0)) == pytest.approx(200_001 * high.input_per_mtok / 1e6)
    assert price.cost_usd(usage(200_000, 0)) == pytest.approx(200_000 * low.input_per_mtok / 1e6)


def test_bundled_tiered_pricing_ranges() -> None:
    entry = bundled_entry("dashscope/qwen-flash")
    assert entry is not None and "tiered_pricing" in entry
    price = price_for(model("dashscope/qwen-flash"))
    bounds = [int(t["range"][1]) for t in entry["tiered_pricing"]]
    assert [t.max_input_tokens for t in price.tiers] == bounds
    second = entry["tiered_pricing"][1]
    expected = 300_000 * second["input_cost_per_token"] + 10 * second["output_cost_per_token"]
    assert price.cost_usd(usage(300_000, 10)) == pytest.approx(expected, rel=1e-9)


def test_a_flat_override_drops_the_bundled_tiers() -> None:
    price = price_for(model("gemini/gemini-2.5-pro", input_cost_per_mtok=1.0))
    assert len(price.tiers) == 1
    assert price.output_per_mtok == pytest.approx(10.0)  # the bundled base output price
    assert price.source == "config+bundled"


def test_overrides_of_cached_and_reasoning_apply_to_bundled_tiers() -> None:
    price = price_for(model("gemini/gemini-2.5-pro", cached_input_cost_per_mtok=0.01))
    assert [t.cached_input_per_mtok for t in price.tiers] == [0.01, 0.01]
    assert price.tiers[1].input_per_mtok == pytest.approx(2.5)


def test_unknown_model_has_no_price_and_costs_nothing() -> None:
    price = price_for(model("openai/unknown-model-xyz"))
    assert not price.known and price.source == "none"
    assert price.cost_usd(usage(1000, 1000)) == 0.0
    assert price.estimate_usd(1000, 1000) is None


def test_positional_price_keeps_working() -> None:
    assert not Price(None, None, None, "none").known
    flat = Price(1.0, 2.0, None, "config")
    assert flat.tiers == (PriceTier(None, 1.0, 2.0, 1.0, 2.0),)
    assert flat.cost_usd(usage(1_000_000, 1_000_000)) == pytest.approx(3.0)


def test_usage_details_are_optional() -> None:
    bare = Usage.model_validate({"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5})
    assert (bare.cached_tokens, bare.reasoning_tokens) == (0, 0)
    nulls = Usage.model_validate(
        {"prompt_tokens": 3, "prompt_tokens_details": {"cached_tokens": None, "audio_tokens": 0}}
    )
    assert nulls.cached_tokens == 0


def test_moonshots_top_level_cached_tokens_are_priced_as_cache_reads() -> None:
    """Moonshot puts cache hits beside the totals (`usage.cached_tokens`)."""
    from llmrouter.types import ChatCompletion

    body = (
        '{"id": "x", "model": "kimi-k2.6", "choices": [], "usage": {"prompt_tokens": 1000,'
        ' "completion_tokens": 10, "total_tokens": 1010, "cached_tokens": 800}}'
    )
    usage = ChatCompletion.model_validate_json(body).usage
    assert usage.cached_tokens == 800
    price = Price(0.60, 2.50, None, "config", cached_input_per_mtok=0.15)
    assert price.cost_usd(usage) == pytest.approx((200 * 0.60 + 800 * 0.15 + 10 * 2.50) / 1e6)
