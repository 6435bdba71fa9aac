"""What `aembedding` returns, over loopback HTTP: the litellm path answers exactly as the native
one, base64 round-trips, the official OpenAI SDK reads the stand-in's answers as it reads
OpenAI's, and the spans follow the GenAI conventions for embeddings without any input text."""

from __future__ import annotations

import base64
import importlib.util
import json
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest
from embed_support import ENV, MODEL, TEXTS, EmbeddingFleet
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics
from otel_support import Otel

from llmrouter import AllModelsFailedError
from llmrouter.providers.embeddings import decode_vector
from llmrouter.testing import Fault, LocalProviderServer
from llmrouter.testing.vectors import vector_for
from support import CANARY_KEY

EMBEDDINGS = gen_ai.GenAiOperationNameValues.EMBEDDINGS.value


@pytest.fixture
async def fleet() -> AsyncIterator[EmbeddingFleet]:
    async with LocalProviderServer() as server:
        yield EmbeddingFleet(server, adapter="native")


def through_litellm(config: dict[str, Any]) -> dict[str, Any]:
    for provider in config["providers"].values():
        provider["adapter"] = "litellm"
    return config


@pytest.mark.parametrize(
    "params",
    [{}, {"dimensions": 64}, {"encoding_format": "base64"}, {"encoding_format": "float"}],
    ids=["default", "dimensions", "base64", "float"],
)
@pytest.mark.parametrize("route", ["embed", "glm"])
async def test_litellm_answers_as_the_native_adapter(
    fleet: EmbeddingFleet, route: str, params: dict[str, Any]
) -> None:
    if route == "glm" and "dimensions" in params:
        params = {"dimensions": 256}
    async with fleet.router() as native, fleet.router(through_litellm(fleet.config())) as lite:
        a = await native.aembedding(model=route, input=TEXTS, **params)
        b = await lite.aembedding(model=route, input=TEXTS, **params)
    assert b.vectors == a.vectors
    assert (b.model, b.usage.prompt_tokens, b.usage.total_tokens) == (
        a.model,
        a.usage.prompt_tokens,
        a.usage.total_tokens,
    )
    assert b.route.cost_usd == a.route.cost_usd
    sent = fleet.glm.requests if route == "glm" else fleet.us.requests
    assert sent[0].body["input"] == sent[1].body["input"] == TEXTS
    assert sent[1].headers["authorization"] == f"Bearer {CANARY_KEY}"


async def test_base64_round_trips_to_the_float_answer(fleet: EmbeddingFleet) -> None:
    async with fleet.router() as router:
        floats = await router.aembedding(model="embed", input=TEXTS, dimensions=32)
        packed = await router.aembedding(
            model="embed", input=TEXTS, dimensions=32, encoding_format="base64"
        )
    assert fleet.us.requests[1].body["encoding_format"] == "base64"  # asked of the vendor
    for text, vector in zip(packed.vectors, floats.vectors, strict=True):
        assert isinstance(text, str)
        assert decode_vector(text) == vector
        raw = base64.b64decode(text)
        assert list(struct.unpack(f"<{len(raw) // 4}f", raw)) == vector  # little-endian f32


async def test_a_string_input_is_one_input(fleet: EmbeddingFleet) -> None:
    async with fleet.router() as router:
        resp = await router.aembedding(model="embed", input=TEXTS[0])
    assert resp.vectors == [vector_for(MODEL, TEXTS[0])]
    assert [d.index for d in resp.data] == [0]
    assert resp.object == "list" and resp.data[0].object == "embedding"


openai_installed = importlib.util.find_spec("openai") is not None


