"""Each strategy with fake data: prices, observed stats, a seeded RNG, a fake clock."""

from __future__ import annotations

import random
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from llmrouter.config.secrets import ResolvedProvider
from llmrouter.pricing import Price
from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest
from llmrouter.routing import (
    CostStrategy,
    LatencyStrategy,
    ModelStats,
    OrderedStrategy,
    RequestEstimate,
    RoutingContext,
    StrategySpec,
    WeightedStrategy,
    create_strategy,
    register_strategy,
)
from llmrouter.types import Attempt
from support import FakeTime


def dep(name: str, inp: float | None = None, out: float | None = None) -> Deployment:
    provider = ResolvedProvider(
        name="p", api_base=None, api_key=None, api_key_env=None, region=None
    )
    return Deployment(
        name=name, model=f"x/{name}", provider=provider, price=Price(inp, out, None, "config")
    )


REQUEST = CompletionRequest.build("r", [{"role": "user", "content": "hi"}], params={})


def ctx(
    stats: ModelStats | None = None, prompt: int = 1000, max_out: int | None = None
) -> RoutingContext:
    return RoutingContext(RequestEstimate(prompt, max_out), stats or ModelStats(FakeTime()))


def names(ds: Sequence[Deployment]) -> list[str]:
    return [d.name for d in ds]


def test_ordered_keeps_the_route_order() -> None:
    a, b, c = dep("a", 9, 9), dep("b", 1, 1), dep("c")
    assert names(OrderedStrategy().order([a, b, c], REQUEST, ctx())) == ["a", "b", "c"]


def test_cost_orders_by_the_cost_of_this_request() -> None:
    # a: cheap input, dear output; b: the opposite. Which is cheaper depends on the request.
    a, b = dep("a", inp=1.0, out=20.0), dep("b", inp=5.0, out=2.0)
    long_prompt = ctx(prompt=10_000, max_out=10)  # a: 0.0102  b: 0.05002
    long_answer = ctx(prompt=10, max_out=10_000)  # a: 0.20001 b: 0.02005
    assert names(CostStrategy().order([a, b], REQUEST, long_prompt)) == ["a", "b"]
    assert names(CostStrategy().order([a, b], REQUEST, long_answer)) == ["b", "a"]


def test_cost_uses_observed_completion_size_then_the_default() -> None:
    a, b = dep("a", inp=1.0, out=20.0), dep("b", inp=5.0, out=2.0)
    stats = ModelStats(FakeTime())
    # Nothing observed: 256 output tokens each; prompt 1000: a = 1000 + 5120, b = 5000 + 512.
    assert names(CostStrategy().order([a, b], REQUEST, ctx(stats))) == ["b", "a"]
    assert ctx(stats).output_tokens(a) == 256
    stats.record_completion("a", 10)  # b has no history: it is assumed to answer like a
    assert ctx(stats).output_tokens(b) == 10
    assert names(CostStrategy().order([a, b], REQUEST, ctx(stats))) == ["a", "b"]
    stats.record_completion("b", 2000)  # b is verbose: a = 1200, b = 5000 + 4000
    assert (ctx(stats).output_tokens(a), ctx(stats).output_tokens(b)) == (10, 2000)
    assert names(CostStrategy().order([a, b], REQUEST, ctx(stats))) == ["a", "b"]
    capped = ctx(stats, max_out=10_000)  # the request's cap wins: a = 201000, b = 25000
    assert names(CostStrategy().order([a, b], REQUEST, capped)) == ["b", "a"]
    assert capped.costs([a, b]) == [pytest.approx(0.201), pytest.approx(0.025)]


def test_cost_puts_unknown_prices_last_and_keeps_ties_in_route_order() -> None:
    unknown, x, y = dep("unknown"), dep("x", 1, 1), dep("y", 1, 1)
    assert names(CostStrategy().order([unknown, x, y], REQUEST, ctx())) == ["x", "y", "unknown"]
    assert ctx().cost_usd(unknown) is None


def test_latency_measures_new_models_first_then_prefers_the_fastest() -> None:
    fast, slow = dep("fast"), dep("slow")
    stats = ModelStats(FakeTime())
    strategy = LatencyStrategy(StrategySpec("r", ("slow", "fast"), explore_every=0))
    assert names(strategy.order([slow, fast], REQUEST, ctx(stats))) == ["slow", "fast"]
    stats.record_latency("slow", 2.0)
    assert names(strategy.order([slow, fast], REQUEST, ctx(stats))) == ["fast", "slow"]
    stats.record_latency("fast", 0.1)
    assert names(strategy.order([slow, fast], REQUEST, ctx(stats))) == ["fast", "slow"]


