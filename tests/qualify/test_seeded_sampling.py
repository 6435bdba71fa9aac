"""`RoutingSettings(rng=...)` draws the shadows' samples and the `sticky_by: none` canary
sides: the same seed picks the same requests, whatever the timing; another seed, others."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

from llmrouter import Router, RoutingSettings
from llmrouter.providers import FunctionProvider, make_completion
from llmrouter.providers.base import ProviderCall
from llmrouter.types import ChatCompletion

REQUESTS = 60


def _config(tmp_path: Path, section: dict[str, Any]) -> dict[str, Any]:
    return {
        "providers": {"local": {"api_base": "http://127.0.0.1:9", "api_key": "${KEY}"}},
        "models": {
            "claude": {"provider": "local", "model": "openai/claude-stand-in"},
            "glm": {"provider": "local", "model": "openai/glm-stand-in"},
        },
        "routes": {"chat": {"models": ["claude"], **section}},
        "experiments": {"store": f"sqlite:///{tmp_path / 'results.sqlite'}"},
    }


async def _picked(tmp_path: Path, section: dict[str, Any], seed: int) -> list[int]:
    """The indices of the requests the candidate `glm` was sent, in request order."""

    async def complete(call: ProviderCall) -> ChatCompletion:
        await asyncio.sleep(random.random() / 1000)  # timing that must not change the draws
        return make_completion("ok", model=call.deployment.model_id)

    provider = FunctionProvider(complete=complete)
    routing = RoutingSettings(rng=random.Random(seed))
    config = _config(tmp_path, section)
    async with Router.from_dict(config, env={"KEY": "k"}, provider=provider, routing=routing) as r:
        for n in range(REQUESTS):
            await r.acompletion("chat", [{"role": "user", "content": f"request {n}"}])
        await asyncio.sleep(0.05)  # let the last shadows land
    return sorted(
        int(call.messages[-1]["content"].split()[-1])
        for call in provider.calls
        if call.deployment.name == "glm"
    )


async def test_a_seed_picks_the_same_shadowed_requests(tmp_path: Path) -> None:
    shadow = {"shadow": {"models": ["glm"], "sample": 0.3}}
    first = await _picked(tmp_path / "a", shadow, seed=7)
    again = await _picked(tmp_path / "b", shadow, seed=7)
    other = await _picked(tmp_path / "c", shadow, seed=8)
    assert 5 < len(first) < 35  # a sample, not all or none
    assert first == again
    assert first != other


async def test_a_seed_picks_the_same_canary_requests(tmp_path: Path) -> None:
    canary = {"canary": {"model": "glm", "percent": 30, "sticky_by": "none"}}
    first = await _picked(tmp_path / "a", canary, seed=7)
    again = await _picked(tmp_path / "b", canary, seed=7)
    other = await _picked(tmp_path / "c", canary, seed=8)
    assert 5 < len(first) < 35
    assert first == again
    assert first != other
