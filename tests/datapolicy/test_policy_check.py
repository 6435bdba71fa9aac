"""`llmrouter check` shows, per data class, which models of each route may serve it, and warns
about a class no model of a route can serve."""

from __future__ import annotations

from pathlib import Path

from llmrouter.check import EXIT_OK, run_check
from llmrouter.demo import example_config_path

CONFIG = """\
providers:
  anthropic-eu:
    api_key: ${ANTHROPIC_API_KEY}
    region: eu
    vendor: anthropic
    zero_data_retention: true
  zhipu:
    api_key: ${ZHIPU_API_KEY}
    region: cn
  vllm: {}
models:
  claude-eu:
    provider: anthropic-eu
    model: anthropic/claude-sonnet-4-5
  glm:
    provider: zhipu
    model: zai/glm-4.6
  local:
    provider: vllm
    model: hosted_vllm/llama
    input_cost_per_mtok: 0
    output_cost_per_mtok: 0
    context_window: 8000
routes:
  hr:
    models: [claude-eu, glm]
    data_class: pii-eu
  chat:
    models: [glm, claude-eu]
  cheap:
    models: [glm, local]
data_policy:
  default_class: internal
  classes:
    public: {}
    internal: {regions: [eu, us]}
    pii-eu: {regions: [eu], vendors: [anthropic, mistral], zero_data_retention: true}
  audit_log: audit.jsonl
"""
ENV = {"ANTHROPIC_API_KEY": "x", "ZHIPU_API_KEY": "y"}


def test_check_lists_who_may_serve_each_class_per_route(tmp_path: Path) -> None:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(CONFIG)
    report = run_check(str(path), env=ENV)
    assert report.exit_code == EXIT_OK
    lines = [" ".join(line.split()) for line in report.text.splitlines()]
    assert "anthropic-eu anthropic eu yes" in lines
    assert "vllm vllm (none: fails every region rule) no" in lines
    assert "hr pii-eu (default) claude-eu glm (region)" in lines
    assert "hr public claude-eu, glm" in lines
    assert "chat internal (default) claude-eu glm (region)" in lines
    assert "cheap internal (default) NONE glm (region), local (region)" in lines
    assert {
        f"{path}:33: data_policy.default_class: no model of route 'cheap' may serve its default "
        "class 'internal'; every request that names no class fails with NoEligibleModelError",
        "route 'cheap': no model may serve class 'pii-eu'; requests of that class fail with "
        "NoEligibleModelError",
    } <= set(report.warnings)
    assert (
        f"{path}:37: data_policy.classes.pii-eu.vendors[1]: no provider has vendor 'mistral'"
        in (report.warnings)
    )


def test_a_route_default_class_nothing_serves_points_at_the_route(tmp_path: Path) -> None:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(CONFIG.replace("models: [claude-eu, glm]", "models: [glm]"))
    report = run_check(str(path), env=ENV)
    assert any(
        w.startswith(f"{path}:27: routes.hr.data_class: no model of route 'hr' may serve its "
                     "default class 'pii-eu'")
        for w in report.warnings
    )  # fmt: skip


def test_check_without_data_policy_shows_no_policy_section() -> None:
    report = run_check(str(example_config_path()), env=ENV)
    assert "Data policy" not in report.text and "Data facts" not in report.text
