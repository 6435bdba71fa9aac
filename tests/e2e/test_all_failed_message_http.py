"""`AllModelsFailedError`'s message names each cause, not only its kind."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from llmrouter import AllModelsFailedError, Router
from llmrouter.testing import Fault
from support import Local, user


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_message_names_the_connection_failure_and_the_quota(
    local: Local, router_for: Callable[..., Router]
) -> None:
    port = closed_port()
    config = local.config(retries=1)
    config["providers"]["zhipu"]["api_base"] = f"http://127.0.0.1:{port}/v4"
    local.claude.fail_always(Fault.quota())
    router = Router.from_dict(config, env=local.env)
    with pytest.raises(AllModelsFailedError) as info:
        await router.acompletion(model="chat", messages=user())
    message = str(info.value)
    if local.adapter == "native":  # litellm's own message says only "Connection error."
        assert f"127.0.0.1:{port}" in message  # where the connection failed
    assert "glm: unavailable x2 (" in message  # the retry folded into one entry
    assert "claude: quota (" in message
    assert info.value.attempts[0].detail and info.value.attempts[0].detail in message
    await router.aclose()
