"""`llmrouter check` and `llmrouter demo`."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from llmrouter.check import EXIT_BROKEN, EXIT_MISSING_ENV, EXIT_OK, run_check
from llmrouter.demo import example_config_path, run_demo
from support import CANARY_KEY

EXAMPLE = str(example_config_path())
ENV = {"ZHIPU_API_KEY": CANARY_KEY, "ANTHROPIC_API_KEY": CANARY_KEY}


def test_check_prints_routes_models_prices_and_windows() -> None:
    report = run_check(EXAMPLE, env=ENV)
    assert report.exit_code == EXIT_OK
    text = report.text
    assert "glm -> claude" in text
    assert "zai/glm-4.6" in text
    assert "0.6" in text and "2.2" in text  # GLM-4.6 $/Mtok from the bundled price map
    assert "200,000" in text
    assert "ZHIPU_API_KEY" in text and "(set)" in text
    assert CANARY_KEY not in text


def test_check_names_missing_env_vars_with_their_line() -> None:
    report = run_check(EXAMPLE, env={})
    assert report.exit_code == EXIT_MISSING_ENV
    assert "ZHIPU_API_KEY" in report.text
    assert "llmrouter.yaml:10: providers.zhipu.api_key" in report.text


def test_check_broken_config_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("models:\n  glm:\n    provider: nope\n    model: zai/glm-4.6\n")
    report = run_check(str(path), env={})
    assert report.exit_code == EXIT_BROKEN
    assert f"{path}:3: models.glm.provider: unknown provider 'nope'" in report.text


def test_check_warns_about_models_without_price(tmp_path: Path) -> None:
    path = tmp_path / "noprice.yaml"
    path.write_text(
        "providers:\n  local: {}\nmodels:\n  mystery:\n    provider: local\n"
        "    model: openai/unknown-model-xyz\n"
    )
    report = run_check(str(path), env={})
    assert report.exit_code == EXIT_OK
    assert any("no price for 'openai/unknown-model-xyz'" in w for w in report.warnings)


def test_cli_entry_point_exit_codes(tmp_path: Path) -> None:
    broken = tmp_path / "b.yaml"
    broken.write_text("models: [")
    run = [sys.executable, "-m", "llmrouter.cli", "check"]
    result = subprocess.run([*run, str(broken)], capture_output=True, text=True)
    assert result.returncode == EXIT_BROKEN
    assert "b.yaml" in result.stderr


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_demo_scenes_behave_as_the_policy_says() -> None:
    out = io.StringIO()
    assert await run_demo(out=out) == 0, out.getvalue()
    text = out.getvalue()
    assert "UNEXPECTED" not in text
    for needle in ("Claude takes over", "BadRequestError", "StreamInterruptedError", "Summary"):
        assert needle in text