@pytest.mark.skipif(not openai_installed, reason="the openai package is not installed")
async def test_the_openai_sdk_reads_the_stand_in_as_openai(fleet: EmbeddingFleet) -> None:
    import openai

    async with openai.AsyncOpenAI(
        base_url=fleet.us.api_base, api_key=CANARY_KEY, max_retries=0
    ) as client:
        default = await client.embeddings.create(model=MODEL, input=TEXTS)  # base64 on the wire
        floats = await client.embeddings.create(
            model=MODEL, input=TEXTS, encoding_format="float", dimensions=16
        )
        with pytest.raises(openai.BadRequestError, match="Unrecognized request argument"):
            await client.embeddings.create(model=MODEL, input=TEXTS, extra_body={"top_k": 1})
    assert fleet.us.requests[0].body["encoding_format"] == "base64"
    assert [d.embedding for d in default.data] == [vector_for(MODEL, t) for t in TEXTS]
    assert [d.embedding for d in floats.data] == [vector_for(MODEL, t, 16) for t in TEXTS]
    assert default.usage.prompt_tokens == default.usage.total_tokens > 0
    async with fleet.router() as router:
        ours = await router.aembedding(model="embed", input=TEXTS)
    assert ours.vectors == [d.embedding for d in default.data]
    assert ours.usage.prompt_tokens == default.usage.prompt_tokens


def attributes_text(otel: Otel) -> str:
    parts = []
    for span in otel.finished():
        parts.append(json.dumps(dict(span.attributes or {}), default=str))
        for event in span.events:
            parts.append(json.dumps(dict(event.attributes or {}), default=str))
    return "\n".join(parts)


@pytest.mark.parametrize("capture_content", [False, True])
async def test_embedding_spans_follow_the_genai_conventions(
    fleet: EmbeddingFleet, otel: Otel, capture_content: bool
) -> None:
    config = fleet.config()
    config["telemetry"] = {"capture_content": capture_content}
    fleet.us.fail_next(Fault.server_error(503))
    router = fleet.router(
        config, tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider
    )
    async with router:
        resp = await router.aembedding(model="embed", input=TEXTS, dimensions=64)
    failed, answered = otel.attempts()
    assert failed.name == answered.name == f"{EMBEDDINGS} {MODEL}"
    a = dict(answered.attributes or {})
    assert a[gen_ai.GEN_AI_OPERATION_NAME] == EMBEDDINGS
    assert a[gen_ai.GEN_AI_PROVIDER_NAME] == "openai"
    assert a[gen_ai.GEN_AI_REQUEST_MODEL] == a[gen_ai.GEN_AI_RESPONSE_MODEL] == MODEL
    assert a[gen_ai.GEN_AI_USAGE_INPUT_TOKENS] == resp.usage.prompt_tokens
    assert a[gen_ai.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == 64
    assert a[gen_ai.GEN_AI_REQUEST_ENCODING_FORMATS] == ("float",)
    assert a["llmrouter.model"] == "small-eu"
    for absent in (
        gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS,
        gen_ai.GEN_AI_RESPONSE_FINISH_REASONS,
        gen_ai.GEN_AI_REQUEST_STREAM,
        gen_ai.GEN_AI_INPUT_MESSAGES,
    ):
        assert absent not in a
    (request,) = otel.requests()
    assert (request.attributes or {})[gen_ai.GEN_AI_OPERATION_NAME] == EMBEDDINGS
    text = attributes_text(otel)
    assert all(t not in text for t in TEXTS) and CANARY_KEY not in text
    _unit, points = otel.metric_points()[gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE]
    kinds = {p.attributes[gen_ai.GEN_AI_TOKEN_TYPE]: p.sum for p in points}
    assert kinds == {gen_ai.GenAiTokenTypeValues.INPUT.value: resp.usage.prompt_tokens}
    assert {p.attributes[gen_ai.GEN_AI_OPERATION_NAME] for p in points} == {EMBEDDINGS}


async def test_no_key_or_input_in_errors(fleet: EmbeddingFleet) -> None:
    fleet.us.fail_always(Fault.auth())  # the stand-in's message echoes the key, as vendors do
    fleet.eu.fail_always(Fault.server_error(500))
    async with fleet.router() as router:
        with pytest.raises(AllModelsFailedError) as info:
            await router.aembedding(model="embed", input=TEXTS)
    assert [a.error for a in info.value.attempts] == ["auth", "unavailable"]
    text = str(info.value) + "".join(repr(a) for a in info.value.attempts)
    assert ENV["OPENAI_API_KEY"] == CANARY_KEY
    assert CANARY_KEY not in text and TEXTS[0] not in text
