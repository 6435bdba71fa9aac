"""`llmrouter check` lists each route's shadows and canaries, and warns, naming the route and
the candidate, when a candidate can never be used: the route's primary itself, or excluded by
the data policy from every class the route carries. (An unknown candidate is a broken config,
refused by the loader.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from llmrouter.check import EXIT_BROKEN, EXIT_OK, run_check

KEYS = {"ZHIPU_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"}


def config(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "providers": {
            "anthropic": {"api_key": "${ANTHROPIC_API_KEY}", "region": "us"},
            "zhipu": {"api_key": "${ZHIPU_API_KEY}", "region": "cn"},
            "openai": {"api_key": "${OPENAI_API_KEY}", "region": "us"},
        },
        "models": {
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "gpt": {"provider": "openai", "model": "openai/gpt-4o"},
        },
    }
    return {**base, **extra}


def check(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return run_check(str(path), env=KEYS)


SHADOW = {"models": ["glm"], "sample": 0.1, "compare": ["similarity", "json_valid"]}
CANARY = {"model": "gpt", "percent": 5, "sticky_by": "user", "min_samples": 300}


def test_the_shadows_and_canaries_are_listed(tmp_path: Path) -> None:
    routes = {"chat": {"models": ["claude"], "shadow": SHADOW, "canary": CANARY}}
    budgets = [
        {"scope": "shadow:chat", "limit_usd": 20, "window": "1d"},
        {"scope": "model:gpt", "limit_usd": 5, "window": "1h"},
    ]
    report = check(tmp_path, config(routes=routes, budgets=budgets))
    assert report.exit_code == EXIT_OK and report.warnings == []
    shadow, canary = report.data["experiments"]
    assert shadow["kind"] == "shadow" and shadow["candidate"] == "glm"
    assert shadow["sample"] == 0.1 and shadow["max_concurrency"] == 4
    assert shadow["compare"] == ["similarity", "json_valid"]
    assert [b["scope"] for b in shadow["budgets"]] == ["shadow:chat"]
    assert canary["candidate"] == "gpt" and canary["percent"] == 5
    assert canary["assignment"] == "user" and canary["guardrails"]["min_samples"] == 300
    assert [b["scope"] for b in canary["budgets"]] == ["model:gpt"]
    lines = [line for line in report.text.splitlines() if line.startswith("chat ")]
    shadow_line = next(line for line in lines if " shadow " in line)
    canary_line = next(line for line in lines if " canary " in line)
    assert "glm" in shadow_line and "0.1 (max 4 in flight)" in shadow_line
    assert "compare: similarity; json_valid" in shadow_line
    assert "its own: shadow:chat $20/1d" in shadow_line
    assert "5%" in canary_line and "sticky by user" in canary_line
    assert "errors <= 2.0%" in canary_line and "model:gpt $5/1h" in canary_line
    assert "Shadows and canaries" in report.text


def test_a_config_without_them_has_no_section(tmp_path: Path) -> None:
    report = check(tmp_path, config(routes={"chat": {"models": ["claude"]}}))
    assert report.data["experiments"] == []
    assert "Shadows and canaries" not in report.text


def test_a_candidate_that_is_the_primary_is_a_warning(tmp_path: Path) -> None:
    routes = {
        "chat": {
            "models": ["claude", "gpt"],
            "shadow": {"models": ["glm", "claude"], "sample": 0.5},
            "canary": {"model": "claude", "percent": 10},
        },
        "backup": {"models": ["claude", "gpt"], "canary": {"model": "gpt", "percent": 10}},
    }
    report = check(tmp_path, config(routes=routes))
    assert report.exit_code == EXIT_OK
    assert len(report.warnings) == 2, report.warnings
    shadow, canary = sorted(report.warnings, key=lambda w: "canary" in w)
    assert "routes.chat.shadow.models[1]" in shadow
    assert "shadow candidate claude of route 'chat' is the route's primary model" in shadow
    assert "routes.chat.canary.model" in canary
    assert "canary candidate claude of route 'chat' is the route's primary model" in canary
    assert all("backup" not in w for w in report.warnings)  # a fallback may be a canary


def test_a_candidate_the_data_policy_always_excludes_is_a_warning(tmp_path: Path) -> None:
    policy = {
        "default_class": "internal",
        "classes": {"internal": {"regions": ["us"]}, "secret": {"vendors": ["anthropic"]}},
    }
    routes = {
        "chat": {"models": ["claude"], "shadow": SHADOW, "canary": {"model": "glm", "percent": 5}},
        "open": {"models": ["claude"], "canary": {"model": "gpt", "percent": 5}},
    }
    report = check(tmp_path, config(routes=routes, data_policy=policy))
    assert report.exit_code == EXIT_OK
    warned = [w for w in report.warnings if "excluded by the data policy" in w]
    assert len(warned) == 2, report.warnings
    shadow, canary = sorted(warned, key=lambda w: "canary" in w)
    assert "shadow candidate glm of route 'chat'" in shadow
    assert "(internal: region, secret: vendor)" in shadow and "never sent" in shadow
    assert "canary candidate glm of route 'chat'" in canary
    assert "never serves a request" in canary
    # gpt may serve `internal` (region us), a class `open` carries: it can be used.
    assert all("gpt" not in w for w in warned)


def test_a_class_the_route_can_never_carry_does_not_count(tmp_path: Path) -> None:
    """A request of a class no model of the route may serve fails before any call, so it is
    never mirrored: that the candidate may serve it does not make the candidate usable."""
    policy = {
        "default_class": "internal",
        "classes": {"internal": {"regions": ["us"]}, "china": {"regions": ["cn"]}},
    }
    routes = {"chat": {"models": ["claude"], "shadow": SHADOW}}
    report = check(tmp_path, config(routes=routes, data_policy=policy))
    warned = [w for w in report.warnings if "excluded by the data policy" in w]
    assert len(warned) == 1 and "(internal: region)" in warned[0], report.warnings


def test_an_unknown_candidate_is_a_broken_config_not_a_warning(tmp_path: Path) -> None:
    routes = {"chat": {"models": ["claude"], "canary": {"model": "glm5", "percent": 5}}}
    report = check(tmp_path, config(routes=routes))
    assert report.exit_code == EXIT_BROKEN
    assert "routes.chat.canary.model" in report.data["problems"][0]["text"]
