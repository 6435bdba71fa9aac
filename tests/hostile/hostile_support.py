"""Run llmrouter against the hostile server through the public API, on either adapter.

`Harness` owns a hostile server (what a test scripts), a recorder on another loopback port
(where redirects point; it answers correctly and records what reached it) and a well-behaved
stand-in (`LocalProviderServer`) as the fallback model, so a test can assert both that the
hostile answer became a classified fault and that the request was still answered.

```python
async def test_x(harness: Harness) -> None:
    harness.hostile.handler = behaviours.braces()
    async with harness.router(wire="openai") as router:
        outcome = await collect(router, "chat", stream=False)
    assert outcome.route.model == "backup"
    assert outcome.first.error == "unavailable"
```

Models: `hostile` (the hostile server, in the chosen `wire`: openai, anthropic or azure; azure
is litellm-only) and `backup` (the stand-in). Routes: `chat` = [hostile, backup] and `solo` =
[hostile]. Every provider uses the harness's `adapter` (`native` or `litellm`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from hostile_server import HostileServer

from llmrouter import RetrySettings, Router
from llmrouter.testing import LocalProvider
from llmrouter.types import Attempt, RouteInfo

__all__ = [
    "KEY",
    "PROMPT",
    "Adapter",
    "Harness",
    "LoopLag",
    "Outcome",
    "Stopwatch",
    "Wire",
    "collect",
]

KEY = "sk-hostile-canary-3b9e71c0d24f5a86"
"""The hostile provider's API key: it must never reach the recorder, a log or an error."""
BACKUP_KEY = "sk-backup-canary-77d1e0a9c4b2"
PROMPT = "PROMPT-CANARY-8c1f: summarise the merger terms"
"""The user's text: it must never reach the recorder either."""

Wire = Literal["openai", "anthropic", "azure"]
Adapter = Literal["native", "litellm"]

MODELS: dict[Wire, str] = {
    "openai": "openai/gpt-4o-mini",
    "anthropic": "anthropic/claude-sonnet-4-5",
    "azure": "azure/hostile-deployment",
}
FAST_BACKOFF = RetrySettings(backoff_initial_s=0.01, backoff_max_s=0.05)


class Harness:
    """The servers of one test and routers over them (closed when the test ends)."""

    def __init__(
        self,
        hostile: HostileServer,
        recorder: HostileServer,
        backup: LocalProvider,
        adapter: Adapter,
    ) -> None:
        self.hostile = hostile
        self.recorder = recorder
        self.backup = backup
        self.adapter = adapter
        self.env = {"HOSTILE_KEY": KEY, "BACKUP_KEY": BACKUP_KEY}

    def api_base(self, wire: Wire) -> str:
        return self.hostile.url + ("/v1" if wire == "openai" else "")

    def config(
        self,
        wire: Wire = "openai",
        *,
        provider: Mapping[str, Any] | None = None,
        sections: Mapping[str, Any] | None = None,
        **route: Any,
    ) -> dict[str, Any]:
        """The config dict: `provider` adds keys to the hostile provider's section, `sections`
        top-level sections (`cache`, ...), `route` keys to both routes (default: timeout 5 s,
        one retry)."""
        hostile: dict[str, Any] = {
            "api_base": self.api_base(wire),
            "api_key": "${HOSTILE_KEY}",
            "adapter": self.adapter,
        }
        if wire == "azure":
            hostile["params"] = {"api_version": "2024-10-21"}
        hostile.update(provider or {})
        settings = {"timeout_s": 5, "retries": 1, **route}
        return {
            "providers": {
                "hostile": hostile,
                "backup": {
                    "api_base": self.backup.api_base,
                    "api_key": "${BACKUP_KEY}",
                    "adapter": self.adapter,
                },
            },
            "models": {
                "hostile": {"provider": "hostile", "model": MODELS[wire]},
                "backup": {"provider": "backup", "model": "openai/gpt-4o-mini"},
            },
            "routes": {
                "chat": {"models": ["hostile", "backup"], **settings},
                "solo": {"models": ["hostile"], **settings},
            },
            **(sections or {}),
        }

    @asynccontextmanager
    async def router(
        self,
        wire: Wire = "openai",
        *,
        provider: Mapping[str, Any] | None = None,
        sections: Mapping[str, Any] | None = None,
        **route: Any,
    ) -> AsyncIterator[Router]:
        """`async with harness.router(...) as router:` (imports litellm before any deadline)."""
        config = self.config(wire, provider=provider, sections=sections, **route)
        async with Router.from_dict(config, env=self.env, retry=FAST_BACKOFF) as router:
            yield router

    @staticmethod
    def messages(text: str = PROMPT) -> list[dict[str, str]]:
        return [{"role": "user", "content": text}]

    def leaked_to_recorder(self) -> list[str]:
        """What of the key and the prompt reached the recorder (empty: nothing)."""
        found = []
        for request in self.recorder.requests:
            headers = " ".join(request.headers.values())
            if KEY in headers or KEY in request.body.decode("utf-8", "replace"):
                found.append(f"key in {request.method} {request.path}")
            if PROMPT.encode() in request.body:
                found.append(f"prompt in {request.method} {request.path}")
        return found or (
            [f"{len(self.recorder.requests)} requests"] if self.recorder.requests else []
        )


@dataclass(frozen=True)
class Outcome:
    """What one request produced, streamed or not: the text and how it was routed."""

    text: str
    route: RouteInfo

    @property
    def first(self) -> Attempt:
        """The first upstream attempt (the hostile model's, in every route here)."""
        return self.route.attempts[0]


async def collect(router: Router, route: str, stream: bool = False, **kwargs: Any) -> Outcome:
    """One request; a stream is read to its end."""
    messages = kwargs.pop("messages", Harness.messages())
    if not stream:
        resp = await router.acompletion(model=route, messages=messages, **kwargs)
        assert resp.route is not None
        return Outcome(resp.text, resp.route)
    result = await router.acompletion(model=route, messages=messages, stream=True, **kwargs)
    text = []
    async for chunk in result:
        if chunk.choices and chunk.choices[0].delta.content:
            text.append(chunk.choices[0].delta.content)
    assert result.route is not None
    return Outcome("".join(text), result.route)


class LoopLag:
    """`async with LoopLag() as lag: ...`, then `lag.worst_s`: the longest time the event loop
    was blocked while the block ran (a ticker that sleeps 5 ms measures its own lateness)."""

    _TICK_S = 0.005

    async def __aenter__(self) -> LoopLag:
        self.worst_s = 0.0
        self._task = asyncio.ensure_future(self._tick())
        await asyncio.sleep(0)
        return self

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self._TICK_S)
            now = loop.time()
            self.worst_s = max(self.worst_s, now - last - self._TICK_S)
            last = now

    async def __aexit__(self, *exc: object) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class Stopwatch:
    """`with Stopwatch() as watch: ...`, then `watch.seconds`."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
