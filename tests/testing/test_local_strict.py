"""The local providers refuse what the real APIs refuse, with the real status and body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from localwire import ANTHROPIC_HEADERS, OPENAI_HEADERS, endpoint, user

from llmrouter.testing import LocalProviderServer

TOOL = {"name": "f", "input_schema": {"type": "object"}}
OPENAI_TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
THINKING = {"type": "enabled", "budget_tokens": 2048}

ANTHROPIC_REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("max_tokens", {"max_tokens": None}, "max_tokens: Field required"),
    (
        "roles",
        {"messages": [{"role": "system", "content": "be brief"}, *user()]},
        'messages: Unexpected role "system". The Messages API accepts a top-level `system` '
        'parameter, not "system" as an input message role.',
    ),
    (
        "roles",
        {"messages": [*user(), {"role": "tool", "content": "x"}]},
        "messages.1.role: Input should be 'user' or 'assistant'",
    ),
    *[
        ("unknown_field", {field: value}, f"{field}: Extra inputs are not permitted")
        for field, value in [
            ("response_format", {"type": "json_object"}),
            ("n", 2),
            ("stream_options", {"include_usage": True}),
            ("logprobs", True),
            ("reasoning_effort", "low"),
            ("output_format", {"type": "json_schema", "schema": {}}),  # beta, no beta header
        ]
    ],
    (
        "tool_choice",
        {"tools": [TOOL], "tool_choice": "auto"},
        "tool_choice: Input should be a valid dictionary or object to extract fields from",
    ),
    (
        "tool_choice",
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "f"}}},
        "tool_choice: Input tag 'function' found using 'type' does not match any of the "
        "expected tags: 'auto', 'any', 'tool', 'none'",
    ),
    (
        "tool_choice",
        {"tools": [TOOL], "tool_choice": {"type": "tool"}},
        "tool_choice.tool.name: Field required",
    ),
    (
        "tool_choice",
        {"tool_choice": {"type": "auto"}},
        "tool_choice may only be specified while providing tools.",
    ),
    ("tools", {"tools": [OPENAI_TOOL]}, "tools.0.custom.name: Field required"),
    (
        "thinking",
        {"max_tokens": 2048, "thinking": THINKING},
        "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
        "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
        "#max-tokens-and-context-window-size",
    ),
    (
        "thinking",
        {"thinking": {"type": "enabled", "budget_tokens": 512}},
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
    ),
    (
        "thinking",
        {"max_tokens": 4096, "thinking": THINKING, "tools": [TOOL], "tool_choice": {"type": "any"}},
        "Thinking may not be enabled when tool_choice forces tool use.",
    ),
]


def _anthropic_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": user()}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("rule", "changes", "message"),
    ANTHROPIC_REFUSALS,
    ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(ANTHROPIC_REFUSALS)],
)
async def test_anthropic_refuses_like_anthropic(
    server: LocalProviderServer,
    client: httpx.AsyncClient,
    rule: str,
    changes: dict[str, Any],
    message: str,
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    resp = await client.post(
        endpoint(claude), json=_anthropic_body(**changes), headers=ANTHROPIC_HEADERS
    )
    assert resp.status_code == 400
    assert resp.json() == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": message},
    }
    assert claude.requests[0].fault == "refused" and claude.requests[0].refusal == rule
    claude.relax(rule)  # the explicit knob: the same request is answered
    again = await client.post(
        endpoint(claude), json=_anthropic_body(**changes), headers=ANTHROPIC_HEADERS
    )
    assert again.status_code == 200


async def test_anthropic_beta_fields_need_the_beta_header(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    body = _anthropic_body(output_format={"type": "json_schema", "schema": schema})
    headers = {**ANTHROPIC_HEADERS, "anthropic-beta": "structured-outputs-2025-11-13"}
    resp = await client.post(endpoint(claude), json=body, headers=headers)
    assert resp.status_code == 200
    assert resp.json()["content"][0]["text"] == '{"n": 1}'


async def test_a_system_message_needs_the_mid_conversation_beta(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    body = _anthropic_body(messages=[*user(), {"role": "system", "content": "be brief"}])
    headers = {**ANTHROPIC_HEADERS, "anthropic-beta": "mid-conversation-system-2026-04-07"}
    assert (await client.post(endpoint(claude), json=body, headers=ANTHROPIC_HEADERS)).is_error
    resp = await client.post(endpoint(claude), json=body, headers=headers)
    assert resp.status_code == 200


def test_relax_names_a_known_rule(server: LocalProviderServer) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    with pytest.raises(ValueError, match="unknown rules"):
        claude.relax("max_token")


UNRECOGNIZED = "Unrecognized request argument supplied: "
OPENAI_REFUSALS: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("unknown_param", {"top_k": 3}, UNRECOGNIZED + "top_k", None),
    ("unknown_param", {"thinking": THINKING}, UNRECOGNIZED + "thinking", None),
    (
        "stream_options",
        {"stream_options": {"include_usage": True}},
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        "stream_options",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "extra", "message", "param"), OPENAI_REFUSALS)
async def test_openai_refuses_like_openai(
    server: LocalProviderServer,
    client: httpx.AsyncClient,
    rule: str,
    extra: dict[str, Any],
    message: str,
    param: str | None,
) -> None:
    gpt = server.add_provider("gpt")
    body = {"model": "gpt-4o-mini", "messages": user(), **extra}
    resp = await client.post(endpoint(gpt), json=body, headers=OPENAI_HEADERS)
    assert resp.status_code == 400
    assert resp.json() == {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}
    }
    assert gpt.requests[0].refusal == rule


IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
ZHIPU_REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    ("zhipu_tool_choice", {"tools": [OPENAI_TOOL], "tool_choice": "required"}, "1214",
     "tool_choice"),
    (
        "zhipu_tool_choice",
        {"tools": [OPENAI_TOOL], "tool_choice": {"type": "function", "function": {"name": "f"}}},
        "1214",
        "tool_choice",
    ),
    ("zhipu_stop", {"stop": ["a", "b"]}, "1214", "stop"),
    (
        "zhipu_response_format",
        {"response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": {}}}},
        "1214",
        "response_format",
    ),
    ("zhipu_images", {"messages": [{"role": "user", "content": [IMAGE]}]}, "1210", ""),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "extra", "code", "field"), ZHIPU_REFUSALS)
async def test_zhipu_refuses_beyond_its_documented_limits(
    server: LocalProviderServer,
    client: httpx.AsyncClient,
    rule: str,
    extra: dict[str, Any],
    code: str,
    field: str,
) -> None:
    glm = server.add_provider("glm", wire="openai", flavor="zhipu")
    body = {"model": "glm-4.6", "messages": user(), **extra}
    resp = await client.post(endpoint(glm), json=body, headers=OPENAI_HEADERS)
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == code
    if code == "1214":
        assert error["message"] == f"Invalid {field} parameter. Please check the documentation"
    assert glm.requests[0].refusal == rule


async def test_zhipu_accepts_what_it_documents(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    glm = server.add_provider("glm", wire="openai", flavor="zhipu")
    bodies = [
        {"model": "glm-4.6", "tools": [OPENAI_TOOL], "tool_choice": "auto"},
        {"model": "glm-4.6", "stop": ["END"], "response_format": {"type": "json_object"}},
        {"model": "glm-4.6v", "messages": [{"role": "user", "content": [IMAGE]}]},
        {"model": "glm-4.6", "top_k": 3},  # Z.ai does not refuse unknown fields
    ]
    for body in bodies:
        resp = await client.post(
            endpoint(glm), json={"messages": user(), **body}, headers=OPENAI_HEADERS
        )
        assert resp.status_code == 200, resp.text
