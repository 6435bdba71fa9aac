"""Budgets with the in-process store and fake time: windows, keys, scopes, and the router's use
of them (model budgets skip, route and tenant budgets refuse, spend from actual usage)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from llmrouter import BudgetExceededError, Router, RoutingSettings
from llmrouter.budgets import Budget, BudgetBook
from llmrouter.config.schema import BudgetConfig
from llmrouter.providers import FunctionProvider
from llmrouter.state import MemoryStore
from support import ENV, FakeTime, two_model_config, user

DAY = 86_400
T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
DAY_START = T0 // DAY * DAY


class WallClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def budget(scope: str, limit: float, window: str = "1d") -> Budget:
    return Budget.from_config(BudgetConfig(scope=scope, limit_usd=limit, window=window))


async def test_spend_is_counted_per_fixed_utc_window() -> None:
    wall = WallClock()
    store = MemoryStore()
    book = BudgetBook([budget("model:glm", 1.0)], store, namespace="ns", wall_clock=wall)
    book.charge("chat", "glm", None, 0.6)
    book.charge("chat", "claude", None, 5.0)  # no budget for claude: not counted
    key = f"ns:budget:model:glm:1d:{int(DAY_START)}"
    assert await book.flush()  # charges reach a shared store in the background
    assert await store.incr(key, 0.0) == pytest.approx(0.6)
    assert (await book.check("chat", None, ["glm", "claude"]))[0] == {}
    book.charge("chat", "glm", None, 0.4)
    blocked = (await book.check("chat", None, ["glm", "claude"]))[0]
    assert list(blocked) == ["glm"]
    assert "spent $1 of $1 in its 1d window (resets 2023-11-15 00:00Z)" in blocked["glm"]
    wall.now = DAY_START + DAY  # midnight UTC: a new window
    assert (await book.check("chat", None, ["glm"]))[0] == {}
    [status] = await book.status("model:glm")
    assert status.spent_usd == 0.0 and status.resets_at == DAY_START + 2 * DAY


async def test_hourly_and_thirty_day_windows() -> None:
    wall = WallClock()
    book = BudgetBook(
        [budget("route:chat", 1.0, "1h"), budget("route:chat", 5.0, "30d")],
        MemoryStore(),
        wall_clock=wall,
    )
    book.charge("chat", "glm", None, 1.0)
    with pytest.raises(BudgetExceededError) as info:
        (await book.check("chat", None, []))[0]
    assert (info.value.scope, info.value.window, info.value.limit_usd) == ("route:chat", "1h", 1.0)
    assert info.value.resets_at == (T0 // 3600 + 1) * 3600
    wall.now += 3600
    assert (await book.check("chat", None, []))[0] == {}  # the hour is over, the 30 days are not
    hourly, monthly = await book.status("route:chat")
    assert (hourly.spent_usd, monthly.spent_usd) == (0.0, 1.0)


async def test_tenant_scopes() -> None:
    book = BudgetBook(
        [budget("tenant:acme", 1.0), budget("tenant:*", 2.0)], MemoryStore(), wall_clock=WallClock()
    )
    book.charge("chat", "glm", "acme", 1.5)
    book.charge("chat", "glm", "bob", 1.5)
    with pytest.raises(BudgetExceededError) as info:
        (await book.check("chat", "acme", []))[0]
    assert (info.value.scope, info.value.tenant) == ("tenant:acme", "acme")
    assert (await book.check("chat", "bob", []))[0] == {}  # each tenant has its own tenant:* budget
    book.charge("chat", "glm", "bob", 0.5)
    with pytest.raises(BudgetExceededError) as info:
        (await book.check("chat", "bob", []))[0]
    assert (info.value.scope, info.value.tenant) == ("tenant:*", "bob")
    assert (await book.check("chat", None, []))[0] == {}  # no tenant: tenant budgets do not apply


class _Unreachable(MemoryStore):
    async def incr(self, key: str, amount: float, ttl_s: float | None = None) -> float | None:
        return None


async def test_unreachable_store_falls_back_to_this_process_view() -> None:
    book = BudgetBook([budget("model:glm", 1.0)], _Unreachable(), wall_clock=WallClock())
    book.charge("chat", "glm", None, 1.0)
    assert list((await book.check("chat", None, ["glm"]))[0]) == ["glm"]


# Through the router -----------------------------------------------------------------------

MakeBudgetRouter = Callable[..., tuple[Router, FunctionProvider, WallClock]]


@pytest.fixture
def budget_router(fake_time: FakeTime) -> MakeBudgetRouter:
    def build(*budgets: dict[str, Any], **extra: Any) -> tuple[Router, FunctionProvider, WallClock]:
        config = two_model_config()
        config["budgets"] = list(budgets)
        config.update(extra)
        provider = FunctionProvider()
        wall = WallClock()
        router = Router.from_dict(
            config,
            env=ENV,
            provider=provider,
            clock=fake_time,
            sleep=fake_time.sleep,
            routing=RoutingSettings(wall_clock=wall),
        )
        return router, provider, wall

    return build


def called(provider: FunctionProvider) -> list[str]:
    return [c.deployment.name for c in provider.calls]


async def test_spent_model_budget_moves_traffic(budget_router: MakeBudgetRouter) -> None:
    router, provider, wall = budget_router({"scope": "model:glm", "limit_usd": 0.00001})
    first = await router.acompletion(model="chat", messages=user())
    second = await router.acompletion(model="chat", messages=user())
    assert first.route is not None and first.route.model == "glm"
    assert first.route.cost_usd >= 0.00001  # 10 prompt + 4 completion tokens of GLM
    assert second.route is not None and second.route.model == "claude"
    skip = second.route.attempts[0]
    assert (skip.model, skip.outcome, skip.error) == ("glm", "skipped", "budget")
    assert skip.detail is not None and "model:glm" in skip.detail
    assert called(provider) == ["glm", "claude"]
    wall.now += DAY
    third = await router.acompletion(model="chat", messages=user())
    assert third.route is not None and third.route.model == "glm"


async def test_spent_route_budget_refuses_before_any_call(
    budget_router: MakeBudgetRouter,
) -> None:
    router, provider, _ = budget_router({"scope": "route:chat", "limit_usd": 0.00001})
    await router.acompletion(model="chat", messages=user())
    with pytest.raises(BudgetExceededError) as info:
        await router.acompletion(model="chat", messages=user())
    assert info.value.scope == "route:chat" and info.value.spent_usd >= 0.00001
    assert called(provider) == ["glm"]
    resp = await router.acompletion(model="glm", messages=user())  # a model by name is no route
    assert resp.route is not None and resp.route.route == "glm"


async def test_zero_limit_blocks_at_once(budget_router: MakeBudgetRouter) -> None:
    router, provider, _ = budget_router({"scope": "tenant:acme", "limit_usd": 0})
    with pytest.raises(BudgetExceededError):
        await router.acompletion(model="chat", messages=user(), metadata={"tenant": "acme"})
    await router.acompletion(model="chat", messages=user(), metadata={"tenant": "bob"})
    assert called(provider) == ["glm"]


async def test_cache_hits_cost_nothing(budget_router: MakeBudgetRouter) -> None:
    router, provider, _ = budget_router(
        {"scope": "route:chat", "limit_usd": 1}, cache={"backend": "memory"}
    )
    first = await router.acompletion(model="chat", messages=user("same"))
    hit = await router.acompletion(model="chat", messages=user("same"))
    assert hit.route is not None and hit.route.cache_hit and hit.route.cost_usd == 0.0
    assert first.route is not None
    budgets = router._assembly.parts.budgets
    assert budgets is not None
    [status] = await budgets.status("route:chat")
    assert status.spent_usd == pytest.approx(first.route.cost_usd)
    assert len(provider.calls) == 1


async def test_streams_are_charged_when_they_end(budget_router: MakeBudgetRouter) -> None:
    router, _, _ = budget_router({"scope": "route:chat", "limit_usd": 1})
    budgets = router._assembly.parts.budgets
    assert budgets is not None
    stream = await router.acompletion(model="chat", messages=user(), stream=True)
    [before] = await budgets.status("route:chat")
    # nothing is charged before the end; the request holds its expected cost meanwhile
    held = before.spent_usd
    assert held > 0
    async for _ in stream:
        pass
    assert stream.route is not None and stream.route.cost_usd > 0
    [after] = await budgets.status("route:chat")
    assert after.spent_usd == pytest.approx(stream.route.cost_usd)  # the hold is released


async def test_abandoned_streams_are_charged_their_estimate(
    budget_router: MakeBudgetRouter,
) -> None:
    router, _, _ = budget_router({"scope": "route:chat", "limit_usd": 1})
    budgets = router._assembly.parts.budgets
    assert budgets is not None
    stream = await router.acompletion(model="chat", messages=user("hello there"), stream=True)
    await stream.__anext__()
    await stream.aclose()
    [status] = await budgets.status("route:chat")
    # GLM: prompt ~ ceil(11/4) + 4 = 7 tokens at 0.6, delivered "echo " ~ 2 tokens at 2.2.
    assert status.spent_usd == pytest.approx((7 * 0.6 + 2 * 2.2) / 1e6)


class _CountingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.round_trips = 0

    async def incr_many(
        self, items: Sequence[tuple[str, float, float | None]]
    ) -> list[float | None]:
        self.round_trips += 1
        return await super().incr_many(items)


async def test_one_store_round_trip_per_check_and_charge() -> None:
    store = _CountingStore()
    book = BudgetBook(
        [budget("model:glm", 5.0), budget("route:chat", 5.0), budget("tenant:*", 5.0)],
        store,
        wall_clock=WallClock(),
    )
    book.charge("chat", "glm", "acme", 1.0)  # three budgets, one round trip, in the background
    assert store.round_trips == 0
    assert await book.flush()
    assert store.round_trips == 1
    await book.check("chat", "acme", ["glm", "claude"])  # route and tenant, then models
    assert store.round_trips == 3
    assert [s.spent_usd for s in await book.status("tenant:*", "acme")] == [1.0]


class _Flaky(MemoryStore):
    """Unreachable for its first `failures` writes, then fine."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def incr_many(
        self, items: Sequence[tuple[str, float, float | None]]
    ) -> list[float | None]:
        if self.failures > 0:
            self.failures -= 1
            return [None] * len(items)
        return await super().incr_many(items)


async def test_charges_are_kept_and_retried_until_the_store_takes_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = _Flaky(failures=3)
    book = BudgetBook([budget("route:chat", 100.0)], store, wall_clock=WallClock())
    for _ in range(20):
        book.charge("chat", "glm", None, 0.5)
    assert await book.flush(timeout_s=10)  # three failed writes, backing off, then written
    key = f"llmrouter:budget:route:chat:1d:{int(DAY_START)}"
    assert await store.incr(key, 0.0) == pytest.approx(10.0)
    assert sum("could not be written" in r.message for r in caplog.records) == 1  # said once


async def test_a_check_counts_charges_not_yet_written() -> None:
    store = _Flaky(failures=1_000)  # never takes a write
    book = BudgetBook([budget("model:glm", 1.0)], store, wall_clock=WallClock())
    book.charge("chat", "glm", None, 1.0)
    blocked, _ = await book.check("chat", None, ["glm"])
    assert list(blocked) == ["glm"]
    await book.aclose()
