"""Two `llmrouter serve` processes sharing one real redis-server share cache hits and
budgets (`cache: {backend: redis}`, `state: {backend: redis}`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gateway_support import GATEWAY_KEY, Gateway, StandIns, gateway_config

from redis_support import RedisServer, running_redis

AUTH = {"x-api-key": GATEWAY_KEY}


@pytest.fixture
def two_gateways(stand_ins: StandIns) -> Iterator[tuple[Gateway, Gateway]]:
    with running_redis() as redis:
        config = _config(stand_ins, redis)
        first, second = Gateway(config), Gateway(config)
        try:
            yield first.wait_ready(), second.wait_ready()
        finally:
            first.stop()
            second.stop()


def _config(stand_ins: StandIns, redis: RedisServer) -> dict[str, Any]:
    config = gateway_config(
        stand_ins,
        cache={"backend": "redis", "url": redis.url, "namespace": "gw-test"},
        state={"backend": "redis", "url": redis.url, "namespace": "gw-test"},
        budgets=[{"scope": "tenant:acme", "limit_usd": 0.000001, "window": "1d"}],
    )
    config["models"]["glm"].update(input_cost_per_mtok=1.0, output_cost_per_mtok=1.0)
    return config


def _ask(gateway: Gateway, text: str) -> httpx.Response:
    body = {"model": "glm-only", "messages": [{"role": "user", "content": text}]}
    return httpx.post(gateway.url + "/v1/chat/completions", json=body, headers=AUTH, timeout=30)


def test_cache_hits_and_budgets_are_shared(
    two_gateways: tuple[Gateway, Gateway], stand_ins: StandIns
) -> None:
    first, second = two_gateways
    miss = _ask(first, "shared question")
    assert miss.status_code == 200 and stand_ins.glm.request_count == 1
    hit = _ask(second, "shared question")
    assert hit.status_code == 200
    assert hit.headers["x-llmrouter-attempts"] == "cache"
    # the miss is the backend's own body (passed through), the hit the Router's stored answer
    assert [c["message"] for c in hit.json()["choices"]] == [
        {k: v for k, v in c["message"].items() if v is not None} for c in miss.json()["choices"]
    ]
    assert stand_ins.glm.request_count == 1
    refused = _ask(second, "a new question")  # the first gateway's spend exhausted the budget
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "insufficient_quota"
    assert int(refused.headers["Retry-After"]) >= 1
    assert stand_ins.glm.request_count == 1
