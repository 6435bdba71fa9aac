"""The bare install (no extras): its size, and the native path working without litellm.

Offline stand-ins for `scripts/check_slim_install.py`, which installs the checkout into a fresh
venv from the package index: here the size is the sum of the installed files of llmrouter's
required distributions (extras excluded) in this venv, and the smoke test runs with litellm
hidden from imports.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
LIMIT_BYTES = 100 * 1_000_000
HIDE_LITELLM = (
    "import runpy, sys; sys.modules['litellm'] = None; "
    f"runpy.run_path({str(ROOT / 'scripts' / 'slim_smoke.py')!r}, run_name='__main__')"
)


def required_closure(name: str) -> set[str]:
    """Distributions `pip install <name>` pulls in, without any extra."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        dist = importlib.metadata.distribution(todo.pop())
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def installed_bytes(name: str) -> int:
    dist = importlib.metadata.distribution(name)
    return sum(
        path.stat().st_size
        for file in dist.files or []
        if (path := Path(str(dist.locate_file(file)))).is_file()
    )


def test_required_dependencies_exclude_litellm_and_dev_tools() -> None:
    closure = required_closure("llmrouter")
    assert "litellm" not in closure
    assert not closure & {"openai", "tiktoken", "tokenizers", "huggingface-hub", "mypy", "pytest"}
    assert {"pydantic", "aiohttp", "rich"} <= closure


def test_bare_install_is_under_100_mb() -> None:
    closure = required_closure("llmrouter")
    total = sum(installed_bytes(name) for name in closure)
    assert total < LIMIT_BYTES, f"{total / 1e6:.1f} MB: {sorted(closure)}"


def test_native_path_answers_and_prices_without_litellm() -> None:
    result = subprocess.run(
        [sys.executable, "-c", HIDE_LITELLM], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "litellm was never imported" in result.stdout
    assert "pip install 'llmrouter[litellm]'" in result.stdout
