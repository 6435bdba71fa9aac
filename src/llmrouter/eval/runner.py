"""Run every case through every route with bounded concurrency, grade each answer, write
each result as it completes, and skip what a results file already holds."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmrouter.errors import LLMRouterError
from llmrouter.eval.cases import Case
from llmrouter.eval.outfile import ResultsFile
from llmrouter.experiments.answers import Answer
from llmrouter.experiments.checks import grade
from llmrouter.experiments.grading import GradeContext, JudgeReply
from llmrouter.experiments.outcomes import failure_of
from llmrouter.experiments.records import ResultRecord, RunInfo

if TYPE_CHECKING:
    from llmrouter.router import Router
    from llmrouter.types import ChatCompletion

__all__ = ["NO_CACHE", "Job", "RouterJudge", "Runner", "plan"]

logger = logging.getLogger("llmrouter")

NO_CACHE = {"no-cache": True, "no-store": True}
"""Answers must come from the model: repeats would otherwise measure the cache."""


@dataclass(frozen=True)
class Job:
    """One (route, case, repeat) to run."""

    route: str
    case: Case
    repeat: int


class RouterJudge:
    """The judge check's client: the prompt goes to a route of the same router."""

    def __init__(self, router: Router, route: str, timeout_s: float | None = None) -> None:
        self._router = router
        self._route = route
        self._timeout_s = timeout_s

    async def ask(self, messages: list[dict[str, Any]]) -> JudgeReply:
        resp = await self._router.acompletion(
            model=self._route,
            messages=messages,
            timeout=self._timeout_s,
            cache=NO_CACHE,
            temperature=0,
        )
        cost = resp.route.cost_usd if resp.route is not None else 0.0
        return JudgeReply(text=resp.text, cost_usd=cost)


def plan(cases: Sequence[Case], routes: Sequence[str]) -> Iterator[Job]:
    """Case by case, each repeat, each route: routes advance together."""
    for case in cases:
        for repeat in range(case.repeat):
            for route in routes:
                yield Job(route, case, repeat)


class Runner:
    """Runs jobs against a router; see `llmrouter.eval.evaluate` for the whole flow."""

    def __init__(
        self,
        router: Router,
        run: RunInfo,
        *,
        judge: RouterJudge | None = None,
        timeout_s: float | None = None,
        capture_content: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._router = router
        self._run = run
        self._judge = judge
        self._timeout_s = timeout_s
        self._capture = capture_content
        self._clock = clock

    async def run(
        self,
        jobs: Sequence[Job],
        *,
        concurrency: int,
        out: ResultsFile | None = None,
        on_result: Callable[[ResultRecord], None] = lambda record: None,
    ) -> list[ResultRecord]:
        """Run `jobs`, at most `concurrency` at once; each record is written to `out` (and
        durable) before `on_result` sees it."""
        results: list[ResultRecord] = []
        pending = iter(jobs)

        async def worker() -> None:
            for job in pending:
                record = await self.one(job)
                if out is not None:
                    await out.append(record)
                results.append(record)
                on_result(record)

        await _all_or_none([worker() for _ in range(max(1, min(concurrency, len(jobs))))])
        return results

    async def one(self, job: Job) -> ResultRecord:
        """Ask the route, grade the answer; a failure is a record, never an exception."""
        case = job.case
        base: dict[str, Any] = {
            "source": self._run.source,
            "run_id": self._run.run_id,
            "route": job.route,
            "case_id": case.id,
            "repeat": job.repeat,
            "case_hash": case.fingerprint,
        }
        params: dict[str, Any] = dict(case.params)
        if case.metadata:
            params["metadata"] = case.metadata
        started = time.perf_counter()
        try:
            resp = await self._router.acompletion(
                job.route, case.messages, timeout=self._timeout_s, cache=NO_CACHE, **params
            )
        except LLMRouterError as err:
            status, kind = failure_of(err)
            return ResultRecord(
                **base,
                status=status,
                passed=False,
                error_kind=kind,
                latency_s=time.perf_counter() - started,
                attempts=len(err.attempts),
                at=self._clock(),
            )
        except Exception as err:  # a defect, not a provider fault: keep the run going
            # The type only: an unexpected exception's text is not known to be free of content.
            logger.warning(
                "llmrouter eval: case %s on %s: unexpected %s",
                case.id,
                job.route,
                type(err).__name__,
            )
            return ResultRecord(
                **base,
                status="error",
                passed=False,
                error_kind="unexpected",
                latency_s=time.perf_counter() - started,
                at=self._clock(),
            )
        latency = time.perf_counter() - started
        return await self._graded(job, resp, latency, base)

    async def _graded(
        self, job: Job, resp: ChatCompletion, latency: float, base: dict[str, Any]
    ) -> ResultRecord:
        answer = Answer.of(resp)
        info = resp.route
        figures: dict[str, Any] = {
            "latency_s": latency,
            "cost_usd": info.cost_usd if info is not None else 0.0,
            "model": info.model if info is not None else None,
            "attempts": len(info.attempts) if info is not None else 1,
            "answer": answer.text if self._capture else None,
        }
        if answer.is_refusal:
            return ResultRecord(
                **base,
                **figures,
                status="refused",
                passed=False,
                error_kind="refusal",
                at=self._clock(),
            )
        case = job.case
        context = GradeContext(
            messages=case.messages,
            reference=Answer(text=case.expected) if case.expected is not None else None,
            judge=self._judge,
            capture_content=self._capture,
        )
        checks = await grade(case.checks, answer, context)
        return ResultRecord(
            **base,
            **figures,
            status="ok",
            passed=all(c.passed for c in checks),
            checks=checks,
            judge_cost_usd=context.judge_cost_usd,
            at=self._clock(),
        )


async def _all_or_none(coroutines: Sequence[Awaitable[None]]) -> None:
    """Run all; the first failure cancels the others and is raised."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
