"""Config of prices, currencies, tiers, strategies and budgets: every mistake names file, line
and field; `llmrouter check` shows effective prices, tiers and budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmrouter import ConfigError, Router
from llmrouter.check import EXIT_OK, run_check
from llmrouter.config import load_file
from support import ENV

BASE = """\
providers:
  zhipu:
    api_key: ${ZHIPU_API_KEY}
  anthropic:
    api_key: ${ANTHROPIC_API_KEY}
currencies:
  CNY: 0.14
models:
  glm:
    provider: zhipu
    model: zai/glm-4.6
    currency: CNY
    input_cost_per_mtok: 4
    output_cost_per_mtok: 16
  claude:
    provider: anthropic
    model: anthropic/claude-sonnet-4-5
routes:
  chat:
    models: [glm, claude]
    strategy: cost
"""


def path_of(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_file(path_of(tmp_path, text))
    prefix = f"{tmp_path / 'llmrouter.yaml'}:"
    return [p.removeprefix(prefix) for p in info.value.problems]


def test_a_full_cost_config_loads(tmp_path: Path) -> None:
    text = BASE + (
        "  split:\n    models: [glm, claude]\n    strategy: weighted\n"
        "    weights: {glm: 3, claude: 1}\n"
        "  fast:\n    models: [glm, claude]\n    strategy: latency\n    explore_every: 10\n"
        "budgets:\n"
        "  - {scope: model:glm, limit_usd: 50, window: 1d}\n"
        "  - {scope: route:chat, limit_usd: 500, window: 30d}\n"
        "  - {scope: 'tenant:*', limit_usd: 1, window: 1h}\n"
        "state: {backend: redis, url: '${STATE_URL}'}\n"
    )
    loaded = load_file(path_of(tmp_path, text))
    assert [b.window_s for b in loaded.config.budgets] == [86_400, 30 * 86_400, 3_600]
    assert loaded.state_url({"STATE_URL": "redis://x:1/0"}) == "redis://x:1/0"
    assert ("STATE_URL", f"{tmp_path / 'llmrouter.yaml'}:34: state.url") in loaded.missing_env({})


def test_unknown_currency(tmp_path: Path) -> None:
    text = BASE.replace("currency: CNY", "currency: CYN")
    assert problems(tmp_path, text) == [
        "12: models.glm.currency: unknown currency 'CYN'; did you mean 'CNY'?; "
        "add its USD rate under top-level `currencies:`"
    ]


def test_currency_without_prices(tmp_path: Path) -> None:
    text = BASE.replace("    input_cost_per_mtok: 4\n    output_cost_per_mtok: 16\n", "")
    [problem] = problems(tmp_path, text)
    assert problem.startswith("12: models.glm.currency: CNY applies to prices set on this model")


def test_bad_currency_code_and_rate(tmp_path: Path) -> None:
    text = BASE.replace("  CNY: 0.14", "  CNY: 0").replace("currency: CNY", "currency: yuan")
    assert sorted(problems(tmp_path, text)) == [
        "12: models.glm.currency: must be a three-letter currency code like CNY, not 'yuan'",
        "7: currencies.CNY: Input should be greater than 0",
    ]


def test_tiers_must_ascend_and_exclude_flat_prices(tmp_path: Path) -> None:
    tiers = (
        "    price_tiers:\n"
        "      - {input_cost_per_mtok: 1, output_cost_per_mtok: 2}\n"
        "      - {max_input_tokens: 32000, input_cost_per_mtok: 2, output_cost_per_mtok: 4}\n"
        "      - {max_input_tokens: 16000, input_cost_per_mtok: 3, output_cost_per_mtok: 6}\n"
    )
    text = BASE.replace("    input_cost_per_mtok: 4\n    output_cost_per_mtok: 16\n", tiers)
    assert problems(tmp_path, text) == [
        "14: models.glm.price_tiers[0].max_input_tokens: "
        "only the last tier may leave max_input_tokens out",
        "16: models.glm.price_tiers[2].max_input_tokens: "
        "must be larger than the previous tier's (32,000)",
    ]
    both = BASE.replace("    output_cost_per_mtok: 16\n", "    output_cost_per_mtok: 16\n" + tiers)
    [problem] = problems(tmp_path, both)
    assert problem == (
        "9: models.glm: set either price_tiers or input_cost_per_mtok/output_cost_per_mtok, "
        "not both"
    )


def test_budget_mistakes(tmp_path: Path) -> None:
    text = BASE + (
        "budgets:\n"
        "  - {scope: model:glmm, limit_usd: 5}\n"
        "  - {scope: route:chatt, limit_usd: 5}\n"
        "  - {scope: route:glm, limit_usd: 5}\n"
        "  - {scope: tenant:acme, limit_usd: -1}\n"
        "  - {scope: tenant:acme, limit_usd: 1, window: 1w}\n"
        "  - {scope: everyone, limit_usd: 1}\n"
        "  - {scope: model:claude, limit_usd: 1}\n"
        "  - {scope: model:claude, limit_usd: 2}\n"
    )
    found = problems(tmp_path, text)
    assert "26: budgets[3].limit_usd: Input should be greater than or equal to 0" in found
    assert "27: budgets[4].window: must be hours or days like 1h, 1d or 30d, not '1w'" in found
    assert any(
        p.startswith("28: budgets[5].scope: must be model:<name>, route:<name>") for p in found
    )
    # Schema problems come first; references are checked once the file matches the schema.
    fixed = text.replace("limit_usd: -1", "limit_usd: 1").replace("window: 1w", "window: 1h")
    fixed = fixed.replace("scope: everyone", "scope: tenant:everyone")
    assert problems(tmp_path, fixed) == [
        "23: budgets[0].scope: unknown model 'glmm'; did you mean 'glm'?",
        "24: budgets[1].scope: unknown route 'chatt'; did you mean 'chat'?",
        "25: budgets[2].scope: unknown route 'glm'; 'glm' is a model: use model:glm",
        "30: budgets[7].scope: a 1d budget for model:claude is listed twice",
    ]


def test_weights_mistakes(tmp_path: Path) -> None:
    no_weights = BASE.replace("strategy: cost", "strategy: weighted")
    assert problems(tmp_path, no_weights) == [
        "19: routes.chat.weights: strategy weighted needs weights: {model: weight, ...}"
    ]
    bad = BASE.replace("strategy: cost", "strategy: weighted\n    weights: {glm: 1, gpt: 2}")
    assert problems(tmp_path, bad) == [
        "22: routes.chat.weights.gpt: unknown model of this route 'gpt'",
        "22: routes.chat.weights: no weight for 'claude'",
    ]
    stray = BASE.replace("strategy: cost", "strategy: cost\n    weights: {glm: 1, claude: 1}")
    assert problems(tmp_path, stray) == [
        "22: routes.chat.weights: weights are only read by strategy: weighted"
    ]
    explore = BASE.replace("strategy: cost", "strategy: cost\n    explore_every: 5")
    assert problems(tmp_path, explore) == [
        "22: routes.chat.explore_every: explore_every is only read by strategy: latency"
    ]
    negative = BASE.replace(
        "strategy: cost", "strategy: weighted\n    weights: {glm: -1, claude: 0}"
    )
    [problem] = problems(tmp_path, negative)
    assert problem.startswith("22: routes.chat.weights: ")


def router_problems(tmp_path: Path, text: str) -> list[str]:
    """Custom strategies are imported when the Router is built, never while loading."""
    loaded = load_file(path_of(tmp_path, text))
    with pytest.raises(ConfigError) as info:
        Router(loaded, env=ENV)
    prefix = f"{tmp_path / 'llmrouter.yaml'}:"
    return [p.removeprefix(prefix) for p in info.value.problems]


def test_strategy_import_path_errors(tmp_path: Path) -> None:
    """Only the shape of an import path is checked at load: nothing is imported (the import,
    and its errors, happen when a Router is built; tests/hostile/test_config_code.py)."""
    missing = BASE.replace("strategy: cost", "strategy: nosuchpkg.routing:Mine")
    [problem] = router_problems(tmp_path, missing)
    assert problem.startswith(
        "21: routes.chat.strategy: cannot load strategy 'nosuchpkg.routing:Mine': "
        "ModuleNotFoundError"
    )
    attr = BASE.replace("strategy: cost", "strategy: 'llmrouter.routing:Nope'")
    [problem] = router_problems(tmp_path, attr)
    assert "AttributeError" in problem
    shape = BASE.replace("strategy: cost", "strategy: 'os:abort; rm'")
    [problem] = problems(tmp_path, shape)
    assert "package.module:Factory" in problem
    for bad in ("'.relative:Mine'", "'pkg..mod:Mine'", "'pkg.mod:'", "'pkg/mod.py:Mine'"):
        [problem] = problems(tmp_path, BASE.replace("strategy: cost", f"strategy: {bad}"))
        assert problem.startswith("21: routes.chat.strategy: unknown strategy"), problem
    ok = BASE.replace("strategy: cost", "strategy: 'llmrouter.routing:CostStrategy'")
    assert load_file(path_of(tmp_path, ok)).config.routes["chat"].strategy.endswith("CostStrategy")


def test_state_needs_url_for_redis(tmp_path: Path) -> None:
    text = BASE + "state: {backend: redis}\n"
    assert problems(tmp_path, text) == ["22: state: the redis backend needs `url`"]


def test_check_shows_converted_prices_tiers_and_budgets(tmp_path: Path) -> None:
    text = BASE.replace(
        "routes:",
        "  gemini:\n    provider: anthropic\n    model: gemini/gemini-2.5-pro\n"
        "    cached_input_cost_per_mtok: 0.1\n    reasoning_cost_per_mtok: 12\nroutes:",
    ) + ("budgets:\n  - {scope: model:glm, limit_usd: 50, window: 1d}\n"
         "cache: {backend: redis, url: 'redis://127.0.0.1:1/0'}\n")  # fmt: skip
    report = run_check(str(path_of(tmp_path, text)), env=ENV)
    assert report.exit_code == EXIT_OK, report.text
    lines = report.text.splitlines()
    glm = next(line for line in lines if line.strip().startswith("glm "))
    assert "0.56" in glm and "2.24" in glm and "CNY=0.14 USD" in glm  # 4 and 16 CNY
    header = next(line for line in lines if line.startswith("model ") and " in " in line)
    assert "cached in" in header and "reasoning" in header
    gemini = next(
        line for line in lines if line.strip().startswith("gemini ") and "google" not in line
    )
    assert "(tiers)" in gemini
    assert any("> 200,000" in line and "2.5" in line for line in lines)
    assert "Budgets (counted in this process)" in report.text
    assert any("share budgets between instances" in w for w in report.warnings)
