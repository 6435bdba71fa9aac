"""The stand-ins' embeddings endpoint over raw HTTP: OpenAI's answer shape, what OpenAI and Z.ai
refuse and how they say it, the Anthropic wire's 404, deterministic vectors, and the same
scripted faults as chat completions."""

from __future__ import annotations

import base64
import math
import struct
import time
from typing import Any

import httpx
import pytest

from llmrouter.testing import Fault, LocalProvider, LocalProviderServer
from llmrouter.testing.vectors import vector_for

MODEL = "text-embedding-3-small"


def url(provider: LocalProvider) -> str:
    return provider.api_base + "/embeddings"


async def post(client: httpx.AsyncClient, provider: LocalProvider, **body: Any) -> httpx.Response:
    return await client.post(url(provider), json=body, headers={"Authorization": "Bearer sk-x"})


async def test_the_answer_has_openai_s_shape(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    resp = await post(client, gpt, model=MODEL, input=["hello", "hello world!"])
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"object", "data", "model", "usage"}
    assert (body["object"], body["model"]) == ("list", MODEL)
    assert [(d["object"], d["index"]) for d in body["data"]] == [("embedding", 0), ("embedding", 1)]
    assert body["usage"] == {"prompt_tokens": 2 + 3, "total_tokens": 5}
    vector = body["data"][0]["embedding"]
    assert len(vector) == 1536 and math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-5)
    assert vector == vector_for(MODEL, "hello")
    assert gpt.requests[0].path == "/gpt/embeddings" and gpt.request_count == 1
    v1 = await client.post(gpt.api_base + "/v1/embeddings", json={"model": MODEL, "input": "a"})
    assert v1.status_code == 200


