"""Faults: each constructor rendered per wire and flavour, fault plans, hang, drops."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from typing import Any

import httpx
import pytest
from localwire import (
    anthropic_events,
    anthropic_stream_text,
    body_for,
    call,
    endpoint,
    headers_for,
    openai_chunks,
    openai_stream_text,
    parse_sse,
)

from llmrouter.testing import Fault, LocalProvider, LocalProviderServer

FLAVORS = ["openai", "zhipu", "anthropic"]
KEY = "sk-canary-full-key-1234567890"
SERVER_ERROR = {
    "error": {
        "message": "The server had an error while processing your request.",
        "type": "server_error",
        "param": None,
        "code": None,
    }
}
ZHIPU_1301 = (
    "系统检测到输入或生成内容可能包含不安全或敏感内容，"  # noqa: RUF001
    "请您避免输入易产生敏感内容的提示语，感谢您的配合。"  # noqa: RUF001
)


def add(server: LocalProviderServer, flavor: str) -> LocalProvider:
    if flavor == "anthropic":
        return server.add_provider("p", wire="anthropic")
    return server.add_provider("p", wire="openai", flavor=flavor)  # type: ignore[arg-type]


def openai_error(message: str, type_: Any, code: Any, param: Any = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def zhipu_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def anthropic_error(type_: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": type_, "message": message}}


def prompt_tokens(text: str) -> int:
    return -(-len(text) // 4) + 3


# (fault, flavor) -> (status, body); "hello there" is the prompt, `KEY` the key.
P = prompt_tokens("hello there")
EXPECTED: list[tuple[Fault, str, int, dict[str, Any]]] = [
    (
        Fault.rate_limit(),
        "openai",
        429,
        openai_error("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
    ),
    (
        Fault.rate_limit(),
        "zhipu",
        429,
        zhipu_error(
            "1302",
            "High concurrency usage of this API, please reduce concurrency or contact "
            "customer service to increase limits",
        ),
    ),
    (
        Fault.rate_limit(),
        "anthropic",
        429,
        anthropic_error(
            "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"
        ),
    ),
    (
        Fault.quota(),
        "openai",
        429,
        openai_error(
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
        ),
    ),
    (
        Fault.quota(),
        "zhipu",
        429,
        zhipu_error("1113", "Your account is in arrears, please recharge and try again"),
    ),
    (
        Fault.quota(),
        "anthropic",
        429,
        anthropic_error(
            "rate_limit_error",
            "You have reached your specified API usage limits. "
            "You will regain access on 2026-12-01 at 00:00 UTC.",
        ),
    ),
    (Fault.server_error(), "openai", 500, SERVER_ERROR),
    (Fault.server_error(503), "openai", 503, SERVER_ERROR),
    (
        Fault.server_error(),
        "zhipu",
        500,
        zhipu_error("1234", "Network error, please try again later"),
    ),
    (Fault.server_error(502), "zhipu", 502, SERVER_ERROR),
    (
        Fault.server_error(),
        "anthropic",
        500,
        anthropic_error("api_error", "Internal server error"),
    ),
    (
        Fault.server_error(503),
        "anthropic",
        503,
        anthropic_error("api_error", "Internal server error"),
    ),
    *[
        (
            Fault.overloaded(),
            flavor,
            503,
            openai_error(
                "The engine is currently overloaded, please try again later", "server_error", None
            ),
        )
        for flavor in ("openai", "zhipu")
    ],
    (Fault.overloaded(), "anthropic", 529, anthropic_error("overloaded_error", "Overloaded")),
    (
        Fault.context_too_long(),
        "openai",
        400,
        openai_error(
            f"This model's maximum context length is 8192 tokens. "
            f"However, your messages resulted in {P} tokens.",
            "invalid_request_error",
            "context_length_exceeded",
            "messages",
        ),
    ),
    (Fault.context_too_long(), "zhipu", 400, zhipu_error("1261", "Prompt exceeds max length")),
    (
        Fault.context_too_long(),
        "anthropic",
        400,
        anthropic_error("invalid_request_error", f"prompt is too long: {P} tokens > 8192 maximum"),
    ),
    (
        Fault.content_filter(),
        "openai",
        400,
        openai_error(
            "Your request was rejected as a result of our safety system.",
            "invalid_request_error",
            "content_policy_violation",
        ),
    ),
    (Fault.content_filter(), "zhipu", 400, zhipu_error("1301", ZHIPU_1301)),
    (
        Fault.content_filter(),
        "anthropic",
        400,
        anthropic_error("invalid_request_error", "Output blocked by content filtering policy"),
    ),
    (
        Fault.auth(),
        "openai",
        401,
        openai_error(
            f"Incorrect API key provided: {KEY}.", "invalid_request_error", "invalid_api_key"
        ),
    ),
    (Fault.auth(), "zhipu", 401, zhipu_error("1001", f"Authentication failed for token {KEY}")),
    (
        Fault.auth(),
        "anthropic",
        401,
        anthropic_error("authentication_error", f"invalid x-api-key {KEY}"),
    ),
    (
        Fault.bad_request(),
        "openai",
        400,
        openai_error("Invalid parameter", "invalid_request_error", None),
    ),
    (
        Fault.bad_request("Invalid parameter: temperature"),
        "zhipu",
        400,
        zhipu_error("1210", "Invalid parameter: temperature"),
    ),
    (
        Fault.bad_request("nope"),
        "anthropic",
        400,
        anthropic_error("invalid_request_error", "nope"),
    ),
    *[
        (Fault.http(418, {"teapot": True}, {"x-extra": "1"}), flavor, 418, {"teapot": True})
        for flavor in FLAVORS
    ],
    # stream_error on a non-stream request is a plain server error
    (Fault.stream_error(after_chunks=2), "openai", 500, SERVER_ERROR),
    (
        Fault.stream_error(),
        "anthropic",
        500,
        anthropic_error("api_error", "Internal server error"),
    ),
]


async def send(
    client: httpx.AsyncClient, provider: LocalProvider, key: str = KEY, **extra: Any
) -> httpx.Response:
    headers = headers_for(provider)
    if provider.wire == "anthropic":
        headers["x-api-key"] = key
    else:
        headers["authorization"] = f"Bearer {key}"
    return await client.post(endpoint(provider), json=body_for(provider, **extra), headers=headers)


# every case as a JSON request and as a stream request (where the error comes before the
# stream starts), except stream_error, which only a non-stream request turns into a 500
CASES = [
    (*case, stream)
    for case in EXPECTED
    for stream in (False, True)
    if not (stream and case[0].kind == "stream_error")
]


@pytest.mark.parametrize(
    ("fault", "flavor", "status", "body", "stream"),
    CASES,
    ids=[
        f"{f.kind}-{status}-{flavor}-{'stream' if stream else 'json'}"
        for f, flavor, status, _, stream in CASES
    ],
)
async def test_error_fault_rendering(
    server: LocalProviderServer,
    client: httpx.AsyncClient,
    fault: Fault,
    flavor: str,
    status: int,
    body: dict[str, Any],
    stream: bool,
) -> None:
    provider = add(server, flavor)
    provider.fail_next(fault)
    resp = await send(client, provider, stream=stream)
    assert resp.status_code == status
    assert resp.headers["content-type"] == "application/json"
    assert resp.json() == body
    assert provider.requests[0].fault == fault.kind
    if fault.kind == "http":
        assert resp.headers["x-extra"] == "1"
    # the fault was used up: the next request succeeds
    assert (await send(client, provider)).status_code == 200


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_rate_limit_headers(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    provider = add(server, flavor)
    provider.fail_next(Fault.rate_limit(retry_after=0.6))
    provider.fail_next(Fault.rate_limit(retry_after=60, retry_after_ms=60000))
    provider.fail_next(Fault.rate_limit())
    first, second, third = [await send(client, provider) for _ in range(3)]
    assert first.headers["retry-after"] == "0.6"
    assert "retry-after-ms" not in first.headers
    assert second.headers["retry-after"] == "60"
    assert second.headers["retry-after-ms"] == "60000"
    assert "retry-after" not in third.headers and "retry-after-ms" not in third.headers


async def test_raw_http_fault_with_text_body(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    gpt.fail_next(Fault.http(502, "<html>bad gateway</html>"))
    resp = await call(client, gpt)
    assert resp.status_code == 502
    assert resp.text == "<html>bad gateway</html>"
    assert resp.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("flavor", "finish"),
    [("openai", "content_filter"), ("zhipu", "sensitive"), ("anthropic", "refusal")],
)
async def test_filtered_finish(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str, finish: str
) -> None:
    provider = add(server, flavor)
    provider.fail_always(Fault.filtered_finish())
    plain = (await send(client, provider)).json()
    streamed = await send(client, provider, stream=True)
    if flavor == "anthropic":
        assert plain["stop_reason"] == finish
        events = anthropic_events(streamed.text)
        assert events[-2][1]["delta"]["stop_reason"] == finish
        assert anthropic_stream_text(events) == plain["content"][0]["text"]
    else:
        assert plain["choices"][0]["finish_reason"] == finish
        chunks = openai_chunks(streamed.text)
        assert chunks[-1]["choices"][0]["finish_reason"] == finish
        assert openai_stream_text(chunks) == plain["choices"][0]["message"]["content"]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_network_error_finish(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    provider = add(server, flavor)
    provider.fail_always(Fault.network_error_finish())
    resp = await send(client, provider)
    if flavor == "anthropic":  # no such stop reason: Anthropic answers 500 api_error
        assert resp.status_code == 500
        assert resp.json()["error"]["type"] == "api_error"
        return
    assert resp.json()["choices"][0]["finish_reason"] == "network_error"


async def test_network_error_finish_anthropic_stream_ends_in_error_event(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    provider = add(server, "anthropic")
    provider.fail_always(Fault.network_error_finish())
    resp = await client.post(
        endpoint(provider), json=body_for(provider, stream=True), headers=headers_for(provider)
    )
    events = parse_sse(resp.text)
    names = [name for name, _ in events]
    assert names[-1] == "error" and "message_delta" not in names
    assert "network_error" not in resp.text
    assert json.loads(events[-1][1])["error"]["type"] == "api_error"
    assert any(name == "content_block_delta" for name in names)


# -- fault plans --------------------------------------------------------------------------------


async def test_fail_next_then_always_then_clear(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    glm = server.add_provider("glm", wire="openai", flavor="zhipu")
    glm.fail_next(Fault.server_error(503), times=2)
    glm.fail_next(Fault.quota())
    glm.fail_always(Fault.overloaded())
    statuses = [(await call(client, glm)).status_code for _ in range(5)]
    assert statuses == [503, 503, 429, 503, 503]
    assert [r.fault for r in glm.requests] == [
        "server_error",
        "server_error",
        "quota",
        "overloaded",
        "overloaded",
    ]
    assert glm.request_count == 5
    glm.clear_faults()
    assert (await call(client, glm)).status_code == 200
    assert glm.request_count == 6


async def test_fail_rate_is_seeded(server: LocalProviderServer, client: httpx.AsyncClient) -> None:
    a = server.add_provider("a")
    b = server.add_provider("b")
    for provider in (a, b):
        provider.fail_rate(0.3, Fault.server_error(500), seed=7)
    runs = []
    for provider in (a, b):
        runs.append([(await call(client, provider)).status_code for _ in range(200)])
    assert runs[0] == runs[1]
    failures = runs[0].count(500)
    assert 40 <= failures <= 80
    assert set(runs[0]) == {200, 500}
    assert a.request_count == 200
    a.fail_next(Fault.quota())  # the queue wins over the random plan
    assert (await call(client, a)).status_code == 429
    a.clear_faults()
    assert {(await call(client, a)).status_code for _ in range(20)} == {200}
    with pytest.raises(ValueError):
        a.fail_rate(1.5, Fault.quota())


async def test_fault_delay(server: LocalProviderServer, client: httpx.AsyncClient) -> None:
    gpt = server.add_provider("gpt")
    gpt.fail_next(Fault.server_error(500, delay_s=0.2))
    started = time.monotonic()
    assert (await call(client, gpt)).status_code == 500
    assert time.monotonic() - started >= 0.2


async def test_context_window_auto_fault(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    glm = server.add_provider("glm", wire="openai", flavor="zhipu")
    gpt = server.add_provider("gpt")
    claude = server.add_provider("claude", wire="anthropic")
    long_text = "a long prompt " * 20
    tokens = prompt_tokens(long_text)
    for provider in (glm, gpt, claude):
        provider.context_window = 10
        assert (await call(client, provider, "short")).status_code == 200
        resp = await call(client, provider, long_text)
        assert resp.status_code == 400
        assert provider.requests[-1].fault == "context_too_long"
    assert (await call(client, glm, long_text)).json()["error"]["code"] == "1261"
    message = (await call(client, gpt, long_text)).json()["error"]["message"]
    assert message == (
        f"This model's maximum context length is 10 tokens. "
        f"However, your messages resulted in {tokens} tokens."
    )
    message = (await call(client, claude, long_text)).json()["error"]["message"]
    assert message == f"prompt is too long: {tokens} tokens > 10 maximum"


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_expected_api_key(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    provider = add(server, flavor)
    provider.expected_api_key = "right-key"
    provider.fail_next(Fault.quota())
    wrong = await send(client, provider, key="wrong-key-123")
    assert wrong.status_code == 401
    assert "wrong-key-123" in wrong.text
    assert provider.requests[0].fault == "auth"
    # the refusal did not use up the queued fault
    assert (await send(client, provider, key="right-key")).status_code == 429
    assert (await send(client, provider, key="right-key")).status_code == 200
    assert provider.request_count == 3


async def test_anthropic_version_required(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    resp = await client.post(endpoint(claude), json=body_for(claude), headers={"x-api-key": "k"})
    assert resp.status_code == 400
    assert resp.json() == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "anthropic-version header is required",
        },
    }
    assert claude.request_count == 1


# -- hang, drops, broken streams ----------------------------------------------------------------


async def wait_for(predicate: Any, timeout: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return bool(predicate())


@pytest.mark.parametrize("flavor", ["zhipu", "anthropic"])
async def test_hang_until_client_times_out(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    provider = add(server, flavor)
    provider.fail_always(Fault.hang())
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            endpoint(provider), json=body_for(provider), headers=headers_for(provider), timeout=0.3
        )
    assert await wait_for(lambda: provider.requests[0].disconnected)
    assert provider.requests[0].fault == "hang"
    assert provider.requests[0].finished_at is not None


async def test_hang_until_client_task_is_cancelled(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    gpt.fail_always(Fault.hang())
    task = asyncio.create_task(call(client, gpt, stream=True))
    assert await wait_for(lambda: gpt.request_count == 1)
    await asyncio.sleep(0.05)
    assert not gpt.requests[0].disconnected
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = time.monotonic()
    assert await wait_for(lambda: gpt.requests[0].disconnected)
    assert time.monotonic() - started < 1


async def test_stop_releases_hanging_requests() -> None:
    server = LocalProviderServer()
    await server.start()
    gpt = server.add_provider("gpt")
    gpt.fail_always(Fault.hang())
    async with httpx.AsyncClient() as client:
        task = asyncio.create_task(call(client, gpt))
        assert await wait_for(lambda: gpt.request_count == 1)
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(httpx.TransportError):
            await task


async def test_latency_notices_disconnect(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    gpt.set_latency(30)
    with pytest.raises(httpx.ReadTimeout):
        await client.post(endpoint(gpt), json=body_for(gpt), timeout=0.2)
    assert await wait_for(lambda: gpt.requests[0].disconnected)


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("after", [0, 3])
async def test_drop_stream(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str, after: int
) -> None:
    provider = add(server, flavor)
    provider.fail_always(Fault.drop_stream(after_chunks=after))
    received = ""
    with pytest.raises(httpx.TransportError):
        async with client.stream(
            "POST",
            endpoint(provider),
            json=body_for(provider, stream=True),
            headers=headers_for(provider),
        ) as resp:
            assert resp.status_code == 200
            async for text in resp.aiter_text():
                received += text
    events = parse_sse(received)
    if flavor == "anthropic":
        names = [name for name, _ in events]
        assert (
            names
            == ["message_start", "content_block_start", "ping"] + ["content_block_delta"] * after
        )
        assert "message_stop" not in received
    else:
        chunks = [json.loads(data) for _, data in events]
        assert len(chunks) == 1 + after
        assert "[DONE]" not in received
        assert all(c["choices"][0]["finish_reason"] is None for c in chunks)
    assert provider.requests[0].finished_at is not None


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_drop_non_stream(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    provider = add(server, flavor)
    provider.fail_always(Fault.drop_stream())
    with pytest.raises(httpx.TransportError):
        await send(client, provider)


@pytest.mark.parametrize("after", [0, 2])
async def test_stream_error_events(
    server: LocalProviderServer, client: httpx.AsyncClient, after: int
) -> None:
    gpt = server.add_provider("gpt")
    claude = server.add_provider("claude", wire="anthropic")
    for provider in (gpt, claude):
        provider.fail_always(Fault.stream_error(after_chunks=after))
    events = parse_sse((await call(client, gpt, stream=True)).text)
    assert len(events) == 1 + after + 1
    assert json.loads(events[-1][1]) == {
        "error": {
            "message": "The server had an error while processing your request.",
            "type": "server_error",
        }
    }
    events = parse_sse((await call(client, claude, stream=True)).text)
    assert [name for name, _ in events] == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * after,
        "error",
    ]
    assert json.loads(events[-1][1]) == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_malformed(
    server: LocalProviderServer, client: httpx.AsyncClient, flavor: str
) -> None:
    provider = add(server, flavor)
    provider.fail_always(Fault.malformed())
    resp = await send(client, provider)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.text == '{"id": "chatcmpl-broken", "choices": ['
    with pytest.raises(json.JSONDecodeError):
        resp.json()
    events = parse_sse((await send(client, provider, stream=True)).text)
    assert len(events) == 2
    json.loads(events[0][1])
    assert events[1][1] == "{not json"


def test_fault_value_object() -> None:
    fault = Fault.rate_limit(retry_after=2, delay_s=0.5)
    assert fault.kind == "rate_limit" and fault.status == 429
    assert fault.retry_after == 2 and fault.delay_s == 0.5
    assert str(fault) == "rate_limit"
    assert fault == Fault.rate_limit(retry_after=2, delay_s=0.5)
    assert hash(fault) == hash(Fault.rate_limit(retry_after=2, delay_s=0.5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fault.kind = "quota"  # type: ignore[misc]
    kinds = {
        Fault.http(400).kind,
        Fault.quota().kind,
        Fault.server_error().kind,
        Fault.overloaded().kind,
        Fault.context_too_long().kind,
        Fault.content_filter().kind,
        Fault.filtered_finish().kind,
        Fault.auth().kind,
        Fault.bad_request().kind,
        Fault.hang().kind,
        Fault.drop_stream(after_chunks=1).kind,
        Fault.stream_error(after_chunks=1).kind,
        Fault.malformed().kind,
        Fault.network_error_finish().kind,
        fault.kind,
    }
    assert len(kinds) == 15
    assert Fault.drop_stream(after_chunks=4).after_chunks == 4
