"""llmrouter's own price file first, litellm's map for the long tail."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from llmrouter import price_map
from llmrouter.price_map import bundled_entry, litellm_price_map, own_price_file

ROOT = Path(__file__).resolve().parent.parent


def test_own_file_covers_the_native_vendors_in_litellm_format() -> None:
    own = own_price_file()
    assert set(own.providers) == {"openai", "anthropic", "zai", "deepseek", "moonshot"}
    providers = {entry["litellm_provider"] for entry in own.models.values()}
    assert providers == set(own.providers)
    claude = own.models["claude-sonnet-4-5"]
    assert claude["input_cost_per_token"] == pytest.approx(3e-6)
    assert "cache_creation_input_token_cost" in claude  # kept for cache-write pricing


def test_own_file_wins_and_litellm_is_not_read_for_native_prefixes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    poisoned = {"zai/glm-4.6": {"input_cost_per_token": 99.0}, "gpt-4o": {}}
    monkeypatch.setattr(price_map, "litellm_price_map", lambda: poisoned)
    assert bundled_entry("zai/glm-4.6") == own_price_file().models["zai/glm-4.6"]
    assert bundled_entry("openai/gpt-4o") == own_price_file().models["gpt-4o"]


def test_long_tail_comes_from_litellm_when_installed() -> None:
    assert "gemini/gemini-2.5-pro" not in own_price_file().models
    assert bundled_entry("gemini/gemini-2.5-pro") == litellm_price_map()["gemini/gemini-2.5-pro"]


def test_long_tail_is_unknown_without_litellm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(price_map, "litellm_price_map", dict)
    assert bundled_entry("gemini/gemini-2.5-pro") is None
    assert bundled_entry("zai/glm-4.6") is not None


def test_glm_over_the_anthropic_wire_has_glm_prices() -> None:
    assert bundled_entry("anthropic/glm-4.6") == own_price_file().models["zai/glm-4.6"]


def test_file_matches_the_litellm_it_came_from() -> None:
    version = importlib.metadata.version("litellm")
    if version != own_price_file().litellm_version:
        pytest.skip(f"price file is from litellm {own_price_file().litellm_version}, not {version}")
    script = ROOT / "scripts" / "update_prices.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
