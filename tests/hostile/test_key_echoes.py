"""Row 18 of issue 12: a key echoed back in an altered form (base64 of the key or of
`user:key`, split across lines or by spaces, upper-cased, URL-encoded) is scrubbed like a
verbatim echo, from every error, attempt and log line, on both adapters."""

from __future__ import annotations

import base64
import json
import logging
import traceback

import behaviours
import pytest
from hostile_support import KEY, Harness, Wire

from llmrouter import AllModelsFailedError
from llmrouter.config.secrets import Redactor
from llmrouter.testing import Fault
from llmrouter.testing.wire import FaultContext
from llmrouter.testing.wire_anthropic import AnthropicWire
from llmrouter.testing.wire_openai import OpenAIWire


def _echoes(key: str) -> dict[str, str]:
    """Every altered form, plus base64 of the key at each alignment inside a longer value."""
    forms = {name: form(key) for name, form in behaviours.KEY_FORMS.items()}
    for prefix in ("a", "ab", "Bearer:"):
        forms[f"base64 after {prefix!r}"] = base64.b64encode(f"{prefix}{key}!".encode()).decode()
    return forms


def _shown(texts: list[str], key: str) -> list[str]:
    return [name for name, echoed in _echoes(key).items() if any(echoed in t for t in texts)]


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
@pytest.mark.parametrize("form", sorted(behaviours.KEY_FORMS))
async def test_an_altered_key_echo_is_scrubbed_everywhere(
    harness: Harness, wire: Wire, form: str, caplog: pytest.LogCaptureFixture
) -> None:
    harness.hostile.handler = behaviours.echo_key(form)
    with caplog.at_level(logging.DEBUG):
        async with harness.router(wire) as router:
            with pytest.raises(AllModelsFailedError) as info:
                await router.acompletion(model="solo", messages=harness.messages())
    err = info.value
    assert KEY in " ".join(harness.hostile.requests[0].headers.values())  # it was sent
    texts = [
        str(err),
        repr(err),
        str(err.last_error),
        repr(err.attempts),
        "".join(traceback.format_exception(type(err), err, err.__traceback__)),
        caplog.text,
    ]
    assert _shown(texts, KEY) == []
    assert err.attempts[0].error == "auth"


FLAVOURS = [
    ("openai", OpenAIWire("openai")),
    ("zhipu", OpenAIWire("zhipu")),
    ("anthropic", AnthropicWire()),
]


@pytest.mark.parametrize(("flavour", "wire"), FLAVOURS, ids=[f for f, _ in FLAVOURS])
@pytest.mark.parametrize("form", sorted(_echoes(KEY)))
def test_the_stand_ins_auth_bodies_with_an_altered_key_are_scrubbed(
    flavour: str, wire: OpenAIWire | AnthropicWire, form: str
) -> None:
    """The auth fault bodies `LocalProviderServer` renders for each vendor, quoting the key
    in each altered form instead of verbatim."""
    echoed = _echoes(KEY)[form]
    ctx = FaultContext(seq=1, api_key=echoed, prompt_tokens=1, context_window=100)
    body = wire.error(Fault.auth(), ctx).body.decode()
    assert echoed in body or json.dumps(echoed)[1:-1] in body  # the body is JSON
    scrubbed = Redactor([KEY])(body)
    assert _shown([scrubbed, json.loads(scrubbed).__repr__()], KEY) == []
    assert "[REDACTED]" in scrubbed


def test_ordinary_text_is_left_alone() -> None:
    redact = Redactor([KEY])
    text = "Sk hostile canary, 3b9e71c0: an ordinary sentence about keys and base64 (aGVsbG8=)."
    assert redact(text) == text
