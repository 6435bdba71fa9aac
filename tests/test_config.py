"""Config loading: every error names file, line and field; secrets come from the env only."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmrouter import ConfigError, Router
from llmrouter.config import load_dict, load_file, load_text
from support import CANARY_KEY, ENV

GOOD = """\
providers:
  zhipu:
    api_key: ${ZHIPU_API_KEY}
  anthropic:
    api_key: ${ANTHROPIC_API_KEY}
models:
  glm:
    provider: zhipu
    model: zai/glm-4.6
  claude:
    provider: anthropic
    model: anthropic/claude-sonnet-4-5
routes:
  chat:
    models: [glm, claude]
    retries: 1
    timeout_s: 30
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(text)
    return path


def problems(text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_file(write(tmp_path, text))
    return info.value.problems


def test_valid_config_loads(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, GOOD))
    assert loaded.config.routes["chat"].models == ["glm", "claude"]
    assert loaded.config.routes["chat"].timeout_s == 30


def test_unknown_model_in_route_names_file_line_field_and_suggests(tmp_path: Path) -> None:
    text = GOOD.replace("models: [glm, claude]", "models:\n      - glm\n      - claud")
    [problem] = problems(text, tmp_path)
    assert problem == (
        f"{tmp_path / 'llmrouter.yaml'}:17: routes.chat.models[1]: "
        "unknown model 'claud'; did you mean 'claude'?"
    )


def test_typo_in_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("    retries: 1", "    retires: 1")
    [problem] = problems(text, tmp_path)
    assert problem.endswith(
        ":16: routes.chat.retires: unknown key 'retires'; did you mean 'retries'?"
    )


def test_wrong_type_names_the_field(tmp_path: Path) -> None:
    text = GOOD.replace("timeout_s: 30", "timeout_s: soon")
    [problem] = problems(text, tmp_path)
    assert ":17: routes.chat.timeout_s:" in problem
    assert "number" in problem


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = GOOD.replace("provider: zhipu", "provider: zhipoo").replace("glm, claude", "glm, gpt")
    found = problems(text, tmp_path)
    assert any("models.glm.provider: unknown provider 'zhipoo'" in p for p in found)
    assert any("routes.chat.models[1]: unknown model 'gpt'" in p for p in found)


def test_literal_api_key_is_refused_without_echoing_it(tmp_path: Path) -> None:
    text = GOOD.replace("${ZHIPU_API_KEY}", CANARY_KEY)
    with pytest.raises(ConfigError) as info:
        load_file(write(tmp_path, text))
    message = str(info.value)
    assert ":3: providers.zhipu.api_key:" in message
    assert "literal API key" in message
    assert CANARY_KEY not in message


def test_missing_env_var_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    with pytest.raises(ConfigError) as info:
        Router.from_yaml(path, env={"ANTHROPIC_API_KEY": CANARY_KEY})
    [problem] = info.value.problems
    assert problem == (
        f"{path}:3: providers.zhipu.api_key: environment variable ZHIPU_API_KEY is not set"
    )
    assert CANARY_KEY not in str(info.value)


def test_python_object_tags_are_refused(tmp_path: Path) -> None:
    text = GOOD + "extra: !!python/object/apply:os.system ['echo pwned']\n"
    [problem] = problems(text, tmp_path)
    assert ":18:" in problem
    assert "python/object" in problem


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    text = GOOD.replace("  chat:\n", "  chat:\n   bad: [unclosed\n")
    [problem] = problems(text, tmp_path)
    assert str(tmp_path / "llmrouter.yaml") in problem


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    text = GOOD + "routes:\n  other:\n    models: [glm]\n"
    found = problems(text, tmp_path)
    assert any(":18: routes: duplicate key" in p for p in found)


def test_route_named_like_a_model_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("  chat:\n", "  glm:\n")
    [problem] = problems(text, tmp_path)
    assert "routes.glm: route 'glm' has the name of a model" in problem


def test_unknown_strategy_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("    retries: 1", "    strategy: cheapest\n    retries: 1")
    [problem] = problems(text, tmp_path)
    assert "routes.chat.strategy: unknown strategy 'cheapest'" in problem


def test_unknown_fault_kind_in_override_is_refused(tmp_path: Path) -> None:
    text = GOOD + "    fault_policy:\n      content_filtr: {fallback: true}\n"
    [problem] = problems(text, tmp_path)
    assert ":19: routes.chat.fault_policy.content_filtr:" in problem


def test_from_dict_errors_name_the_field() -> None:
    with pytest.raises(ConfigError) as info:
        load_dict({"models": {"glm": {"provider": "zhipu"}}})
    text = str(info.value)
    assert "<dict>: models.glm.model: required field is missing" in text
    assert "<dict>: models.glm.provider: unknown provider 'zhipu'" not in text  # schema first


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_file(tmp_path / "nope.yaml")


def test_empty_file_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_text("", source="empty.yaml")


def test_env_defaults_fill_non_secret_fields() -> None:
    loaded = load_text(
        GOOD.replace(
            "    api_key: ${ZHIPU_API_KEY}",
            "    api_base: ${ZHIPU_API_BASE:-https://open.bigmodel.cn/api/paas/v4}\n"
            "    api_key: ${ZHIPU_API_KEY}",
        )
    )
    resolved = loaded.resolve_providers(ENV)
    assert resolved["zhipu"].api_base == "https://open.bigmodel.cn/api/paas/v4"
    resolved = loaded.resolve_providers({**ENV, "ZHIPU_API_BASE": "http://127.0.0.1:1/glm"})
    assert resolved["zhipu"].api_base == "http://127.0.0.1:1/glm"


def test_resolved_key_is_secret() -> None:
    resolved = load_text(GOOD).resolve_providers(ENV)
    key = resolved["zhipu"].api_key
    assert key is not None
    assert key.get_secret_value() == CANARY_KEY
    assert CANARY_KEY not in repr(resolved["zhipu"])


def test_shipped_example_is_the_packaged_demo_config() -> None:
    from llmrouter.demo import example_config_path

    examples = Path(__file__).parent.parent / "examples" / "llmrouter.yaml"
    assert examples.read_text() == example_config_path().read_text()
    load_file(examples)


@pytest.mark.parametrize("name", ["drop_params", "num_retries", "fallbacks", "api_key"])
def test_provider_params_that_would_bypass_the_router_are_refused(name: str) -> None:
    text = (
        "providers:\n  bedrock:\n    params: {aws_region_name: eu-central-1, "
        f"{name}: true}}\nmodels:\n  m: {{provider: bedrock, model: bedrock/claude}}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_text(text, source="llmrouter.yaml")
    assert f"llmrouter.yaml:3: providers.bedrock.params: {name!r} is not accepted here" in str(
        info.value
    )
