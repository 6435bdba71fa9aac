"""`Router.aembedding` end to end over loopback HTTP: fallback between two deployments of the
same embedding model, retries, the deadline, answers that are not one vector per input, a
model without embeddings skipped, calls refused by name before any request, the cache (hits,
tenants), budgets and the data policy; through the native adapter and through litellm."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from embed_support import ENV, MODEL, TEXTS, EmbeddingFleet

from llmrouter import (
    BadRequestError,
    BudgetExceededError,
    EmbeddingResponse,
    NoEligibleModelError,
    RequestValidationError,
)
from llmrouter.config import load_dict
from llmrouter.config.secrets import Redactor
from llmrouter.datapolicy.enforce import EnforcingProvider, policy_scope
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.providers.base import ProviderCall
from llmrouter.providers.dispatch import AdapterDispatch
from llmrouter.testing import Fault, LocalProviderServer
from llmrouter.testing.vectors import vector_for
from redis_support import running_redis


@pytest.fixture(params=["native", "litellm"])
async def fleet(request: pytest.FixtureRequest) -> AsyncIterator[EmbeddingFleet]:
    async with LocalProviderServer() as server:
        yield EmbeddingFleet(server, adapter=request.param)


@pytest.fixture
async def native() -> AsyncIterator[EmbeddingFleet]:
    async with LocalProviderServer() as server:
        yield EmbeddingFleet(server, adapter="native")


def expected(texts: list[str] = TEXTS, dimensions: int | None = None) -> list[list[float]]:
    return [vector_for(MODEL, text, dimensions) for text in texts]


def outcomes(resp: EmbeddingResponse) -> list[tuple[str, str, str | None]]:
    return [(a.model, a.outcome, a.error) for a in resp.route.attempts]


@pytest.mark.parametrize("fault", [Fault.server_error(503), Fault.rate_limit()], ids=str)
async def test_falls_back_to_the_other_deployment(fleet: EmbeddingFleet, fault: Fault) -> None:
    fleet.us.fail_next(fault)
    async with fleet.router() as router:
        resp = await router.aembedding(model="embed", input=TEXTS)
    assert resp.route.model == "small-eu"
    kind = "unavailable" if fault.kind == "server_error" else "rate_limit"
    assert outcomes(resp) == [("small-us", "error", kind), ("small-eu", "ok", None)]
    assert [a.kind for a in resp.route.attempts] == ["first", "fallback"]
    assert resp.vectors == expected()  # the same model answers alike wherever it runs
    assert fleet.counts == (1, 1, 0, 0)


async def test_retries_the_same_deployment_one_request_per_attempt(fleet: EmbeddingFleet) -> None:
    fleet.us.fail_next(Fault.server_error(500), times=2)
    async with fleet.router(fleet.config(retries=2)) as router:
        resp = await router.aembedding(model="embed", input=TEXTS)
    assert [a.kind for a in resp.route.attempts] == ["first", "retry", "retry"]
    assert resp.route.model == "small-us"
    # litellm's OpenAI embedding path once turned max_retries=0 into two SDK retries.
    assert fleet.counts == (3, 0, 0, 0)


async def test_a_hanging_deployment_times_out_and_falls_back(fleet: EmbeddingFleet) -> None:
    fleet.us.fail_next(Fault.hang())
    async with fleet.router(fleet.config(attempt_timeout_s=0.5)) as router:
        resp = await router.aembedding(model="embed", input=TEXTS)
    assert outcomes(resp) == [("small-us", "error", "timeout"), ("small-eu", "ok", None)]


@pytest.mark.parametrize(
    "body",
    [
        {"object": "list", "data": [], "model": MODEL},
        {"object": "list", "data": [{"index": 0, "embedding": [0.1]}], "model": MODEL},
        {
            "object": "list",
            "data": [{"index": 0, "embedding": []}, {"index": 1, "embedding": [0.1]}],
            "model": MODEL,
        },
    ],
    ids=["no-vectors", "one-vector-for-two-inputs", "an-empty-vector"],
)
async def test_an_answer_without_a_vector_per_input_falls_back(
    native: EmbeddingFleet, body: dict[str, object]
) -> None:
    native.us.fail_next(Fault.http(200, body))
    async with native.router() as router:
        resp = await router.aembedding(model="embed", input=TEXTS)
    assert outcomes(resp) == [("small-us", "error", "invalid_response"), ("small-eu", "ok", None)]
    assert resp.vectors == expected()


async def test_a_malformed_body_is_retried(fleet: EmbeddingFleet) -> None:
    fleet.us.fail_next(Fault.malformed())
    async with fleet.router(fleet.config(retries=1)) as router:
        resp = await router.aembedding(model="embed", input=TEXTS)
    # litellm's OpenAI SDK reports the unparseable body as a 500, which retries alike.
    kind = "malformed_response" if fleet.adapter == "native" else "unavailable"
    assert outcomes(resp) == [("small-us", "error", kind), ("small-us", "ok", None)]


async def test_a_model_without_embeddings_is_skipped_without_a_call(fleet: EmbeddingFleet) -> None:
    async with fleet.router() as router:
        resp = await router.aembedding(model="claude-first", input=TEXTS)
        with pytest.raises(NoEligibleModelError, match="no_embeddings") as info:
            await router.aembedding(model="only-claude", input=TEXTS)
    skip = resp.route.attempts[0]
    assert (skip.model, skip.outcome, skip.error) == ("claude", "skipped", "no_embeddings")
    assert skip.detail == "the anthropic API has no embeddings endpoint"
    assert resp.route.model == "small-us"
    assert [a.error for a in info.value.attempts] == ["no_embeddings"]
    assert fleet.claude.request_count == 0


async def test_a_chat_model_in_an_embedding_route_is_skipped(native: EmbeddingFleet) -> None:
    config = native.config()
    config["models"]["gpt"] = {"provider": "openai-us", "model": "openai/gpt-4o-mini"}
    config["routes"]["embed"]["models"] = ["gpt", "small-eu"]
    async with native.router(config) as router:
        resp = await router.aembedding(model="embed", input=TEXTS)
    assert outcomes(resp)[0] == ("gpt", "skipped", "no_embeddings")
    assert "chat model" in (resp.route.attempts[0].detail or "")
    assert native.counts == (0, 1, 0, 0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"input": TEXTS, "temperature": 0.2}, "temperature"),
        ({"input": TEXTS, "dimension": 256}, "dimension"),
        ({"input": TEXTS, "encoding_format": "int8"}, "encoding_format"),
        ({"input": TEXTS, "dimensions": 0}, "dimensions"),
        ({"input": TEXTS, "api_key": "sk-x"}, "api_key"),
        ({"input": TEXTS, "stream": True}, "stream"),
        ({"input": []}, "input"),
        ({"input": ["fine", ""]}, "input[1]"),
        ({"input": ["fine", 3]}, "input[1]"),
        ({"input": [[101, 202]]}, "input"),
        ({"input": [101, 202]}, "input"),
        ({"input": ["x"] * 2049}, "input"),
        ({"input": ["bad \ud83d half"]}, "input[0]"),
    ],
)
async def test_bad_calls_are_refused_by_name_before_any_request(
    native: EmbeddingFleet, kwargs: dict[str, object], field: str
) -> None:
    async with native.router() as router:
        with pytest.raises(RequestValidationError) as info:
            await router.aembedding(model="embed", **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert native.server.total_requests == 0


async def test_did_you_mean_for_a_misspelt_parameter(native: EmbeddingFleet) -> None:
    async with native.router() as router:
        with pytest.raises(RequestValidationError, match="did you mean 'dimensions'"):
            await router.aembedding(model="embed", input=TEXTS, dimension=256)


async def test_what_the_vendor_refuses_stops_the_route(native: EmbeddingFleet) -> None:
    config = native.config()
    config["models"]["small-us"]["model"] = "openai/text-embedding-ada-002"
    async with native.router(config) as router:
        with pytest.raises(BadRequestError, match="does not support specifying dimensions"):
            await router.aembedding(model="embed", input=TEXTS, dimensions=64)
    assert native.counts == (1, 0, 0, 0)  # a 400 is the request's fault: no fallback


async def test_a_cache_hit_makes_no_upstream_call(fleet: EmbeddingFleet) -> None:
    config = fleet.config()
    config["cache"] = {"backend": "memory", "ttl_s": 60}
    async with fleet.router(config) as router:
        first = await router.aembedding(model="embed", input=TEXTS)
        second = await router.aembedding(model="embed", input=TEXTS)
        other = await router.aembedding(model="embed", input=TEXTS[:1])
        shorter = await router.aembedding(model="embed", input=TEXTS, dimensions=8)
    assert fleet.counts == (3, 0, 0, 0)
    assert first.route.cache_hit is False and first.route.cost_usd > 0
    assert second.route.cache_hit is True and second.route.cost_usd == 0.0
    assert second.route.attempts == []
    assert (second.route.model, second.route.provider) == ("small-us", "openai-us")
    assert second.vectors == first.vectors == expected()
    assert other.route.cache_hit is False and shorter.route.cache_hit is False
    assert shorter.vectors == expected(dimensions=8)


async def test_cached_embeddings_are_kept_per_tenant(native: EmbeddingFleet) -> None:
    config = native.config()
    config["cache"] = {"backend": "memory", "ttl_s": 60}
    async with native.router(config) as router:
        acme = await router.aembedding(model="embed", input=TEXTS, metadata={"tenant": "acme"})
        globex = await router.aembedding(model="embed", input=TEXTS, metadata={"tenant": "globex"})
        again = await router.aembedding(model="embed", input=TEXTS, metadata={"tenant": "acme"})
    assert (acme.route.cache_hit, globex.route.cache_hit, again.route.cache_hit) == (
        False,
        False,
        True,
    )
    assert native.counts == (2, 0, 0, 0)


async def test_a_base64_answer_is_cached_as_base64(native: EmbeddingFleet) -> None:
    config = native.config()
    config["cache"] = {"backend": "memory", "ttl_s": 60}
    async with native.router(config) as router:
        first = await router.aembedding(model="embed", input=TEXTS, encoding_format="base64")
        hit = await router.aembedding(model="embed", input=TEXTS, encoding_format="base64")
        floats = await router.aembedding(model="embed", input=TEXTS)
    assert hit.route.cache_hit is True and floats.route.cache_hit is False
    assert hit.vectors == first.vectors and all(isinstance(v, str) for v in hit.vectors)
    assert floats.vectors == expected()


async def test_budgets_are_charged_for_embeddings(fleet: EmbeddingFleet) -> None:
    config = fleet.config()
    config["budgets"] = [{"scope": "route:embed", "limit_usd": 0.0000001}]
    async with fleet.router(config) as router:
        first = await router.aembedding(model="embed", input=TEXTS)
        with pytest.raises(BudgetExceededError) as info:
            await router.aembedding(model="embed", input=TEXTS)
    tokens = first.usage.prompt_tokens
    assert tokens > 0
    assert first.route.cost_usd == pytest.approx(tokens * 0.02 / 1_000_000)  # input price only
    assert info.value.spent_usd == pytest.approx(first.route.cost_usd)
    assert fleet.counts == (1, 0, 0, 0)


async def test_a_forbidden_region_deployment_is_skipped(
    fleet: EmbeddingFleet, tmp_path: Path
) -> None:
    config = fleet.config()
    config["routes"]["embed"]["data_class"] = "eu-only"
    config["data_policy"] = {
        "default_class": "public",
        "audit_log": str(tmp_path / "audit.jsonl"),
        "classes": {"public": {}, "eu-only": {"regions": ["eu"]}},
    }
    async with fleet.router(config) as router:
        resp = await router.aembedding(model="embed", input=TEXTS)
    assert outcomes(resp) == [("small-us", "skipped", "policy"), ("small-eu", "ok", None)]
    assert fleet.counts == (0, 1, 0, 0)
    audit = (tmp_path / "audit.jsonl").read_text()
    assert '"served_model":"small-eu"' in audit.replace(" ", "")
    assert TEXTS[0] not in audit


async def test_zai_embedding_3_answers_floats_or_base64(fleet: EmbeddingFleet) -> None:
    async with fleet.router() as router:
        floats = await router.aembedding(model="glm", input=TEXTS, dimensions=256)
        packed = await router.aembedding(model="glm", input=TEXTS, encoding_format="base64")
    assert floats.vectors == [vector_for("embedding-3", t, 256) for t in TEXTS]
    assert floats.usage.prompt_tokens == floats.usage.total_tokens > 0
    assert all(isinstance(v, str) for v in packed.vectors)  # converted: GLM sends floats only
    assert fleet.glm.requests[0].body == {"model": "embedding-3", "input": TEXTS, "dimensions": 256}


async def test_the_provider_backstop_covers_embeddings(native: EmbeddingFleet) -> None:
    """An embeddings call that bypassed the policy stage is refused by the provider wrapper
    before a byte is sent: outside any scope, and into a forbidden region inside one."""
    config = native.config()
    config["data_policy"] = {
        "default_class": "public",
        "classes": {"public": {}, "eu-only": {"regions": ["eu"]}},
    }
    loaded = load_dict(config)
    provider = EnforcingProvider(
        AdapterDispatch(Redactor(ENV.values())), PolicyGate.from_config(loaded)
    )
    async with native.router(config) as router:
        us, eu = (router.deployments[name] for name in ("small-us", "small-eu"))
        with pytest.raises(NoEligibleModelError, match="outside any policy scope"):
            await provider.embed(ProviderCall(eu, [], input=TEXTS))
        with policy_scope("eu-only"):
            with pytest.raises(NoEligibleModelError, match="small-us"):
                await provider.embed(ProviderCall(us, [], input=TEXTS))
            answer = await provider.embed(ProviderCall(eu, [], input=TEXTS))
    await provider.aclose()
    assert answer.vectors == expected()
    assert native.counts == (0, 1, 0, 0)


async def test_two_routers_share_cached_embeddings_through_redis(native: EmbeddingFleet) -> None:
    config = native.config()
    with running_redis() as redis:
        config["cache"] = {"backend": "redis", "url": redis.url, "ttl_s": 60}
        async with native.router(config) as a, native.router(config) as b:
            first = await a.aembedding(model="embed", input=TEXTS, encoding_format="base64")
            shared = await b.aembedding(model="embed", input=TEXTS, encoding_format="base64")
            floats = await b.aembedding(model="embed", input=TEXTS)
    assert shared.route.cache_hit and shared.vectors == first.vectors
    assert isinstance(shared, EmbeddingResponse) and floats.route.cache_hit is False
    assert native.counts == (2, 0, 0, 0)


async def test_an_embedding_route_is_neither_shadowed_nor_canaried(native: EmbeddingFleet) -> None:
    """Vectors of another model belong to another index: a route's shadow and canary apply to
    its chat requests only, so every embedding is served by the route's own models."""
    config = native.config(
        shadow={"models": ["glm-embed"], "sample": 1.0},
        canary={"model": "glm-embed", "percent": 100, "sticky_by": "none", "min_samples": 1},
    )
    async with native.router(config) as router:
        for _ in range(5):
            resp = await router.aembedding(model="embed", input=TEXTS)
            assert resp.route.model == "small-us"
            assert [a.kind for a in resp.route.attempts] == ["first"]
        await asyncio.sleep(0.05)  # a shadow, were one started, would have been sent by now
    assert native.counts == (5, 0, 0, 0)
