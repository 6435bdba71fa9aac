"""The pieces of the pass-through that need no server: the beta allow-list, the `Passthrough`
value's own checks, and renaming the model in a body without touching the rest."""

from __future__ import annotations

import json

import pytest

from llmrouter.errors import RequestValidationError
from llmrouter.gateway.frontend import Inbound
from llmrouter.gateway.passthrough import encode_model, prepare, replace_model
from llmrouter.passthrough import ANTHROPIC_BETAS, Passthrough, split_betas

CODING = encode_model("coding")


def test_betas_split_on_the_allow_list() -> None:
    kept, dropped = split_betas(
        ["interleaved-thinking-2025-05-14, files-api-2025-04-14", "fast-mode-2026-02-01,,"]
    )
    assert kept == ["interleaved-thinking-2025-05-14"]
    assert dropped == ["files-api-2025-04-14", "fast-mode-2026-02-01"]


@pytest.mark.parametrize(
    "beta",
    [
        "files-api-2025-04-14",  # state in the provider's account, shared by every tenant
        "mcp-client-2025-11-20",  # tools the vendor runs
        "code-execution-2025-05-22",
        "fast-mode-2026-02-01",  # prices the price table does not hold
        "context-1m-2025-08-07",
        "extended-cache-ttl-2025-04-11",
        "server-side-fallback-2026-07-01",  # routing decided by the vendor
        "oauth-2025-04-20",  # credentials
        "model-context-window-exceeded-2025-08-26",  # hides the error the route falls back on
    ],
)
def test_what_is_left_off_the_list(beta: str) -> None:
    assert beta not in ANTHROPIC_BETAS


def test_a_passthrough_carries_no_other_header() -> None:
    with pytest.raises(RequestValidationError, match=r"passthrough\.headers\.x-api-key"):
        Passthrough("anthropic", {}, {"x-api-key": "k"})
    with pytest.raises(RequestValidationError, match="files-api"):
        Passthrough("anthropic", {}, {"anthropic-beta": "files-api-2025-04-14"})
    with pytest.raises(RequestValidationError, match=r"passthrough\.headers\.anthropic-beta"):
        Passthrough("openai", {}, {"anthropic-beta": "claude-code-20250219"})


def test_prepare_names_what_it_leaves_out() -> None:
    inbound = Inbound("m", [], {}, False)
    body = {"model": "m", "messages": [], "store": True, "service_tier": "priority", "seed": 1}
    prepare("openai", body, {"anthropic-beta": "claude-code-20250219"}, inbound)
    assert inbound.passthrough is not None
    assert inbound.passthrough.body == {"model": "m", "messages": [], "seed": 1}
    assert inbound.passthrough.headers == {}  # no header for the OpenAI wire
    assert inbound.passthrough_dropped == ["store", "service_tier"]


def test_replace_model_keeps_every_other_byte() -> None:
    raw = b'{"id":"msg_1", "model" : "claude-x","content":[{"type":"text","text":"hi"}]}'
    out = replace_model(raw, CODING)
    assert out == b'{"id":"msg_1", "model":"coding","content":[{"type":"text","text":"hi"}]}'


def test_replace_model_skips_nested_and_quoted_models() -> None:
    raw = json.dumps(
        {
            "content": [
                {"type": "tool_use", "input": {"model": "nested"}},
                {"type": "text", "text": 'say "model": "quoted"'},
            ],
            'a\\"model': "odd key",
            "model": "claude-x",
        }
    ).encode()
    out = json.loads(replace_model(raw, CODING))
    assert out["model"] == "coding"
    assert out["content"][0]["input"] == {"model": "nested"}
    assert out["content"][1]["text"] == 'say "model": "quoted"'
    assert out['a\\"model'] == "odd key"


def test_replace_model_passes_over_model_as_a_value() -> None:
    raw = b'{"type":"model","note":"x\\"model\\": 1","model":"m"}'
    assert json.loads(replace_model(raw, CODING)) == {
        "type": "model",
        "note": 'x"model": 1',
        "model": "coding",
    }


def test_replace_model_at_depth_two_and_without_one() -> None:
    start = b'{"type":"message_start","message":{"id":"m","model":"claude-x"}}'
    assert json.loads(replace_model(start, CODING, depth=2))["message"]["model"] == "coding"
    assert replace_model(start, CODING) == start  # no top-level model
    assert replace_model(b'{"a":1}', CODING) == b'{"a":1}'