def test_latency_probe_lets_a_recovered_model_win_back() -> None:
    clock = FakeTime()
    stats = ModelStats(clock, alpha=0.5)
    a, b = dep("a"), dep("b")
    strategy = LatencyStrategy(StrategySpec("r", ("a", "b"), explore_every=3))
    stats.record_latency("a", 1.0)  # a was slow
    stats.record_latency("b", 0.2)
    firsts = []
    for _ in range(12):
        clock.now += 1
        first = strategy.order([a, b], REQUEST, ctx(stats))[0]
        firsts.append(first.name)
        # a has recovered (50 ms); b is steady at 200 ms.
        stats.record_latency(first.name, 0.05 if first.name == "a" else 0.2)
    # Every third request probes the other model; a's EWMA goes 1.0 -> 0.525 -> 0.29 -> 0.17,
    # below b's 0.2 after the third probe, so a leads, and b is the one probed from then on.
    assert firsts == ["b", "b", "a", "b", "b", "a", "b", "b", "a", "a", "a", "b"]


def test_weighted_split_follows_weights() -> None:
    a, b, c = dep("a"), dep("b"), dep("c")
    spec = StrategySpec(
        "r", ("a", "b", "c"), weights={"a": 3, "b": 1, "c": 0}, rng=random.Random(7)
    )
    strategy = WeightedStrategy(spec)
    firsts = Counter(strategy.order([a, b, c], REQUEST, ctx())[0].name for _ in range(4000))
    assert firsts["c"] == 0
    assert 2850 <= firsts["a"] <= 3150  # 3000 expected, sd ~27
    order = strategy.order([a, b, c], REQUEST, ctx())
    assert names(order)[1:] == (["b", "c"] if order[0] is a else ["a", "c"])


def test_weighted_renormalises_over_eligible_candidates() -> None:
    b, c = dep("b"), dep("c")
    spec = StrategySpec(
        "r", ("a", "b", "c"), weights={"a": 3, "b": 1, "c": 0}, rng=random.Random(1)
    )
    strategy = WeightedStrategy(spec)
    assert {strategy.order([b, c], REQUEST, ctx())[0].name for _ in range(50)} == {"b"}


def test_stats_penalise_failures_and_timeouts() -> None:
    stats = ModelStats(FakeTime(), alpha=0.5, failure_floor_s=1.0)

    def attempt(model: str, outcome: str, error: str | None, latency: float) -> Attempt:
        return Attempt(model=model, provider="p", outcome=outcome, error=error, latency_s=latency)  # type: ignore[arg-type]

    stats.observe([attempt("m", "ok", None, 0.2)])
    assert stats.latency("m") == pytest.approx(0.2)
    stats.observe([attempt("m", "error", "unavailable", 0.01)])  # fast 503: counts as 1 s
    assert stats.latency("m") == pytest.approx(0.6)
    stats.observe([attempt("m", "error", "timeout", 5.0)])
    assert stats.latency("m") == pytest.approx(2.8)
    stats.observe([attempt("m", "skipped", "budget", 0.0)])
    assert stats.samples("m") == 3


@pytest.fixture
def plugin_module(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "costroute_plugin.py").write_text(
        textwrap.dedent(
            """
            class Reverse:
                name = "reverse"

                def __init__(self, spec):
                    self.route = spec.route

                def order(self, candidates, request, context):
                    return list(reversed(candidates))
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    yield "costroute_plugin:Reverse"
    sys.path.remove(str(tmp_path))
    sys.modules.pop("costroute_plugin", None)


def test_strategy_by_import_path(plugin_module: str) -> None:
    strategy = create_strategy(plugin_module, StrategySpec("chat", ("a", "b")))
    assert strategy.name == "reverse"
    assert names(strategy.order([dep("a"), dep("b")], REQUEST, ctx())) == ["b", "a"]


def test_registered_factories_with_and_without_spec() -> None:
    class NoArgs:
        name = "noargs"

        def order(
            self,
            candidates: Sequence[Deployment],
            request: CompletionRequest,
            context: RoutingContext,
        ) -> list[Deployment]:
            return list(candidates)

    register_strategy("costroute-noargs", NoArgs)
    register_strategy("costroute-spec", LatencyStrategy)
    assert create_strategy("costroute-noargs").name == "noargs"
    assert create_strategy("costroute-spec", StrategySpec("r", ())).name == "latency"
