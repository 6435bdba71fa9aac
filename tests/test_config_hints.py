"""Config errors that recognise litellm's keys and suggest ours; did-you-mean on unknown keys;
problems in the order of the file."""

from __future__ import annotations

import pytest

from llmrouter import ConfigError
from llmrouter.config import load_text

GOOD = """\
providers:
  zhipu:
    api_key: ${ZHIPU_API_KEY}
models:
  glm:
    provider: zhipu
    model: zai/glm-4.6
routes:
  chat:
    models: [glm]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_text(text, source="cfg.yaml")
    return info.value.problems


def one(text: str) -> str:
    [problem] = problems(text)
    return problem


def test_a_litellm_file_is_named_as_one_and_migrate_is_suggested() -> None:
    text = (
        "model_list:\n  - model_name: gpt\n    litellm_params:\n      model: openai/gpt-4o\n"
        "      api_key: os.environ/OPENAI_API_KEY\nrouter_settings:\n  num_retries: 2\n"
    )
    found = problems(text)
    assert len(found) == 2  # one per litellm section, not one per entry
    assert found[0].startswith("cfg.yaml:1: model_list: unknown key 'model_list': this looks")
    assert "`llmrouter migrate cfg.yaml > llmrouter.yaml`" in found[0]
    assert found[1].startswith("cfg.yaml:6: router_settings:")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    models: [glm]", "    models: [glm]\n    num_retries: 2", "use `retries` on a route"),
        ("    models: [glm]", "    models: [glm]\n    timeout: 30", "use `timeout_s` on a route"),
        ("    model: zai/glm-4.6", "    model: zai/glm-4.6\n    rpm: 60", "`max_concurrency`"),
        (
            "    model: zai/glm-4.6",
            "    model: zai/glm-4.6\n    input_cost_per_token: 0.0000006",
            "use `input_cost_per_mtok`, per million tokens",
        ),
        (
            "    model: zai/glm-4.6",
            "    model: zai/glm-4.6\n    litellm_params: {}",
            "flat fields of a model entry",
        ),
        ("routes:", "fallbacks: []\nroutes:", "a route's `models:` list is its fallback order"),
    ],
)
def test_litellm_keys_name_our_equivalent(old: str, new: str, expected: str) -> None:
    problem = one(GOOD.replace(old, new))
    assert "unknown key" in problem and expected in problem


def test_os_environ_reference_suggests_the_env_reference() -> None:
    text = GOOD.replace("${ZHIPU_API_KEY}", "os.environ/ZHIPU_API_KEY")
    assert one(text) == (
        "cfg.yaml:3: providers.zhipu.api_key: "
        "litellm's `os.environ/ZHIPU_API_KEY` is written `${ZHIPU_API_KEY}` here"
    )


def test_os_environ_in_api_base_is_not_taken_as_a_url() -> None:
    text = GOOD.replace("    api_key:", "    api_base: os.environ/ZHIPU_API_BASE\n    api_key:")
    assert "is written `${ZHIPU_API_BASE}` here" in one(text)


@pytest.mark.parametrize(
    ("extra", "path", "close"),
    [
        ("telemetri: {}", "telemetri", "telemetry"),
        ("circuit_breaker: {cooldown: 5}", "circuit_breaker.cooldown", "cooldown_s"),
        ("cache: {backend: memory, tll_s: 5}", "cache.tll_s", "ttl_s"),
        ("budgets: [{scope: 'route:chat', limit_usd: 5, windw: 1d}]", "budgets[0].windw", "window"),
        ("state: {backnd: memory}", "state.backnd", "backend"),
    ],
)
def test_unknown_keys_get_the_closest_field_of_their_section(
    extra: str, path: str, close: str
) -> None:
    problem = one(GOOD + extra + "\n")
    assert problem.endswith(f"{path}: unknown key {path.rsplit('.', 1)[-1].split('[')[0]!r}; "
                            f"did you mean {close!r}?")  # fmt: skip


def test_problems_are_sorted_by_line() -> None:
    text = GOOD.replace("    models: [glm]", "    models: [glm]\n    models: [glm]").replace(
        "    model: zai/glm-4.6", "    model: zai/glm-4.6\n    contxt: 1"
    )
    found = problems(text)
    lines = [int(p.split(":")[1]) for p in found]
    assert len(found) == 2 and lines == sorted(lines)  # the duplicate key was found first
