"""`llmrouter demo`: the shipped example config against local GLM-like and Claude-like providers.

Shows, offline and without keys: requests served, a provider failing and the fallback taking
over, a rate limit honoured, a 400 and a content filter that are not retried, streams (with a
fallback before the first chunk and an interruption after it), and every request's attempts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from llmrouter._table import render_table
from llmrouter.errors import LLMRouterError
from llmrouter.router import Router
from llmrouter.testing import Fault, LocalProvider, LocalProviderServer
from llmrouter.types import Attempt, RouteInfo

__all__ = ["LocalExample", "example_config_path", "local_example", "run_demo"]


def example_config_path() -> Path:
    """The example config shipped with the package (same file as examples/llmrouter.yaml)."""
    return Path(str(resources.files("llmrouter.demo") / "llmrouter.yaml"))


@dataclass(frozen=True)
class LocalExample:
    """Local stand-ins for the example config's providers, and the env that points at them."""

    server: LocalProviderServer
    glm: LocalProvider
    claude: LocalProvider
    env: dict[str, str]


@asynccontextmanager
async def local_example() -> AsyncIterator[LocalExample]:
    """Start a GLM-like (OpenAI wire, Zhipu flavour) and a Claude-like (Anthropic wire) local
    provider; `env` makes the example config's `${..._API_BASE}` references point at them."""
    async with LocalProviderServer() as server:
        glm = server.add_provider("glm", wire="openai", flavor="zhipu")
        claude = server.add_provider("claude", wire="anthropic")
        env = {
            "ZHIPU_API_BASE": glm.api_base,
            "ZHIPU_API_KEY": "local-demo-key-zhipu",
            "ANTHROPIC_API_BASE": claude.api_base,
            "ANTHROPIC_API_KEY": "local-demo-key-anthropic",
        }
        yield LocalExample(server=server, glm=glm, claude=claude, env=env)


@dataclass
class _Row:
    scenario: str
    outcome: str
    answered_by: str
    attempts: str
    cost_usd: str
    upstream_calls: str
    as_expected: bool


def _attempts(attempts: list[Attempt]) -> str:
    parts = []
    for a in attempts:
        label = a.outcome if a.outcome == "ok" else f"{a.error}"
        parts.append(f"{a.model}:{label}")
    return " > ".join(parts)