async def test_vectors_are_deterministic_and_dimensions_cut_them(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    full = (await post(client, gpt, model=MODEL, input="same text")).json()["data"][0]["embedding"]
    again = (await post(client, gpt, model=MODEL, input="same text")).json()["data"][0]["embedding"]
    large = await post(client, gpt, model="text-embedding-3-large", input="same text")
    cut = await post(client, gpt, model=MODEL, input="same text", dimensions=8)
    short = cut.json()["data"][0]["embedding"]
    assert full == again
    assert len(large.json()["data"][0]["embedding"]) == 3072
    norm = math.sqrt(sum(v * v for v in full[:8]))
    assert short == pytest.approx([v / norm for v in full[:8]], rel=1e-5)


async def test_base64_is_little_endian_float32(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    floats = await post(client, gpt, model=MODEL, input="x", dimensions=16)
    packed = await post(
        client, gpt, model=MODEL, input="x", dimensions=16, encoding_format="base64"
    )
    raw = base64.b64decode(packed.json()["data"][0]["embedding"])
    assert list(struct.unpack("<16f", raw)) == floats.json()["data"][0]["embedding"]


async def test_token_arrays_are_embedded(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    one = await post(client, gpt, model=MODEL, input=[101, 202, 303])
    two = await post(client, gpt, model=MODEL, input=[[101, 202], [7]])
    assert len(one.json()["data"]) == 1 and one.json()["usage"]["prompt_tokens"] == 3
    assert len(two.json()["data"]) == 2 and two.json()["usage"]["prompt_tokens"] == 3


@pytest.mark.parametrize(
    ("body", "rule", "message"),
    [
        ({"input": "x"}, "embedding_model", "you must provide a model parameter"),
        ({"model": MODEL}, "embedding_input", "'input' is a required property"),
        ({"model": MODEL, "input": ""}, "embedding_input", "'$.input' is invalid"),
        ({"model": MODEL, "input": []}, "embedding_input", "'$.input' is invalid"),
        ({"model": MODEL, "input": ["a", ""]}, "embedding_input", "'$.input' is invalid"),
        ({"model": MODEL, "input": ["a"] * 2049}, "embedding_input", "'$.input' is invalid"),
        ({"model": MODEL, "input": [{"text": "a"}]}, "embedding_input", "'$.input' is invalid"),
        (
            {"model": MODEL, "input": "a", "encoding_format": "int8"},
            "embedding_encoding_format",
            "'int8' is not one of ['float', 'base64']",
        ),
        (
            {"model": "text-embedding-ada-002", "input": "a", "dimensions": 8},
            "embedding_dimensions",
            "This model does not support specifying dimensions.",
        ),
        (
            {"model": MODEL, "input": "a", "dimensions": 4096},
            "embedding_dimensions",
            "Must be between 1 and 1536",
        ),
        (
            {"model": MODEL, "input": "a", "temperature": 0},
            "unknown_param",
            "Unrecognized request argument supplied: temperature",
        ),
    ],
)
async def test_openai_refusals(
    server: LocalProviderServer,
    client: httpx.AsyncClient,
    body: dict[str, Any],
    rule: str,
    message: str,
) -> None:
    gpt = server.add_provider("gpt")
    resp = await client.post(url(gpt), json=body)
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert message in error["message"]
    assert error["type"] == "invalid_request_error"
    assert (gpt.requests[0].fault, gpt.requests[0].refusal) == ("refused", rule)
    gpt.relax(rule)
    assert (await client.post(url(gpt), json=body)).status_code == 200  # relaxed: answered


@pytest.mark.parametrize(
    "body",
    [
        {"model": "embedding-3", "input": "a", "dimensions": 300},
        {"model": "embedding-2", "input": "a", "dimensions": 1024},
        {"model": "embedding-3", "input": [1, 2, 3]},
        {"input": "a"},
    ],
)
async def test_zhipu_refusals(
    server: LocalProviderServer, client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    glm = server.add_provider("glm", flavor="zhipu")
    resp = await client.post(url(glm), json=body)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "1214"


async def test_zhipu_answers_floats_with_completion_tokens(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    glm = server.add_provider("glm", flavor="zhipu")
    resp = await post(
        client, glm, model="embedding-3", input=["a"], dimensions=512, encoding_format="base64"
    )
    body = resp.json()
    assert body["usage"] == {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}
    assert len(body["data"][0]["embedding"]) == 512  # floats, whatever was asked
    default = await post(client, glm, model="embedding-3", input="a")
    assert len(default.json()["data"][0]["embedding"]) == 2048


async def test_the_anthropic_wire_has_no_embeddings(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    claude = server.add_provider("claude", wire="anthropic")
    for path in ("/embeddings", "/v1/embeddings"):
        resp = await client.post(claude.api_base + path, json={"model": "x", "input": "a"})
        assert resp.status_code == 404
    assert claude.request_count == 0


async def test_scripted_faults_apply_to_embeddings(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    gpt.fail_next(Fault.rate_limit(retry_after=2))
    gpt.fail_next(Fault.auth())
    gpt.fail_next(Fault.malformed())
    gpt.fail_next(Fault.stream_error())
    limited = await post(client, gpt, model=MODEL, input="a")
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "2")
    denied = await post(client, gpt, model=MODEL, input="a")
    assert denied.status_code == 401 and "sk-x" in denied.json()["error"]["message"]
    broken = await post(client, gpt, model=MODEL, input="a")
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    assert (await post(client, gpt, model=MODEL, input="a")).status_code == 500
    assert [r.fault for r in gpt.requests] == ["rate_limit", "auth", "malformed", "stream_error"]


async def test_latency_hang_and_context_window(
    server: LocalProviderServer, client: httpx.AsyncClient
) -> None:
    gpt = server.add_provider("gpt")
    gpt.set_latency(0.2)
    started = time.monotonic()
    assert (await post(client, gpt, model=MODEL, input="a")).status_code == 200
    assert time.monotonic() - started >= 0.2
    gpt.set_latency(0)
    gpt.fail_next(Fault.hang())
    with pytest.raises(httpx.ReadTimeout):
        await client.post(url(gpt), json={"model": MODEL, "input": "a"}, timeout=0.3)
    gpt.context_window = 4
    long = await post(client, gpt, model=MODEL, input=["short", "x" * 40])
    assert long.status_code == 400
    assert long.json()["error"]["code"] == "context_length_exceeded"
