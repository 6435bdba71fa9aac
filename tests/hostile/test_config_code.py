"""Rows 12 and 13 of issue 12: a config names code and endpoints, and loading or checking it
runs none of the code and reaches none of the endpoints.

- `strategy: "module:attr"` is imported when a Router is built, never by `load_file` or
  `llmrouter check`, and only a class or a Python function is called.
- `api_base` is an http(s) URL with a host (`file://`, `''` and friends are ConfigErrors
  naming the field and line); link-local and cloud metadata hosts are warned about.
"""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hostile_support import Harness, collect

from llmrouter import ConfigError, Router
from llmrouter.check import run_check
from llmrouter.config.loader import load_file

pytestmark = pytest.mark.parametrize("adapter", ["native"], indirect=True)

PLUGIN = """
import pathlib
pathlib.Path({marker!r}).write_text("imported")

class Reverse:
    name = "reverse"

    def order(self, candidates, request, context):
        return list(reversed(candidates))
"""


@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[Path]:
    """A strategy module that leaves a marker file when it is imported."""
    marker = tmp_path / "imported.txt"
    (tmp_path / "hostile_strategy_plugin.py").write_text(
        textwrap.dedent(PLUGIN.format(marker=str(marker)))
    )
    sys.path.insert(0, str(tmp_path))
    yield marker
    sys.path.remove(str(tmp_path))
    sys.modules.pop("hostile_strategy_plugin", None)


def _imported(marker: Path) -> bool:
    return marker.exists()


def _write(tmp_path: Path, config: dict[str, object]) -> Path:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def test_a_custom_strategy_is_imported_only_when_the_router_is_built(
    harness: Harness, tmp_path: Path, plugin: Path
) -> None:
    config = harness.config(strategy="hostile_strategy_plugin:Reverse")
    path = _write(tmp_path, config)
    load_file(path)
    report = run_check(str(path), env=harness.env)
    assert report.exit_code == 0, report.text
    assert not _imported(plugin), "loading or checking the config ran the strategy's module"
    async with Router.from_yaml(path, env=harness.env) as router:
        assert _imported(plugin)
        outcome = await collect(router, "chat")
    assert outcome.route.model == "backup"  # the strategy reversed [hostile, backup]
    assert outcome.route.strategy == "reverse"


@pytest.mark.parametrize(
    ("strategy", "problem"),
    [
        ("os:getpid", "'os:getpid' is not a class or function"),
        ("no_such_module_xyz:Thing", "cannot load strategy 'no_such_module_xyz:Thing'"),
        ("llmrouter.routing:NoSuchThing", "AttributeError"),
    ],
)
async def test_a_bad_custom_strategy_fails_the_build_with_a_config_error(
    harness: Harness, strategy: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as info:
        Router.from_dict(harness.config(strategy=strategy), env=harness.env)
    assert "routes.chat.strategy" in str(info.value)
    assert problem in str(info.value)


@pytest.mark.parametrize(
    "api_base",
    [
        "file:///etc/passwd",
        "",
        "   ",
        "ftp://127.0.0.1/v1",
        "http://",
        "http:///v1",
        "127.0.0.1:8080",
    ],
)
def test_an_api_base_that_is_not_an_http_url_is_refused(
    harness: Harness, tmp_path: Path, api_base: str
) -> None:
    path = _write(tmp_path, harness.config(provider={"api_base": api_base}))
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert f"{path}:" in str(info.value)
    assert "providers.hostile.api_base" in str(info.value)
    assert run_check(str(path), env=harness.env).exit_code == 2


async def test_an_api_base_from_the_environment_is_checked_once_resolved(
    harness: Harness,
) -> None:
    config = harness.config(provider={"api_base": "${HOSTILE_BASE}"})
    with pytest.raises(ConfigError, match=r"providers.hostile.api_base: must be an http"):
        Router.from_dict(config, env={**harness.env, "HOSTILE_BASE": "file:///etc/passwd"})
    env = {**harness.env, "HOSTILE_BASE": harness.api_base("openai")}
    async with Router.from_dict(config, env=env) as router:
        assert (await collect(router, "solo")).route.model == "hostile"


@pytest.mark.parametrize(
    "api_base",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://[fd00:ec2::254]/v1",
        "http://metadata.google.internal/computeMetadata/v1",
        "http://[fe80::1]:8080/v1",
        "http://[::ffff:169.254.169.254]/v1",
    ],
)
def test_a_metadata_address_is_warned_about(
    harness: Harness, tmp_path: Path, api_base: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path, harness.config(provider={"api_base": api_base}))
    report = run_check(str(path), env=harness.env)
    assert report.exit_code == 0
    [warning] = [w for w in report.warnings if "api_base" in w]
    assert f"{path}:" in warning and "metadata" in warning
    with caplog.at_level(logging.WARNING, logger="llmrouter"):
        Router.from_yaml(path, env=harness.env)
    assert any("providers.hostile.api_base" in r.getMessage() for r in caplog.records)


def test_an_ordinary_endpoint_gets_no_warning(harness: Harness, tmp_path: Path) -> None:
    path = _write(tmp_path, harness.config())
    assert not [w for w in run_check(str(path), env=harness.env).warnings if "api_base" in w]