class _Demo:
    def __init__(self, router: Router, glm: LocalProvider, claude: LocalProvider, out: TextIO):
        self.router = router
        self.glm = glm
        self.claude = claude
        self.out = out
        self.rows: list[_Row] = []

    def _calls(self, before: tuple[int, int]) -> str:
        glm = self.glm.request_count - before[0]
        claude = self.claude.request_count - before[1]
        return f"glm {glm}, claude {claude}"

    async def scene(
        self,
        title: str,
        body: Callable[[], Awaitable[tuple[str, RouteInfo | None]]],
        expect: str,
    ) -> None:
        """Run one request; `expect` is the model that should answer or the error class."""
        before = (self.glm.request_count, self.claude.request_count)
        print(f"\n>> {title}", file=self.out)
        started = time.perf_counter()
        try:
            outcome, route = await body()
        except LLMRouterError as err:
            outcome, route, result = f"{type(err).__name__}", None, type(err).__name__
            print(f"   raised {type(err).__name__}: {err}", file=self.out)
            attempts = _attempts(err.attempts)
        else:
            attempts = _attempts(route.attempts) if route else ""
            result = route.model if route else "-"
        elapsed = time.perf_counter() - started
        print(f"   {outcome}  ({elapsed * 1000:.0f} ms)", file=self.out)
        self.rows.append(
            _Row(
                scenario=title,
                outcome=outcome if len(outcome) <= 40 else outcome[:37] + "...",
                answered_by=route.model if route else "-",
                attempts=attempts,
                cost_usd=f"{route.cost_usd:.6f}" if route else "-",
                upstream_calls=self._calls(before),
                as_expected=result == expect,
            )
        )

    async def ask(self, text: str, **params: Any) -> tuple[str, RouteInfo | None]:
        resp = await self.router.acompletion(
            model="chat", messages=[{"role": "user", "content": text}], **params
        )
        return f"ok: {resp.text!r}", resp.route

    async def stream(self, text: str) -> tuple[str, RouteInfo | None]:
        stream = await self.router.acompletion(
            model="chat", messages=[{"role": "user", "content": text}], stream=True
        )
        print("   streaming: ", end="", file=self.out)
        async with stream:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    print(chunk.choices[0].delta.content, end="", file=self.out, flush=True)
        print(file=self.out)
        return f"streamed {len(stream.text)} chars", stream.route

    async def interrupted_stream(self, text: str) -> tuple[str, RouteInfo | None]:
        from llmrouter.errors import StreamInterruptedError

        stream = await self.router.acompletion(
            model="chat", messages=[{"role": "user", "content": text}], stream=True
        )
        try:
            async for _ in stream:
                pass
        except StreamInterruptedError as err:
            print(f"   partial text kept: {err.partial_text!r}", file=self.out)
            raise
        return "completed", stream.route

    async def run(self) -> None:
        glm = self.glm
        await self.scene("GLM answers", lambda: self.ask("Summarise our Q3 contract."), "glm")
        glm.fail_next(Fault.overloaded(), times=2)
        await self.scene(
            "GLM overloaded twice -> Claude takes over",
            lambda: self.ask("Draft a reply."),
            "claude",
        )
        glm.fail_next(Fault.rate_limit(retry_after=0.3))
        await self.scene(
            "GLM 429 Retry-After 0.3s -> same model again",
            lambda: self.ask("Translate 'hello'."),
            "glm",
        )
        glm.fail_next(Fault.bad_request("Invalid parameter: temperature"))
        await self.scene(
            "400 bad request -> no retry, no fallback",
            lambda: self.ask("Hi", temperature=0),
            "BadRequestError",
        )
        glm.fail_next(Fault.content_filter())
        await self.scene(
            "Zhipu content filter (1301) -> fails fast",
            lambda: self.ask("Something sensitive"),
            "ContentFilteredError",
        )
        await self.scene("Stream from GLM", lambda: self.stream("Tell me about routing."), "glm")
        glm.fail_next(Fault.drop_stream(after_chunks=0), times=2)
        await self.scene(
            "GLM stream drops before the first chunk -> Claude streams",
            lambda: self.stream("Stream please."),
            "claude",
        )
        glm.fail_next(Fault.drop_stream(after_chunks=3))
        await self.scene(
            "GLM stream drops after 3 chunks -> StreamInterruptedError",
            lambda: self.interrupted_stream("A long story please."),
            "StreamInterruptedError",
        )

    @property
    def all_as_expected(self) -> bool:
        return all(r.as_expected for r in self.rows)

    def summary(self) -> str:
        headers = ("", "scenario", "outcome", "answered by", "attempts", "cost $", "upstream calls")
        rows = [
            (
                "ok" if r.as_expected else "UNEXPECTED",
                r.scenario,
                r.outcome,
                r.answered_by,
                r.attempts,
                r.cost_usd,
                r.upstream_calls,
            )
            for r in self.rows
        ]
        return render_table(headers, rows)


async def run_demo(config: str | None = None, out: TextIO | None = None) -> int:
    """Run every scene; return 0 when each behaved as the fault policy says."""
    out = out or sys.stdout
    path = Path(config) if config else example_config_path()
    async with local_example() as local:
        glm, claude = local.glm, local.claude
        print(f"llmrouter demo: {path} against local providers at {local.server.url}", file=out)
        async with Router.from_yaml(path, env=local.env) as router:
            demo = _Demo(router, glm, claude, out)
            await demo.run()
        print("\nSummary\n" + demo.summary(), file=out)
        print(
            f"\nUpstream requests: glm {glm.request_count}, claude {claude.request_count}",
            file=out,
        )
    if not demo.all_as_expected:
        print("Some scenes did not behave as the fault policy says.", file=out)
        return 1
    return 0
