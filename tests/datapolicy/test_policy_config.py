"""The `data_policy:` section, provider facts and route `data_class`: validation names file,
line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmrouter import ConfigError
from llmrouter.config import load_dict, load_file
from llmrouter.datapolicy import facts_from_config

EU = """\
providers:
  anthropic-eu:
    api_key: ${ANTHROPIC_API_KEY}
    region: eu
    vendor: anthropic
    zero_data_retention: true
  zhipu:
    api_key: ${ZHIPU_API_KEY}
    region: cn
models:
  claude-eu:
    provider: anthropic-eu
    model: anthropic/claude-sonnet-4-5
  glm:
    provider: zhipu
    model: zai/glm-4.6
routes:
  hr:
    models: [claude-eu, glm]
    data_class: pii-eu
  chat:
    models: [glm, claude-eu]
data_policy:
  default_class: internal
  classes:
    public: {}
    internal: {regions: [eu, us]}
    pii-eu: {regions: [eu], vendors: [anthropic], zero_data_retention: true}
  audit_log: audit.jsonl
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_file(path)
    return [p.replace(str(path), "llmrouter.yaml") for p in info.value.problems]


def test_the_eu_example_loads_with_its_facts(tmp_path: Path) -> None:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(EU)
    config = load_file(path).config
    assert config.routes["hr"].data_class == "pii-eu"
    assert config.state.sync_s == 5
    assert config.data_policy is not None
    pii = config.data_policy.classes["pii-eu"]
    assert pii.regions == ["eu"] and pii.vendors == ["anthropic"] and pii.zero_data_retention
    facts = facts_from_config(config)
    assert facts["claude-eu"].vendor == "anthropic"  # set
    assert facts["glm"].vendor == "zhipu"  # defaults to the provider's name
    assert facts["claude-eu"].zero_data_retention and not facts["glm"].zero_data_retention


def test_route_naming_an_undeclared_class_is_an_error_with_its_line(tmp_path: Path) -> None:
    text = EU.replace("data_class: pii-eu", "data_class: pii-ue")
    assert problems(tmp_path, text) == [
        "llmrouter.yaml:20: routes.hr.data_class: unknown data class 'pii-ue'; "
        "did you mean 'pii-eu'?"
    ]


def test_default_naming_an_undeclared_class_is_an_error(tmp_path: Path) -> None:
    text = EU.replace("default_class: internal", "default_class: secret")
    assert problems(tmp_path, text) == [
        "llmrouter.yaml:24: data_policy.default_class: unknown data class 'secret' "
        "(declared: public, internal, pii-eu)"
    ]


def test_a_gateway_key_naming_an_undeclared_class_is_an_error_with_its_line(
    tmp_path: Path,
) -> None:
    entry = "    - {key: '${GW_KEY}', tenant: acme, data_classes: [public, pii-ue]}"
    keys = f"gateway:\n  keys:\n{entry}\n"
    [problem] = problems(tmp_path, EU + keys)
    line = (EU + keys).splitlines().index(entry) + 1
    assert problem == (
        f"llmrouter.yaml:{line}: gateway.keys[0].data_classes[1]: unknown data class 'pii-ue'; "
        "did you mean 'pii-eu'?"
    )


def test_default_class_is_required_once_classes_are_declared(tmp_path: Path) -> None:
    text = EU.replace("  default_class: internal\n", "")
    [problem] = problems(tmp_path, text)
    assert problem.startswith("llmrouter.yaml:23: data_policy.default_class: required once")


def test_route_class_without_any_data_policy_is_an_error(tmp_path: Path) -> None:
    text = EU[: EU.index("data_policy:")]
    assert problems(tmp_path, text) == [
        "llmrouter.yaml:20: routes.hr.data_class: no data class is declared; "
        "add it under data_policy.classes"
    ]


@pytest.mark.parametrize(
    ("before", "after", "where"),
    [
        ("regions: [eu]", "regions: []", "data_policy.classes.pii-eu.regions"),
        ("public: {}", "public: {region: [eu]}", "data_policy.classes.public.region"),
        ("zero_data_retention: true\n  zhipu", "zero_data_retention: maybe\n  zhipu", "zero_data"),
        ("audit_log: audit.jsonl", "audit_log: ''", "data_policy.audit_log"),
        ("vendor: anthropic", "vendor: ''", "providers.anthropic-eu.vendor"),
    ],
)
def test_malformed_fields_are_refused(tmp_path: Path, before: str, after: str, where: str) -> None:
    assert before in EU
    [problem] = problems(tmp_path, EU.replace(before, after, 1))
    assert where in problem


def test_sync_s_must_be_positive() -> None:
    base = {"providers": {"p": {}}, "models": {"m": {"provider": "p", "model": "openai/x"}}}
    with pytest.raises(ConfigError, match=r"state.sync_s"):
        load_dict({**base, "state": {"sync_s": 0}})
    assert load_dict({**base, "state": {"sync_s": 0.5}}).config.state.sync_s == 0.5
