"""Every scripted fault of the local server, through both native adapters, becomes the right
error class; transport failures, timeouts and cancellation behave as the router needs."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from native_support import KEY, Adapters, deployment, make_call, user, wait_until

from llmrouter.errors import (
    AuthenticationError,
    BadRequestError,
    ContentFilteredError,
    ContextWindowExceededError,
    MalformedResponseError,
    OverloadedError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitError,
)
from llmrouter.providers.base import ProviderCall
from llmrouter.testing import Fault, LocalProvider, LocalProviderServer
from llmrouter.types import ChatCompletionChunk

NAMES = ["gpt", "glm", "claude"]

# (fault, expected class per provider: gpt (OpenAI), glm (Zhipu), claude (Anthropic))
HTTP_FAULTS: list[tuple[str, Fault, dict[str, type[ProviderError]]]] = [
    ("rate_limit", Fault.rate_limit(), dict.fromkeys(NAMES, RateLimitError)),
    ("quota", Fault.quota(), dict.fromkeys(NAMES, QuotaExceededError)),
    ("server_500", Fault.server_error(500), dict.fromkeys(NAMES, ProviderUnavailableError)),
    ("server_503", Fault.server_error(503), dict.fromkeys(NAMES, ProviderUnavailableError)),
    ("overloaded", Fault.overloaded(), dict.fromkeys(NAMES, OverloadedError)),
    ("context", Fault.context_too_long(), dict.fromkeys(NAMES, ContextWindowExceededError)),
    ("content_filter", Fault.content_filter(), dict.fromkeys(NAMES, ContentFilteredError)),
    ("auth", Fault.auth(), dict.fromkeys(NAMES, AuthenticationError)),
    ("bad_request", Fault.bad_request(), dict.fromkeys(NAMES, BadRequestError)),
    ("malformed", Fault.malformed(), dict.fromkeys(NAMES, MalformedResponseError)),
]


async def run(adapters: Adapters, provider: LocalProvider, call: ProviderCall, stream: bool) -> Any:
    adapter = adapters.for_provider(provider)
    if stream:
        return [chunk async for chunk in adapter.stream(call)]
    return await adapter.complete(call)


def assert_no_key(exc: BaseException) -> None:
    for text in (str(exc), repr(exc), *map(str, exc.args)):
        assert KEY not in text


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("kind", "fault", "expected"), HTTP_FAULTS, ids=[f[0] for f in HTTP_FAULTS]
)
async def test_fault_becomes_its_error_class(
    server: LocalProviderServer,
    adapters: Adapters,
    name: str,
    stream: bool,
    kind: str,
    fault: Fault,
    expected: dict[str, type[ProviderError]],
) -> None:
    provider = server.providers[name]
    provider.fail_next(fault)
    with pytest.raises(ProviderError) as info:
        await run(adapters, provider, make_call(provider), stream)
    assert type(info.value) is expected[name], info.value
    assert info.value.model == name and info.value.provider == f"{name}-provider"
    assert_no_key(info.value)


@pytest.mark.parametrize("name", NAMES)
async def test_auth_error_never_quotes_the_key(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.auth())
    with pytest.raises(AuthenticationError) as info:
        await run(adapters, provider, make_call(provider), False)
    assert info.value.status_code == 401
    assert "[REDACTED]" in str(info.value)  # the server did echo it
    assert_no_key(info.value)
    assert KEY not in repr(adapters.for_provider(provider))


@pytest.mark.parametrize("name", NAMES)
async def test_rate_limit_carries_retry_after(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.rate_limit(retry_after=7))
    provider.fail_next(Fault.rate_limit(retry_after_ms=1500))
    for expected in (7.0, 1.5):
        with pytest.raises(RateLimitError) as info:
            await run(adapters, provider, make_call(provider), False)
        assert info.value.retry_after_s == expected
        assert info.value.status_code == 429


async def test_zhipu_codes_win_over_http_status(glm: LocalProvider, adapters: Adapters) -> None:
    glm.fail_next(Fault.content_filter())
    with pytest.raises(ContentFilteredError) as info:
        await adapters.openai.complete(make_call(glm))
    assert info.value.code == "1301"
    glm.fail_next(Fault.quota())
    with pytest.raises(QuotaExceededError) as quota:
        await adapters.openai.complete(make_call(glm))
    assert quota.value.code == "1113"


async def test_anthropic_529_keeps_its_status(claude: LocalProvider, adapters: Adapters) -> None:
    claude.fail_next(Fault.overloaded())
    with pytest.raises(OverloadedError) as info:
        await adapters.anthropic.complete(make_call(claude))
    assert info.value.status_code == 529 and info.value.code == "overloaded_error"


@pytest.mark.parametrize("name", NAMES)
async def test_drop_mid_body_is_unavailable(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.drop_stream())
    with pytest.raises(ProviderUnavailableError):
        await run(adapters, provider, make_call(provider), False)


@pytest.mark.parametrize("name", NAMES)
async def test_drop_stream_after_chunks_raises_after_them(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.drop_stream(after_chunks=3))
    received: list[ChatCompletionChunk] = []
    with pytest.raises(ProviderUnavailableError) as info:
        async for chunk in adapters.for_provider(provider).stream(make_call(provider)):
            received.append(chunk)
    text = "".join(c.delta.content or "" for chunk in received for c in chunk.choices)
    assert text == f"Hello from {name}. "
    assert "closed" in str(info.value) or "payload" in str(info.value).lower()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gpt", ProviderUnavailableError),
        ("glm", ProviderUnavailableError),
        ("claude", OverloadedError),
    ],
)
async def test_error_event_mid_stream(
    server: LocalProviderServer,
    adapters: Adapters,
    name: str,
    expected: type[ProviderError],
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.stream_error(after_chunks=2))
    received: list[ChatCompletionChunk] = []
    with pytest.raises(ProviderError) as info:
        async for chunk in adapters.for_provider(provider).stream(make_call(provider)):
            received.append(chunk)
    assert type(info.value) is expected
    assert info.value.status_code is None
    text = "".join(c.delta.content or "" for chunk in received for c in chunk.choices)
    assert text == "Hello from "


@pytest.mark.parametrize(
    ("name", "reason"), [("gpt", "content_filter"), ("glm", "sensitive"), ("claude", "refusal")]
)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_filtered_finish_reason_passes_through(
    server: LocalProviderServer, adapters: Adapters, name: str, reason: str, stream: bool
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.filtered_finish())
    result = await run(adapters, provider, make_call(provider), stream)
    if stream:
        finishes = [c.finish_reason for chunk in result for c in chunk.choices if c.finish_reason]
        assert finishes == [reason]
    else:
        assert result.choices[0].finish_reason == reason


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_network_error_finish_passes_through(
    server: LocalProviderServer, adapters: Adapters, name: str, stream: bool
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.network_error_finish())
    if provider.wire == "anthropic":  # no such stop reason: a 500, or `event: error` mid-stream
        with pytest.raises(ProviderUnavailableError):
            await run(adapters, provider, make_call(provider), stream)
        return
    result = await run(adapters, provider, make_call(provider), stream)
    if stream:
        finishes = [c.finish_reason for chunk in result for c in chunk.choices if c.finish_reason]
        assert finishes == ["network_error"]
    else:
        assert result.choices[0].finish_reason == "network_error"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_cancel_closes_the_connection_at_once(
    server: LocalProviderServer, adapters: Adapters, name: str, stream: bool
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.hang())
    task = asyncio.create_task(run(adapters, provider, make_call(provider), stream))
    await wait_until(lambda: provider.request_count == 1)
    await asyncio.sleep(0.02)  # the server is now hanging on the request
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    took = await wait_until(lambda: provider.requests[0].disconnected, timeout_s=1.0)
    assert took < 0.1


@pytest.mark.parametrize("name", ["gpt", "claude"])
async def test_abandoned_stream_closes_the_connection(
    server: LocalProviderServer, adapters: Adapters, name: str
) -> None:
    provider = server.providers[name]
    # more than loopback socket buffers hold, so the server is still writing when we leave
    provider.set_reply(" ".join(["word"] * 100_000))
    call = make_call(provider, max_tokens=100_000)  # Anthropic's default 4096 would cut it
    stream = adapters.for_provider(provider).stream(call)
    first = await stream.__anext__()
    assert isinstance(first, ChatCompletionChunk)
    await stream.aclose()
    await wait_until(lambda: provider.requests[0].finished_at is not None, timeout_s=1.0)
    assert provider.requests[0].disconnected


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_timeout(
    server: LocalProviderServer, adapters: Adapters, name: str, stream: bool
) -> None:
    provider = server.providers[name]
    provider.fail_next(Fault.hang())
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ProviderTimeoutError):
        await run(adapters, provider, make_call(provider, timeout_s=0.2), stream)
    assert 0.15 < loop.time() - started < 1.0
    await wait_until(lambda: provider.requests[0].disconnected, timeout_s=1.0)


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_connection_refused(adapters: Adapters, wire: str, stream: bool) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    model = "anthropic/claude-x" if wire == "anthropic" else "openai/gpt-x"
    call = ProviderCall(deployment("down", model, f"http://127.0.0.1:{port}"), user())
    adapter = adapters.anthropic if wire == "anthropic" else adapters.openai
    with pytest.raises(ProviderUnavailableError) as info:
        if stream:
            async for _ in adapter.stream(call):
                pass
        else:
            await adapter.complete(call)
    assert info.value.status_code is None
    assert_no_key(info.value)
