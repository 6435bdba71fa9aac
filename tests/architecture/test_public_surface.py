"""The public surface, pinned: what users import. Everything else is internal (see
docs/architecture.md, "Public surface") and may change without notice."""

from __future__ import annotations

import importlib

import pytest

import llmrouter

SURFACE = {
    "llmrouter": [
        "AllModelsFailedError",
        "Attempt",
        "AuthenticationError",
        "BadRequestError",
        "BudgetExceededError",
        "ChatCompletion",
        "ChatCompletionChunk",
        "ConfigError",
        "ContentFilteredError",
        "ContextWindowExceededError",
        "Embedding",
        "EmbeddingResponse",
        "EvalInputError",
        "ExperimentStoreError",
        "InvalidResponseError",
        "LLMRouterError",
        "MalformedResponseError",
        "NoEligibleModelError",
        "OverloadedError",
        "ProviderError",
        "ProviderTimeoutError",
        "ProviderUnavailableError",
        "QuotaExceededError",
        "RateLimitError",
        "RequestValidationError",
        "RetrySettings",
        "RouteInfo",
        "RouteNotFoundError",
        "Router",
        "RouterStream",
        "RoutingSettings",
        "StreamInterruptedError",
        "Usage",
        "__version__",
    ],
    "llmrouter.strategies": [
        "CompletionRequest",
        "CostStrategy",
        "Deployment",
        "LatencyStrategy",
        "ModelStats",
        "OrderedStrategy",
        "RequestEstimate",
        "RoutingContext",
        "Strategy",
        "StrategySpec",
        "WeightedStrategy",
        "known_strategies",
        "register_strategy",
    ],
    "llmrouter.callbacks": [
        "AttemptEvent",
        "CanaryRollbackEvent",
        "FailureEvent",
        "FallbackEvent",
        "RouterCallbacks",
        "SuccessEvent",
    ],
    "llmrouter.introspection": ["AdapterKind", "ModelInfo", "RouteSummary"],
    "llmrouter.qualify": [
        "CanarySide",
        "CanaryState",
        "CanaryStatus",
        "RouteExperiments",
        "ShadowCandidateStatus",
        "ShadowStatus",
    ],
    "llmrouter.testing": ["Fault", "LocalProvider", "LocalProviderServer", "ReceivedRequest"],
}


@pytest.mark.parametrize("module", sorted(SURFACE))
def test_the_surface_is_exactly_what_is_listed(module: str) -> None:
    found = importlib.import_module(module)
    assert sorted(found.__all__) == found.__all__, "__all__ is kept sorted"
    assert found.__all__ == SURFACE[module]
    for name in found.__all__:
        assert getattr(found, name) is not None


def test_the_root_loads_the_request_path_lazily() -> None:
    assert set(dir(llmrouter)) >= set(llmrouter.__all__)
    with pytest.raises(AttributeError):
        _ = llmrouter.NoSuchThing  # type: ignore[attr-defined]


def test_every_error_is_exported_from_the_root() -> None:
    from llmrouter import errors

    for name in errors.__all__:
        assert getattr(llmrouter, name) is getattr(errors, name)
