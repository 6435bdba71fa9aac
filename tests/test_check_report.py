"""`llmrouter check`: JSON, resolved endpoints, empty keys, problems in file order, litellm
files, and output that fits the terminal."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from llmrouter.check import EXIT_BROKEN, EXIT_MISSING_ENV, EXIT_OK, run_check
from llmrouter.demo import example_config_path
from llmrouter.price_map import litellm_price_map
from llmrouter.terminal import Terminal
from support import CANARY_KEY

EXAMPLE = str(example_config_path())
KEYS = {"ZHIPU_API_KEY": CANARY_KEY, "ANTHROPIC_API_KEY": CANARY_KEY}
LITELLM = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
"""


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def providers(report_data: dict) -> dict[str, dict]:
    return {p["name"]: p for p in report_data["providers"]}


def test_endpoints_are_resolved_and_say_where_they_come_from() -> None:
    default = providers(run_check(EXAMPLE, env=KEYS).data)["zhipu"]
    assert default["api_base"] == "https://open.bigmodel.cn/api/paas/v4"
    assert default["api_base_from"] == "default of $ZHIPU_API_BASE"
    moved = run_check(EXAMPLE, env={**KEYS, "ZHIPU_API_BASE": "https://api.z.ai/api/paas/v4"})
    assert providers(moved.data)["zhipu"]["api_base"] == "https://api.z.ai/api/paas/v4"
    assert providers(moved.data)["zhipu"]["api_base_from"] == "$ZHIPU_API_BASE"
    assert "https://api.z.ai/api/paas/v4" in moved.text
    assert "${ZHIPU_API_BASE:-" not in moved.text


def test_an_unset_api_base_shows_the_adapter_default(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "providers:\n  oa: {}\nmodels:\n  g:\n    provider: oa\n    model: openai/gpt-4o\n"
    )
    [p] = run_check(str(path), env={}).data["providers"]
    assert (p["api_base"], p["api_base_from"]) == ("https://api.openai.com/v1", "adapter default")


def test_an_empty_key_is_flagged_not_counted_as_set() -> None:
    report = run_check(EXAMPLE, env={**KEYS, "ZHIPU_API_KEY": "  "})
    assert report.exit_code == EXIT_MISSING_ENV
    assert providers(report.data)["zhipu"]["api_key"] == "empty"
    [empty] = report.data["empty_env"]
    assert empty["variable"] == "ZHIPU_API_KEY" and ":10: providers.zhipu.api_key" in empty["where"]
    assert "(EMPTY)" in report.text and "Empty API keys" in report.text


def test_json_output_is_the_report(tmp_path: Path) -> None:
    result = cli("check", "--json", EXAMPLE, env=KEYS)
    assert result.returncode == EXIT_OK, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert data["routes"][0]["models"] == ["glm", "claude"]
    glm = data["models"][0]
    assert (glm["input_per_mtok"], glm["output_per_mtok"], glm["adapter"]) == (0.6, 2.2, "native")
    assert CANARY_KEY not in result.stdout


def test_json_of_a_broken_config_lists_problems_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(
        "models:\n  glm:\n    provider: nope\n    model: zai/glm-4.6\n    contxt: 1\n"
        "routes:\n  chat:\n    models: [glm, claud]\n    models: [glm]\n"
    )
    result = cli("check", "--json", str(path))
    assert result.returncode == EXIT_BROKEN
    data = json.loads(result.stdout)
    lines = [p["line"] for p in data["problems"]]
    assert lines == sorted(lines) and len(lines) >= 2
    assert {"file", "line", "field", "message", "text"} <= set(data["problems"][0])
    assert data["problems"][0]["file"] == str(path)


def test_a_litellm_file_is_recognised_and_migrate_is_named(tmp_path: Path) -> None:
    path = tmp_path / "litellm.yaml"
    path.write_text(LITELLM)
    report = run_check(str(path), env={})
    assert report.exit_code == EXIT_BROKEN
    assert report.data["litellm_config"] is True
    assert report.text.splitlines()[0] == (
        f"{path} is a litellm config. Convert it: llmrouter migrate {path} > llmrouter.yaml"
    )


def test_models_that_need_litellm_are_named_when_it_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "providers:\n  aws: {}\nmodels:\n  t:\n    provider: aws\n    model: bedrock/x\n"
    )
    litellm_price_map()  # cached now: hiding litellm below must not empty it for later tests
    monkeypatch.setitem(sys.modules, "litellm", None)  # find_spec then reports it absent
    report = run_check(str(path), env={})
    assert report.data["models"][0]["adapter"] == "litellm"
    assert any("pip install 'llmrouter[litellm]'" in w for w in report.warnings)


def test_tables_fit_80_columns_and_piped_output_is_plain() -> None:
    result = cli("check", EXAMPLE, env={**KEYS, "COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, result.stdout
    assert "\x1b[" not in result.stdout
    assert all(line == line.rstrip() for line in lines)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    report = run_check(EXAMPLE, env=KEYS)
    tty = _Tty()
    report.render(Terminal(tty, width=100))
    assert "\x1b[" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Tty()
    report.render(Terminal(plain, width=100))
    assert "\x1b[3" not in plain.getvalue()  # no colour codes (bold may stay)


def test_version_flag() -> None:
    import llmrouter

    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"llmrouter {llmrouter.__version__}"
