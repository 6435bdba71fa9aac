"""The public surface: exports, request validation, route resolution, repr without secrets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import llmrouter
from llmrouter import RequestValidationError, RouteNotFoundError, Router
from llmrouter.providers import FunctionProvider
from support import CANARY_KEY, user

MakeRouter = Callable[..., Router]


def test_exported_members_are_sorted_and_complete() -> None:
    import inspect

    public = {
        name
        for name in dir(llmrouter)
        if not name.startswith("_") and not inspect.ismodule(getattr(llmrouter, name))
    }
    assert llmrouter.__all__ == sorted(llmrouter.__all__)
    assert public == set(llmrouter.__all__) - {"__version__"}


def test_every_error_is_exported() -> None:
    from llmrouter import errors

    for name in errors.__all__:
        assert getattr(llmrouter, name) is getattr(errors, name)


def test_import_does_not_load_litellm() -> None:
    import subprocess
    import sys

    code = "import sys, llmrouter; print('litellm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_unknown_route_suggests(make_router: MakeRouter) -> None:
    router = make_router(FunctionProvider())
    with pytest.raises(
        RouteNotFoundError, match="unknown route or model 'chta'; did you mean 'chat'"
    ):
        await router.acompletion(model="chta", messages=user())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"messages": []}, "messages"),
        ({"messages": "hi"}, "messages"),
        ({"messages": [{"content": "hi"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": 3}]}, "messages[0].content"),
        ({"messages": user(), "api_key": "k"}, "api_key"),
        ({"messages": user(), "num_retries": 3}, "num_retries"),
        ({"messages": user(), "timeout": -1}, "timeout"),
        ({"messages": user(), "metadata": "acme"}, "metadata"),
    ],
)
async def test_bad_arguments_name_the_field(
    make_router: MakeRouter, kwargs: dict[str, object], field: str
) -> None:
    router = make_router(FunctionProvider())
    with pytest.raises(RequestValidationError) as info:
        await router.acompletion(model="chat", **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_repr_shows_no_secret(make_router: MakeRouter) -> None:
    router = make_router(FunctionProvider())
    text = repr(router) + str(router.deployments) + repr(router.config)
    assert CANARY_KEY not in text
    assert "chat" in repr(router)


async def test_per_call_timeout_overrides_route_deadline(make_router: MakeRouter) -> None:
    provider = FunctionProvider()
    await make_router(provider).acompletion(model="chat", messages=user(), timeout=5)
    assert provider.calls[0].timeout_s <= 5


async def test_context_manager_closes(make_router: MakeRouter) -> None:
    async with make_router(FunctionProvider()) as router:
        resp = await router.acompletion(model="chat", messages=user())
    assert resp.text == "echo from glm"
