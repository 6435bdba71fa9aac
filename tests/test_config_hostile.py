"""Rows 10 and 16 of issue 12, config side: hostile YAML fails fast with a `ConfigError`
naming file and line, and every number is finite and within a documented bound."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from llmrouter.config.loader import load_file, load_text
from llmrouter.errors import ConfigError

MAX_DEPTH = 64  # the documented limit (docs/limits.md)
BASE = "providers: {p: {}}\nmodels: {a: {provider: p, model: openai/x}}\n"


def _laughs(levels: int) -> str:
    """The billion-laughs alias bomb: each level is nine aliases of the one before."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for prev, name in itertools.pairwise(names[:levels]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _fails_fast(path: Path, text: str) -> ConfigError:
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert time.perf_counter() - started < 0.5
    return info.value


@pytest.mark.parametrize("levels", [6, 9, 12])
def test_an_alias_bomb_fails_fast(tmp_path: Path, levels: int) -> None:
    text = _laughs(levels)
    error = _fails_fast(tmp_path / "bomb.yaml", text)
    assert f"{tmp_path / 'bomb.yaml'}:" in str(error)
    assert "alias bomb" in str(error)


def test_the_471_byte_bomb_of_the_report_fails_fast(tmp_path: Path) -> None:
    text = _laughs(9) + "# " + "x" * 80 + "\n"
    text = text[:471] if len(text) > 471 else text
    assert len(text.encode()) <= 471
    assert "alias bomb" in str(_fails_fast(tmp_path / "c.yaml", text))


def test_an_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    error = _fails_fast(tmp_path / "c.yaml", BASE + "x: &x [1, *x]\n")
    assert "c.yaml:3: an alias refers to the node it is in" in str(error)


@pytest.mark.parametrize("flow", [True, False])
def test_deep_nesting_names_its_line(tmp_path: Path, flow: bool) -> None:
    depth = 5000
    if flow:
        text = BASE + "deep: " + "[" * depth + "]" * depth + "\n"
    else:
        text = BASE + "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    error = _fails_fast(tmp_path / "c.yaml", text)
    assert f"nested deeper than {MAX_DEPTH} levels" in str(error)
    assert "c.yaml:3:" in str(error) if flow else "c.yaml:" in str(error)


def test_nesting_at_the_limit_still_loads() -> None:
    depth = MAX_DEPTH - 1  # the document's mapping is the first level
    nested = "[" * depth + "1" + "]" * depth
    text = BASE + f"x: {nested}\n"
    with pytest.raises(ConfigError, match="unknown key 'x'"):
        load_text(text)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\ufffe"])
def test_a_binary_character_names_its_line(tmp_path: Path, char: str) -> None:
    error = _fails_fast(tmp_path / "c.yaml", BASE + f"routes:\n  r{char}: 1\n")
    assert "c.yaml:4: character U+" in str(error)


def test_a_parser_error_names_its_line(tmp_path: Path) -> None:
    error = _fails_fast(tmp_path / "c.yaml", BASE + "routes: [1, 2\n")
    assert "c.yaml:" in str(error) and "flow sequence" in str(error)


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("routes: {r: {models: [a], timeout_s: .inf}}", "routes.r.timeout_s"),
        ("routes: {r: {models: [a], timeout_s: .nan}}", "routes.r.timeout_s"),
        ("routes: {r: {models: [a], attempt_timeout_s: 1e300}}", "routes.r.attempt_timeout_s"),
        ("routes: {r: {models: [a], hedge_after_ms: .inf}}", "routes.r.hedge_after_ms"),
        ("routes: {r: {models: [a], cache: {ttl_s: .nan}}}", "routes.r.cache"),
        ("routes: {r: {models: [a], weights: {a: .inf}}}", "routes.r.weights.a"),
        ("cache: {ttl_s: .inf}", "cache.ttl_s"),
        ("cache: {ttl_s: 1e300}", "cache.ttl_s"),
        ("cache: {timeout_ms: .nan}", "cache.timeout_ms"),
        ("state: {trip_s: 1e300}", "state.trip_s"),
        ("circuit_breaker: {cooldown_s: .inf}", "circuit_breaker.cooldown_s"),
        ("circuit_breaker: {failure_rate: .nan}", "circuit_breaker.failure_rate"),
        ("retry_budget: {window_s: .inf}", "retry_budget.window_s"),
        ("budgets: [{scope: 'model:a', limit_usd: .inf}]", "budgets[0].limit_usd"),
        ("budgets: [{scope: 'model:a', limit_usd: 1, window: 99999999999d}]", "budgets[0].window"),
        ("currencies: {CNY: .inf}", "currencies.CNY"),
    ],
)
def test_every_number_is_finite_and_bounded(section: str, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_text(BASE + section + "\n", "c.yaml")
    assert f"c.yaml:3: {field}" in str(info.value)
    assert any(word in str(info.value) for word in ("finite", "less than or equal", "at most"))


def test_model_prices_are_finite() -> None:
    model = "{provider: p, model: openai/x, input_cost_per_mtok: .nan}"
    text = f"providers: {{p: {{}}}}\nmodels:\n  a: {model}\n"
    with pytest.raises(ConfigError, match=r"c.yaml:3: models.a.input_cost_per_mtok: .*finite"):
        load_text(text, "c.yaml")
