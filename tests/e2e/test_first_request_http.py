"""The first request does not do on the event loop what warming up can do in a thread
(issue 12, row 17): our validators are built, and for a config that uses litellm, its
tokenizer is loaded and its own first call has been made (mocked, no request). The loop lag
itself is measured by benchmarks/first_request_lag.py."""

from __future__ import annotations

import sys

import pytest

from llmrouter import Router
from llmrouter.types import ChatCompletion, ChatCompletionChunk
from support import Local, user


async def test_warming_up_builds_the_validators_a_first_answer_needs(local: Local) -> None:
    async with Router.from_dict(local.config(), env=local.env):
        assert ChatCompletion.__pydantic_complete__
        assert ChatCompletionChunk.__pydantic_complete__
        assert "MockValSer" not in type(ChatCompletion.__pydantic_validator__).__name__


@pytest.mark.parametrize("local", ["litellm"], indirect=True)
async def test_warming_up_litellm_loads_its_tokenizer_and_types(local: Local) -> None:
    async with Router.from_dict(local.config(), env=local.env) as router:
        assert "litellm.litellm_core_utils.default_encoding" in sys.modules
        from litellm.types.utils import ModelResponse, ModelResponseStream

        assert ModelResponse.__pydantic_complete__ and ModelResponseStream.__pydantic_complete__
        resp = await router.acompletion(model="chat", messages=user())
    assert resp.text
