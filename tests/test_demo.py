"""`llmrouter demo`: each defect once found in it, shown fixed."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from llmrouter.demo import example_config_path, run_demo


def summary_row(text: str, scene_start: str) -> str:
    """The summary table's first line for the scene whose title starts with `scene_start`."""
    table = text[text.index("Summary") :]
    return next(line for line in table.splitlines() if scene_start in line)


async def test_faults_of_one_scene_do_not_reach_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per summary row
    # retries: 0 leaves one of the two scripted GLM overloads unused in its scene.
    config = tmp_path / "r0.yaml"
    config.write_text(example_config_path().read_text().replace("retries: 1 ", "retries: 0 "))
    out = io.StringIO()
    await run_demo(str(config), out=out)
    text = out.getvalue()
    assert "glm:rate_limit" in summary_row(text, "429 ->")  # not a leaked glm:overloaded
    assert "glm:bad_request" in summary_row(text, "400 ->")
    assert summary_row(text, "400 ->").startswith("ok")


async def test_a_broken_config_prints_the_problem_not_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("models:\n  glm:\n    provider: nope\n    model: zai/glm-4.6\n")
    out, err = io.StringIO(), io.StringIO()
    assert await run_demo(str(config), out=out, err=err) == 2
    assert "Traceback" not in err.getvalue()
    assert f"{config}:3: models.glm.provider: unknown provider 'nope'" in err.getvalue()


def test_a_broken_config_from_the_command_line_has_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("models: [")
    result = subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", "demo", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "bad.yaml:1" in result.stderr


async def test_a_config_without_the_example_shape_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "other.yaml"
    text = example_config_path().read_text().replace("  chat:", "  talk:")
    config.write_text(text)
    err = io.StringIO()
    assert await run_demo(str(config), out=io.StringIO(), err=err) == 2
    assert "no route named 'chat'" in err.getvalue()


@pytest.fixture(scope="module")
def demo_text() -> str:
    import asyncio

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "200")  # one line per summary row
        assert asyncio.run(run_demo(out=out)) == 0, out.getvalue()
    return out.getvalue()


def test_the_interrupted_stream_is_not_labelled_ok(demo_text: str) -> None:
    row = summary_row(demo_text, "stream cut")
    assert "glm:ok" not in row
    assert "glm:stream_interrupted" in row


def test_the_400_is_printed_once(demo_text: str) -> None:
    scene = demo_text[demo_text.index(">> 400") : demo_text.index(">> Zhipu")]
    assert scene.count("Invalid parameter: temperature") == 1
    assert scene.count("BadRequestError") == 1


def test_the_demo_fits_80_columns() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout[result.stdout.index("Summary") :]
    assert max(len(line) for line in summary.splitlines()) <= 80, summary
    assert "\x1b[" not in result.stdout
