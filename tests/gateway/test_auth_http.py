"""Inbound keys: a 401 in each format's own shape, routes and data classes per key, the model
list a key sees, and the refusals at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from gateway_support import GATEWAY_KEY, LIMITED_KEY, Gateway, StandIns, gateway_config

CHAT = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}
MESSAGES = {"model": "chat", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}


def _post(
    gateway: Gateway, path: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return httpx.post(gateway.url + path, json=body, headers=headers, timeout=30)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"x-api-key": "wrong"}])
def test_401_in_each_shape(gateway: Gateway, stand_ins: StandIns, headers: dict[str, str]) -> None:
    chat = _post(gateway, "/v1/chat/completions", CHAT, headers)
    assert chat.status_code == 401 and chat.json()["error"]["code"] == "invalid_api_key"
    responses = _post(gateway, "/v1/responses", {"model": "chat", "input": "hi"}, headers)
    assert responses.status_code == 401 and responses.json()["error"]["code"] == "invalid_api_key"
    messages = _post(gateway, "/v1/messages", MESSAGES, headers)
    assert messages.status_code == 401
    assert messages.json() == {
        "type": "error",
        "error": {"type": "authentication_error", "message": messages.json()["error"]["message"]},
    }
    assert stand_ins.server.total_requests == 0


@pytest.mark.parametrize("header", ["Authorization", "x-api-key"])
def test_either_header_carries_the_key(gateway: Gateway, header: str) -> None:
    value = f"Bearer {GATEWAY_KEY}" if header == "Authorization" else GATEWAY_KEY
    assert _post(gateway, "/v1/chat/completions", CHAT, {header: value}).status_code == 200


def test_a_key_uses_only_its_routes(gateway: Gateway, stand_ins: StandIns) -> None:
    limited = {"x-api-key": LIMITED_KEY}
    assert _post(gateway, "/v1/chat/completions", CHAT, limited).status_code == 200
    denied = _post(gateway, "/v1/messages", {**MESSAGES, "model": "claude-opus-4"}, limited)
    assert denied.status_code == 403 and denied.json()["error"]["type"] == "permission_error"
    direct = _post(gateway, "/v1/chat/completions", {**CHAT, "model": "glm"}, limited)
    assert direct.status_code == 403
    assert stand_ins.server.total_requests == 1


def test_data_classes_per_key(gateway: Gateway) -> None:
    limited = {"x-api-key": LIMITED_KEY}
    ok = _post(
        gateway, "/v1/chat/completions", CHAT, {**limited, "x-llmrouter-data-class": "public"}
    )
    assert ok.status_code == 200
    bad = _post(gateway, "/v1/chat/completions", CHAT, {**limited, "x-llmrouter-data-class": "pii"})
    assert bad.status_code == 403 and bad.json()["error"]["param"] == "x-llmrouter-data-class"


def test_models_lists_what_the_key_may_use(gateway: Gateway) -> None:
    full = httpx.get(gateway.url + "/v1/models", headers={"x-api-key": GATEWAY_KEY}).json()
    assert {m["id"] for m in full["data"]} >= {"chat", "coding", "glm", "claude", "gpt"}
    limited = httpx.get(gateway.url + "/v1/models", headers={"x-api-key": LIMITED_KEY}).json()
    assert [m["id"] for m in limited["data"]] == ["chat"]
    anthropic = httpx.get(
        gateway.url + "/v1/models",
        headers={"x-api-key": LIMITED_KEY, "anthropic-version": "2023-06-01"},
    ).json()
    assert anthropic["data"][0]["type"] == "model" and anthropic["has_more"] is False
    assert httpx.get(gateway.url + "/v1/models").status_code == 401


def test_access_log_has_tenant_and_no_key_or_content(gateway: Gateway) -> None:
    _post(
        gateway,
        "/v1/chat/completions",
        {**CHAT, "messages": [{"role": "user", "content": "SECRET-PROMPT"}]},
        {"x-api-key": LIMITED_KEY},
    )
    lines = [json.loads(line) for line in gateway.log().splitlines() if line.startswith("{")]
    assert any(line["tenant"] == "beta" and line["route"] == "chat" for line in lines)
    assert LIMITED_KEY not in gateway.log() and "SECRET-PROMPT" not in gateway.log()


def _serve(config: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    gateway = Gateway(config, *args)
    try:
        code = gateway.process.wait(timeout=60)
        return subprocess.CompletedProcess(gateway.process.args, code, "", gateway.log())
    finally:
        gateway.stop()


def test_no_keys_refuses_to_start(stand_ins: StandIns) -> None:
    config = gateway_config(stand_ins)
    del config["gateway"]
    result = _serve(config)
    assert result.returncode == 2 and "--no-auth" in result.stderr


def test_no_auth_only_on_loopback(stand_ins: StandIns) -> None:
    result = _serve(gateway_config(stand_ins), "--no-auth", "--host", "0.0.0.0")
    assert result.returncode == 2 and "loopback" in result.stderr


def test_a_key_variable_not_set_is_named(stand_ins: StandIns) -> None:
    config = gateway_config(stand_ins)
    config["gateway"]["keys"].append({"key": "${GW_KEY_NOT_SET}", "tenant": "x"})
    result = _serve(config)
    assert result.returncode == 2
    assert "gateway.keys[2].key: environment variable GW_KEY_NOT_SET is not set" in result.stderr


def test_an_alias_to_nothing_is_named(stand_ins: StandIns) -> None:
    config = gateway_config(stand_ins)
    config["gateway"]["model_aliases"]["x-*"] = "chatt"
    result = _serve(config)
    assert result.returncode == 2 and "did you mean 'chat'" in result.stderr


def test_no_auth_on_loopback_serves_without_a_key(stand_ins: StandIns) -> None:
    config = gateway_config(stand_ins)
    del config["gateway"]
    gateway = Gateway(config, "--no-auth").wait_ready()
    try:
        assert _post(gateway, "/v1/chat/completions", CHAT, {}).status_code == 200
    finally:
        gateway.stop()


def test_cli_help_lists_serve() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "llmrouter.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--workers" in out and "--no-auth" in out
