"""Embeddings in process (an in-package function provider): input validation and its estimate,
the window checked per input, cache keys and the cache codec, the answer checks, adapters
without `embed`, and the function provider's own vectors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from llmrouter import (
    BadRequestError,
    ChatCompletion,
    EmbeddingResponse,
    NoEligibleModelError,
    RequestValidationError,
    Router,
)
from llmrouter.cache.codec import CachedAnswer, decode, encode, entry_for
from llmrouter.cache.keys import cache_key
from llmrouter.check import run_check
from llmrouter.errors import InvalidResponseError
from llmrouter.pipeline.attempt.inspection import embeddings_fault
from llmrouter.providers.base import Deployment, ProviderCall
from llmrouter.providers.embeddings import decode_vector, encode_vector
from llmrouter.providers.function import FunctionProvider, make_completion, make_embeddings
from llmrouter.request import CompletionRequest
from llmrouter.routing.estimate import estimate_request
from llmrouter.types import Embedding, Usage

ENV = {"OPENAI_API_KEY": "sk-unit"}


def config(**route: Any) -> dict[str, Any]:
    return {
        "providers": {"openai": {"api_key": "${OPENAI_API_KEY}"}},
        "models": {"small": {"provider": "openai", "model": "openai/text-embedding-3-small"}},
        "routes": {"embed": {"models": ["small"], "retries": 0, **route}},
    }


def embedding_request(texts: object, **params: Any) -> CompletionRequest:
    return CompletionRequest.embedding("embed", texts, params=params)


def test_a_string_is_one_input_and_the_estimate_counts_each_input() -> None:
    assert embedding_request("hello").input == ["hello"]
    estimate = estimate_request(embedding_request(["a" * 8, "b" * 9]))
    assert (estimate.prompt_tokens, estimate.per_input_tokens) == (2 + 3, 3)
    assert estimate.max_output_tokens == 0 and estimate.embedding
    assert estimate.window_tokens == 3


async def test_the_window_holds_each_input_not_their_sum() -> None:
    many = ["word " * 1600] * 20  # ~2,000 tokens each, ~40,000 in all: fits 8,191 per input
    one_long = ["word " * 8000]  # ~10,000 tokens in one input
    provider = FunctionProvider()
    async with Router.from_dict(config(), env=ENV, provider=provider) as router:
        resp = await router.aembedding(model="embed", input=many)
        with pytest.raises(NoEligibleModelError, match="context_window") as info:
            await router.aembedding(model="embed", input=one_long)
    assert len(resp.data) == 20
    assert "per input" in (info.value.attempts[0].detail or "")
    assert len(provider.calls) == 1


def test_embedding_and_chat_keys_never_collide_and_chat_keys_are_unchanged() -> None:
    chat = CompletionRequest.build(
        "embed", [{"role": "user", "content": "hello"}], params={"temperature": 0.0}
    )
    embed = embedding_request(["hello"])
    keys = {cache_key("ns", chat), cache_key("ns", embed)}
    assert len(keys) == 2
    # The key of a chat is what it was before embeddings existed (entries survive upgrades).
    canonical = {
        "target": "embed",
        "tenant": None,
        "data_class": None,
        "messages": chat.messages,
        "params": {"temperature": 0.0},
    }
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert cache_key("ns", chat) == f"ns:cache:v1:{hashlib.sha256(blob.encode()).hexdigest()}"
    assert cache_key("ns", embedding_request(["hello"], dimensions=8)) not in keys
    assert cache_key("ns", embedding_request(["hello", "x"])) not in keys


def test_the_codec_stores_and_restores_both_answer_types() -> None:
    vectors = make_embeddings(["a", "b"], model="m", dimensions=4)
    chat = make_completion("hi")
    for answer in (vectors, chat):
        entry = decode(encode(entry_for("model", "provider", answer)))
        assert entry is not None
        restored = entry.answer
        assert type(restored) is type(answer)
        assert restored == answer
    old_style = CachedAnswer(model="m", provider="p", response=chat).model_dump_json(
        exclude={"embedding"}
    )
    entry = decode(old_style.encode())
    assert entry is not None and isinstance(entry.answer, ChatCompletion)
    assert decode(b'{"model": "m", "provider": "p"}') is None


@pytest.mark.parametrize(
    ("indexes", "vectors", "problem"),
    [
        ([0], [[0.1]], "1 vectors"),
        ([0, 0], [[0.1], [0.2]], "indexes 0, 0"),
        ([0, 2], [[0.1], [0.2]], "indexes 0, 2"),
        ([0, 1], [[0.1], ""], "an empty vector"),
    ],
)
def test_an_answer_must_hold_one_vector_per_input(
    indexes: list[int], vectors: list[Any], problem: str
) -> None:
    router = Router.from_dict(config(), env=ENV, provider=FunctionProvider())
    deployment: Deployment = router.deployments["small"]
    data = [Embedding(index=i, embedding=v) for i, v in zip(indexes, vectors, strict=True)]
    fault = embeddings_fault(EmbeddingResponse(data=data, model="m"), 2, deployment)
    assert isinstance(fault, InvalidResponseError)
    assert problem in fault.detail


class ChatOnly:
    """A custom adapter written before embeddings: complete, stream, aclose."""

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        return make_completion("hi")

    async def stream(self, call: ProviderCall) -> Any:  # pragma: no cover - not called
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


async def test_an_adapter_without_embed_is_named_in_a_typed_error() -> None:
    async with Router.from_dict(config(), env=ENV, provider=ChatOnly()) as router:
        chat = await router.acompletion(model="embed", messages=[{"role": "user", "content": "x"}])
        with pytest.raises(BadRequestError, match="ChatOnly has no embed"):
            await router.aembedding(model="embed", input=["x"])
    assert chat.text == "hi"


async def test_the_function_provider_scripts_embeddings() -> None:
    async def embed(call: ProviderCall) -> EmbeddingResponse:
        data = [Embedding(index=i, embedding=[1.0, 0.0]) for i in range(len(call.input))]
        return EmbeddingResponse(data=data, model="scripted", usage=Usage(prompt_tokens=7))

    default = FunctionProvider()
    scripted = FunctionProvider(embed=embed)
    async with Router.from_dict(config(), env=ENV, provider=default) as router:
        a = await router.aembedding(model="embed", input=["x", "y"], dimensions=8)
        b = await router.aembedding(model="embed", input=["x", "y"], dimensions=8)
        packed = await router.aembedding(model="embed", input=["x"], encoding_format="base64")
    async with Router.from_dict(config(), env=ENV, provider=scripted) as router:
        c = await router.aembedding(model="embed", input=["x", "y"])
    assert a.vectors == b.vectors and len(a.vectors[0]) == 8 and a.vectors[0] != a.vectors[1]
    assert isinstance(packed.vectors[0], str) and len(decode_vector(packed.vectors[0])) == 1536
    assert c.vectors == [[1.0, 0.0], [1.0, 0.0]] and c.usage.prompt_tokens == 7
    assert c.route.cost_usd == pytest.approx(7 * 0.02 / 1e6)


def test_base64_is_little_endian_float32() -> None:
    assert encode_vector([1.0]) == "AACAPw=="  # 0x3f800000, little-endian
    assert decode_vector(encode_vector([0.5, -2.0])) == [0.5, -2.0]
    for broken in ("not base64!", "AACA"):
        with pytest.raises(ValueError):
            decode_vector(broken)


@pytest.mark.parametrize("value", [None, b"bytes", {"a": 1}, 42])
def test_input_of_the_wrong_type_is_refused(value: object) -> None:
    with pytest.raises(RequestValidationError, match=r"^input:"):
        embedding_request(value)


MIXED = """\
providers:
  openai: {api_key: "${OPENAI_API_KEY}"}
  zhipu: {api_key: "${OPENAI_API_KEY}"}
  anthropic: {api_key: "${OPENAI_API_KEY}"}
models:
  small: {provider: openai, model: openai/text-embedding-3-small}
  small-2: {provider: openai, model: openai/text-embedding-3-small}
  glm-embed: {provider: zhipu, model: zai/embedding-3}
  claude: {provider: anthropic, model: anthropic/claude-sonnet-4-5}
  gpt: {provider: openai, model: openai/gpt-4o-mini}
routes:
  search: {models: [small, small-2]}
  mixed: {models: [small, glm-embed, claude]}
  chat: {models: [gpt, claude]}
"""


def test_check_warns_about_routes_that_mix_embedding_models(tmp_path: Path) -> None:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(MIXED)
    report = run_check(str(path), env=ENV)
    mixed = [w for w in report.warnings if "routes.mixed.models" in w]
    assert len(mixed) == 2
    assert any("mixes the embedding models embedding-3, text-embedding-3-small" in w for w in mixed)
    assert any("no embeddings from claude: an embedding request skips it" in w for w in mixed)
    assert not [w for w in report.warnings if "routes.search" in w or "routes.chat" in w]
    embeds = {m["name"]: m["embeddings"] for m in report.data["models"]}
    assert embeds == {
        "small": True,
        "small-2": True,
        "glm-embed": True,
        "claude": False,
        "gpt": False,
    }
