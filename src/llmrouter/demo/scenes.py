"""The demo's scenes: one request each, against a fresh router, with faults scripted on the
local providers beforehand and cleared afterwards, so nothing of one scene reaches the next."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from llmrouter.errors import LLMRouterError, StreamInterruptedError
from llmrouter.router import Router
from llmrouter.terminal import Style, Terminal
from llmrouter.testing import Fault, LocalProvider
from llmrouter.types import Attempt, RouteInfo

__all__ = ["Scenes"]

Body = Callable[[Router], Awaitable[tuple[str, RouteInfo]]]
_OUTCOME_CHARS = 40


@dataclass
class _Row:
    scenario: str
    outcome: str
    answered_by: str
    attempts: str
    cost_usd: str
    calls: str
    as_expected: bool


def _attempts(attempts: list[Attempt], broken: StreamInterruptedError | None = None) -> str:
    """`glm:overloaded > claude:ok`; the attempt whose stream broke after its first chunk
    shows as `glm:stream_interrupted`, not `ok` (it had started fine)."""
    parts = []
    for a in attempts:
        label = a.outcome if a.outcome == "ok" else f"{a.error}"
        if broken is not None and a.outcome == "ok" and a.model == broken.model:
            label = broken.kind
        parts.append(f"{a.model}:{label}")
    return " > ".join(parts)  # breaks between attempts when the table must wrap


def _clip(text: str) -> str:
    return text if len(text) <= _OUTCOME_CHARS else text[: _OUTCOME_CHARS - 3] + "..."


class Scenes:
    """Plays every scene on `make_router()` routers and keeps one summary row per scene."""

    def __init__(
        self,
        make_router: Callable[[], Router],
        glm: LocalProvider,
        claude: LocalProvider,
        term: Terminal,
    ) -> None:
        self.make_router = make_router
        self.glm = glm
        self.claude = claude
        self.term = term
        self.rows: list[_Row] = []

    @property
    def all_as_expected(self) -> bool:
        return all(r.as_expected for r in self.rows)

    async def scene(self, title: str, body: Body, expect: str, label: str = "") -> None:
        """Run one request; `expect` is the model that should answer or the error class;
        `label` names the scene in the summary (default: the title)."""
        before = (self.glm.request_count, self.claude.request_count)
        self.term.print("")
        self.term.print(f">> {title}", style=Style.TITLE)
        started = time.perf_counter()
        route: RouteInfo | None = None
        try:
            async with self.make_router() as router:
                outcome, route = await body(router)
        except LLMRouterError as err:
            name = type(err).__name__
            elapsed = (time.perf_counter() - started) * 1000
            self.term.print(f"   raised {name}: {err}  ({elapsed:.0f} ms)", style=Style.WARN)
            broken = err if isinstance(err, StreamInterruptedError) else None
            outcome, result, attempts = name, name, _attempts(err.attempts, broken)
        else:
            elapsed = (time.perf_counter() - started) * 1000
            self.term.print(f"   {outcome}  ({elapsed:.0f} ms)")
            result, attempts = route.model, _attempts(route.attempts)
        finally:
            self.glm.clear_faults()
            self.claude.clear_faults()
        glm_calls = self.glm.request_count - before[0]
        claude_calls = self.claude.request_count - before[1]
        self.rows.append(
            _Row(
                scenario=label or title,
                outcome=_clip(outcome),
                answered_by=route.model if route else "-",
                attempts=attempts,
                cost_usd=f"{route.cost_usd:.6f}" if route else "-",
                calls=f"{glm_calls}/{claude_calls}",
                as_expected=result == expect,
            )
        )

    async def play(self) -> None:
        """Every scene, in order."""
        ask, stream, glm = self._ask, self._stream, self.glm
        await self.scene("GLM answers", ask("Summarise our Q3 contract."), "glm", "glm answers")
        glm.fail_next(Fault.overloaded(), times=2)
        await self.scene(
            "GLM overloaded twice -> Claude takes over",
            ask("Draft a reply."),
            "claude",
            "overloaded x2 -> claude",
        )
        glm.fail_next(Fault.rate_limit(retry_after=0.3))
        await self.scene(
            "GLM 429 Retry-After 0.3s -> same model again",
            ask("Translate 'hello'."),
            "glm",
            "429 -> glm again",
        )
        glm.fail_next(Fault.bad_request("Invalid parameter: temperature"))
        await self.scene(
            "400 bad request -> no retry, no fallback",
            ask("Hi", temperature=0),
            "BadRequestError",
            "400 -> raised",
        )
        glm.fail_next(Fault.content_filter())
        await self.scene(
            "Zhipu content filter (1301) -> fails fast",
            ask("Something sensitive"),
            "ContentFilteredError",
            "filter 1301 -> raised",
        )
        await self.scene(
            "Stream from GLM", stream("Tell me about routing."), "glm", "stream from glm"
        )
        glm.fail_next(Fault.drop_stream(after_chunks=0), times=2)
        await self.scene(
            "GLM stream drops before the first chunk -> Claude streams",
            stream("Stream please."),
            "claude",
            "stream drops early -> claude",
        )
        glm.fail_next(Fault.drop_stream(after_chunks=3))
        await self.scene(
            "GLM stream drops after 3 chunks -> StreamInterruptedError",
            stream("A long story please."),
            "StreamInterruptedError",
            "stream cut after 3 chunks",
        )

    def _ask(self, text: str, **params: Any) -> Body:
        async def body(router: Router) -> tuple[str, RouteInfo]:
            resp = await router.acompletion(
                model="chat", messages=[{"role": "user", "content": text}], **params
            )
            return f"answered: {resp.text!r}", resp.route

        return body

    def _stream(self, text: str) -> Body:
        async def body(router: Router) -> tuple[str, RouteInfo]:
            stream = await router.acompletion(
                model="chat", messages=[{"role": "user", "content": text}], stream=True
            )
            self.term.write("   streaming: ")
            try:
                async with stream:
                    async for chunk in stream:
                        if chunk.choices and chunk.choices[0].delta.content:
                            self.term.write(chunk.choices[0].delta.content)
            except StreamInterruptedError as err:
                self.term.print("")
                self.term.print(f"   partial text kept: {err.partial_text!r}")
                raise
            self.term.print("")
            assert stream.route is not None  # set once the stream has ended normally
            return f"streamed {len(stream.text)} chars", stream.route

        return body

    def summary(self) -> None:
        """The table of every scene."""
        headers = ("", "scene", "answered by / raised", "attempts", "cost $", "calls")
        rows = [
            (
                "ok" if r.as_expected else "UNEXPECTED",
                r.scenario,
                r.answered_by if r.answered_by != "-" else r.outcome,
                r.attempts,
                r.cost_usd,
                r.calls,
            )
            for r in self.rows
        ]
        self.term.print("")
        self.term.table(headers, rows, title="Summary", no_wrap=(0, 2, 4, 5))
        self.term.print("calls: upstream requests each scene sent to glm/claude")
