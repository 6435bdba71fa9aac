"""A Router's connections across event loops, and the warning for one never closed."""

from __future__ import annotations

import asyncio
import sys
import textwrap

import pytest

from support import Local

TWO_LOOPS = textwrap.dedent(
    """
    import asyncio, gc, sys, warnings
    warnings.simplefilter("error")
    from llmrouter import Router
    config = {
        "providers": {"p": {"api_base": sys.argv[1], "api_key": "${K}"}},
        "models": {"m": {"provider": "p", "model": "openai/gpt-4o-mini"}},
    }
    router = Router.from_dict(config, env={"K": "sk-test"})

    async def ask():
        return (await router.acompletion("m", [{"role": "user", "content": "hi"}])).text

    print(asyncio.run(ask()))
    print(asyncio.run(ask()))  # the same Router from a second loop
    del router
    gc.collect()
    """
)


DROPPED = textwrap.dedent(
    """
    import asyncio, gc, sys, warnings
    from llmrouter import Router
    config = {
        "providers": {"p": {"api_base": sys.argv[1], "api_key": "${K}"}},
        "models": {"m": {"provider": "p", "model": "openai/gpt-4o-mini"}},
    }

    async def main():
        router = Router.from_dict(config, env={"K": "sk-test"})
        await router.acompletion("m", [{"role": "user", "content": "hi"}])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del router
            gc.collect()
        print([str(w.message) for w in caught if issubclass(w.category, ResourceWarning)])

    asyncio.run(main())
    """
)


async def run_python(code: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-X",
        "dev",
        "-c",
        code,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("local", ["native"], indirect=True)
async def test_a_router_reused_across_asyncio_runs_warns_nothing(local: Local) -> None:
    gpt = local.server.add_provider("gpt")
    code, out, err = await run_python(TWO_LOOPS, gpt.api_base)
    assert code == 0, err
    assert out.count("Hello from gpt") == 2
    assert err.strip() == ""  # no "never awaited", no unclosed session, connector or socket


@pytest.mark.parametrize("local", ["native"], indirect=True)
async def test_a_router_dropped_open_gives_a_resource_warning(local: Local) -> None:
    gpt = local.server.add_provider("gpt")
    code, out, err = await run_python(DROPPED, gpt.api_base)
    assert code == 0, err
    assert "was not closed: use `async with Router" in out
