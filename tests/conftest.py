"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llmrouter import Router
from llmrouter.providers import FunctionProvider
from support import ENV, FakeTime, two_model_config


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_router(fake_time: FakeTime) -> Callable[..., Router]:
    """A router over `FunctionProvider` with the fake clock; route settings as kwargs."""

    def build(
        provider: FunctionProvider, config: dict[str, Any] | None = None, **route: Any
    ) -> Router:
        return Router.from_dict(
            config or two_model_config(**route),
            env=ENV,
            provider=provider,
            clock=fake_time,
            sleep=fake_time.sleep,
        )

    return build
