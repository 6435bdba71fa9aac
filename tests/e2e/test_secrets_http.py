"""A canary API key never appears in reprs, exceptions, logs or attempts, even when the
provider echoes it back in an error body."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

import pytest

from llmrouter import AllModelsFailedError, Router
from llmrouter.testing import Fault
from support import CANARY_KEY, Local, user


async def test_canary_key_never_leaks(
    local: Local, router_for: Callable[..., Router], caplog: pytest.LogCaptureFixture
) -> None:
    local.glm.fail_always(Fault.auth())
    local.claude.fail_always(Fault.auth())
    router = router_for(retries=2)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(AllModelsFailedError) as info:
            await router.acompletion(model="chat", messages=user())
        stream_error = None
        try:
            await router.acompletion(model="chat", messages=user(), stream=True)
        except AllModelsFailedError as err:
            stream_error = err
    assert stream_error is not None
    # the server really saw (and echoed) the key
    assert local.glm.requests[0].headers["authorization"] == f"Bearer {CANARY_KEY}"
    texts = [
        repr(router),
        str(info.value),
        repr(info.value),
        str(info.value.last_error),
        str(stream_error),
        repr(info.value.attempts),
        caplog.text,
        *(str(r.__dict__) for r in caplog.records),
    ]
    for text in texts:
        assert CANARY_KEY not in text
    errors = [r for r in caplog.records if r.name == "llmrouter" and r.levelno == logging.ERROR]
    assert errors and "ZHIPU_API_KEY" in errors[0].getMessage()
    # a full traceback, chained causes included, is clean too
    for err in (info.value, info.value.last_error, stream_error):
        assert err is not None
        rendered = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        assert CANARY_KEY not in rendered
