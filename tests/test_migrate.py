"""`llmrouter migrate` on real litellm configs, copied from litellm's own docs into
tests/migrate_data/ (each file names its source: repository, path, commit and section)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmrouter.config import load_text
from llmrouter.migrate import migrate_data, migrate_text

DATA = Path(__file__).parent / "migrate_data"
FILES = sorted(DATA.glob("*.yaml"))


def migrate(name: str) -> tuple[dict[str, Any], list[str], str]:
    path = DATA / name
    migration = migrate_text(path.read_text(), source=name)
    assert migration.problems == [], migration.problems
    return migration.config, migration.notes, migration.to_yaml()


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_docs_config_converts_to_a_valid_config(path: Path) -> None:
    migration = migrate_text(path.read_text(), source=path.name)
    text = migration.to_yaml()
    loaded = load_text(text, source="converted.yaml")  # the YAML as written, comments and all
    assert loaded.config.models
    assert "os.environ/" not in text.split("\n\n", 1)[1]  # no litellm reference left in the body
    assert "<my-openai-key>" not in text and "sk-1234" not in text  # literal keys never copied


def test_load_balancing_groups_fallbacks_retries_timeouts_and_redis() -> None:
    config, notes, _ = migrate("configs_load_balancing.yaml")
    zephyr = config["routes"]["zephyr-beta"]
    # the group's three deployments, then its fallback and its context-window fallback
    assert zephyr["models"] == [
        "zephyr-beta-1", "zephyr-beta-2", "zephyr-beta-3", "gpt-4o-openai",
        "gpt-3.5-turbo-16k-openai",
    ]  # fmt: skip
    assert zephyr["strategy"] == "weighted"  # routing_strategy: simple-shuffle, weighted by rpm
    assert zephyr["weights"]["zephyr-beta-3"] == 60000.0
    assert zephyr["weights"]["gpt-4o-openai"] == 0.0  # fallbacks come after the group
    assert zephyr["retries"] == 2  # router_settings.num_retries wins over litellm_settings
    assert zephyr["attempt_timeout_s"] == 30.0  # router_settings.timeout
    assert config["routes"]["gpt-4"] == config["routes"]["gpt-4o"]  # model_group_alias
    assert config["models"]["gpt-4o-openai"]["model"] == "openai/gpt-4o"  # prefix written out
    assert config["state"] == {
        "backend": "redis",
        "url": "redis://:<your redis password>@<your redis host>:1992/0",
    }
    assert config["circuit_breaker"] == {"failure_threshold": 4}  # allowed_fails: 3
    assert config["providers"]["openai"]["api_key"] == "${OPENAI_API_KEY}"
    assert any("litellm_settings.num_retries: overridden by router_settings" in n for n in notes)
    assert any(":36: litellm_settings.context_window_fallbacks" in n for n in notes)


def test_quick_start_env_references_params_and_what_has_no_equivalent() -> None:
    config, notes, _ = migrate("configs_quick_start.yaml")
    assert config["providers"]["azure"] == {
        "api_base": "https://my-endpoint-europe-berri-992.openai.azure.com/",
        "api_key": "${AZURE_API_KEY_EU}",
    }
    assert config["providers"]["bedrock-2"]["params"] == {"aws_region_name": "us-east-1"}
    assert config["routes"]["gpt-4o"]["models"] == ["gpt-4o-1", "gpt-4o-2"]
    assert config["routes"]["vllm-models"]["models"] == ["opt-125m"]
    joined = "\n".join(notes)
    assert "configs_quick_start.yaml:37: model_list[5]: wildcard" in joined
    assert "drop_params" in joined and "success_callback" in joined
    assert "general_settings: proxy server settings" in joined


def test_reliability_retries_timeouts_and_cooldowns() -> None:
    config, _, _ = migrate("reliability_fallbacks.yaml")
    zephyr = config["routes"]["zephyr-beta"]
    assert zephyr["models"][-1] == "gpt-3.5-turbo-openai"  # fallbacks: zephyr-beta -> gpt-3.5
    assert zephyr["retries"] == 3
    assert zephyr["attempt_timeout_s"] == 10.0  # litellm_settings.request_timeout
    assert config["circuit_breaker"] == {"failure_threshold": 4, "cooldown_s": 30}


def test_router_settings_fallbacks() -> None:
    config, _, _ = migrate("reliability_quick_start.yaml")
    assert config["routes"]["gpt-3.5-turbo"]["models"] == ["your-deployment-name", "gpt-4-ca"]
    assert "strategy" not in config["routes"]["gpt-3.5-turbo"]  # one deployment: ordered


def test_redis_cache_and_shared_state() -> None:
    config, notes, _ = migrate("caching_redis_prod.yaml")
    url = "redis://:${REDIS_PASSWORD}@${REDIS_HOST}:${REDIS_PORT}/0"
    assert config["cache"] == {
        "backend": "redis",
        "url": url,
        "ttl_s": 600,
        "namespace": "litellm.caching.caching",
    }
    assert config["state"] == {"backend": "redis", "url": url}
    assert any("usage-based-routing-v2' has no equivalent" in n for n in notes)
    assert any("text-embedding-ada-002 is an embedding model" in n for n in notes)


def test_a_router_written_as_keyword_arguments() -> None:
    # litellm's docs, BerriAI/litellm docs/my-website/docs/proxy/reliability.md (commit
    # 027cf2059068bfd6119e6df79ef0d38a7fad2753), "Quick Start / 1. Setup fallbacks", tab SDK:
    # Router(model_list=[...], fallbacks=[{"gpt-3.5-turbo": ["gpt-4"]}])
    kwargs = {
        "model_list": [
            {
                "model_name": "gpt-3.5-turbo",
                "litellm_params": {
                    "model": "azure/<your-deployment-name>",
                    "api_base": "<your-azure-endpoint>",
                    "api_key": "<your-azure-api-key>",
                    "rpm": 6,
                },
            },
            {
                "model_name": "gpt-4",
                "litellm_params": {
                    "model": "azure/gpt-4-ca",
                    "api_base": "https://my-endpoint-canada-berri992.openai.azure.com/",
                    "api_key": "<your-azure-api-key>",
                    "rpm": 6,
                },
            },
        ],
        "fallbacks": [{"gpt-3.5-turbo": ["gpt-4"]}],
        "num_retries": 2,
    }
    migration = migrate_data(kwargs, source="router.py")
    assert migration.problems == []
    route = migration.config["routes"]["gpt-3.5-turbo"]
    assert route["models"] == ["your-deployment-name", "gpt-4-ca"]
    assert route["retries"] == 2


def test_cli_writes_yaml_that_check_accepts(tmp_path: Path) -> None:
    source = DATA / "configs_load_balancing.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", "migrate", str(source)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "note: " in result.stderr  # the notes are repeated on stderr
    out = tmp_path / "llmrouter.yaml"
    out.write_text(result.stdout)
    assert yaml.safe_load(result.stdout)["routes"]["zephyr-beta"]
    check = subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", "check", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode in (0, 1), check.stderr  # valid; keys may be missing here


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", "migrate", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "cannot read" in result.stderr
