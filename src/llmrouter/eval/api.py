"""`evaluate`: a prompt set across routes, from a config, resumable from a results file."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from llmrouter.config.loader import LoadedConfig, load_dict, load_file, suggest
from llmrouter.errors import EvalInputError, RouteNotFoundError
from llmrouter.eval.cases import Case, cases_from, load_cases
from llmrouter.eval.outfile import ResultsFile, read_results
from llmrouter.eval.progress import NoProgress, Progress
from llmrouter.eval.runner import Job, RouterJudge, Runner, plan
from llmrouter.experiments.records import ResultRecord, RunInfo
from llmrouter.experiments.store import ResultStore, store_for
from llmrouter.experiments.summary import CaseDiff, RouteSummary, disagreements, summarize

__all__ = ["DEFAULT_STORE", "EvalResult", "evaluate"]


class _DefaultStore:
    def __repr__(self) -> str:
        return "DEFAULT_STORE"


DEFAULT_STORE: Any = _DefaultStore()
"""`store=` default: the config's `experiments.store`. `None` keeps results out of any store."""

CasesArg = str | Path | Sequence[Case | Mapping[str, Any]]
ConfigArg = str | Path | Mapping[str, Any]


@dataclass(frozen=True)
class EvalResult:
    """A finished run: its records (resumed and new), and the figures per route."""

    run: RunInfo
    records: tuple[ResultRecord, ...]
    resumed: int = 0
    """Results taken from the results file instead of being run again."""
    ran: int = 0
    routes: tuple[str, ...] = field(default=())

    @cached_property
    def summaries(self) -> dict[str, RouteSummary]:
        """One `RouteSummary` per route, in `--routes` order."""
        return summarize(self.records, self.routes or self.run.routes)

    def disagreements(self) -> list[CaseDiff]:
        """Cases on which the routes' outcomes differ."""
        return disagreements(self.records, self.routes or self.run.routes)

    def below(self, threshold: float) -> list[str]:
        """Routes whose pass rate is below `threshold` (what `--fail-under` checks)."""
        return [name for name, s in self.summaries.items() if s.pass_rate < threshold]

    def to_json(self) -> dict[str, Any]:
        """`{"run_id": ..., "routes": {route: {cases, passed, pass_rate, ci95, ...}}}`."""
        return {
            "run_id": self.run.run_id,
            "routes": {name: s.to_json() for name, s in self.summaries.items()},
        }


@dataclass(frozen=True)
class _Settings:
    config: ConfigArg
    judge: str | None
    concurrency: int
    timeout_s: float | None
    capture_content: bool
    env: Mapping[str, str] | None
    router_options: Mapping[str, Any]


def _load_config(config: ConfigArg) -> LoadedConfig:
    if isinstance(config, Mapping):
        return load_dict(config)
    return load_file(config)


def _load_cases(cases: CasesArg) -> list[Case]:
    if isinstance(cases, (str, Path)):
        return load_cases(cases)
    built = [c for c in cases if isinstance(c, Case)]
    mappings = [c for c in cases if not isinstance(c, Case)]
    return built + (cases_from(mappings) if mappings else [])


def check_routes(loaded: LoadedConfig, routes: Sequence[str], judge: str | None) -> None:
    """Every name must be a route or a model of the config; raises `RouteNotFoundError`."""
    known = [*loaded.config.routes, *loaded.config.models]
    if not routes:
        raise EvalInputError(["--routes: name at least one route"])
    if len(set(routes)) != len(routes):
        raise EvalInputError(["--routes: a route is listed twice"])
    for name in [*routes, *([judge] if judge else [])]:
        if name not in known:
            raise RouteNotFoundError(name, known, suggest(name, known))


def _check_judge(cases: Sequence[Case], judge: str | None) -> None:
    if judge is None:
        needing = [f"{c.where}: case {c.id!r} has a judge check" for c in cases if c.needs_judge]
        if needing:
            raise EvalInputError([*needing, "judge checks need a judge route: pass --judge ROUTE"])


def _resume(
    out: Path | None, routes: Sequence[str], label: str
) -> tuple[RunInfo, list[ResultRecord], bool]:
    """The run of the results file (or a new one) and the records it holds."""
    previous, records = read_results(out) if out is not None else (None, [])
    if previous is None:
        run_id = f"eval-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        run = RunInfo(run_id=run_id, routes=tuple(routes), started_at=time.time(), label=label)
        return run, [], True
    if tuple(previous.routes) != tuple(routes):
        raise EvalInputError(
            [
                f"{out}: holds run {previous.run_id} over routes {', '.join(previous.routes)}; "
                f"run with --routes {','.join(previous.routes)} to resume it, or use another --out"
            ]
        )
    return previous, records, False


def _done(
    records: Sequence[ResultRecord], jobs: Sequence[Job]
) -> dict[tuple[str, str, int], ResultRecord]:
    """Records still valid for a planned job: same route, case, repeat and case content."""
    planned = {(j.route, j.case.id, j.repeat): j.case.fingerprint for j in jobs}
    return {
        (r.route, r.case_id, r.repeat): r
        for r in records
        if planned.get((r.route, r.case_id, r.repeat)) == r.case_hash
    }


async def evaluate(
    cases: CasesArg,
    *,
    config: ConfigArg,
    routes: Sequence[str],
    out: str | Path | None = None,
    judge: str | None = None,
    concurrency: int = 8,
    timeout_s: float | None = None,
    store: ResultStore | None = DEFAULT_STORE,
    progress: Progress | None = None,
    env: Mapping[str, str] | None = None,
    router_options: Mapping[str, Any] | None = None,
) -> EvalResult:
    """Run `cases` (a prompt file, or cases / mappings built in code) through each of
    `routes` and grade every answer.

    `out`: a results file written as each result completes; when it already holds results
    of the same run, those are kept and not run again. `judge`: the route that grades
    `judge` checks. `timeout_s`: each request's deadline (default: the route's). `store`:
    where the results go for `llmrouter report` (default: the config's `experiments.store`;
    None: nowhere). `env` replaces `os.environ` for `${VAR}` references;
    `router_options` are passed to the `Router`.
    """
    if concurrency < 1:
        raise EvalInputError(["--concurrency: must be at least 1"])
    loaded = _load_config(config)
    check_routes(loaded, routes, judge)
    case_list = _load_cases(cases)
    _check_judge(case_list, judge)
    label = Path(cases).name if isinstance(cases, (str, Path)) else "<cases>"
    planned = _Planned.make(case_list, routes, Path(out) if out is not None else None, label)
    settings = _Settings(
        config,
        judge,
        concurrency,
        timeout_s,
        loaded.config.experiments.capture_content,
        env,
        router_options or {},
    )
    chosen = store_for(loaded, env) if store is DEFAULT_STORE else store
    records, fresh = await _run_planned(planned, settings, chosen, progress or NoProgress())
    return EvalResult(
        planned.run, records, resumed=len(planned.done), ran=fresh, routes=planned.run.routes
    )


@dataclass(frozen=True)
class _Planned:
    """Every job of the run, and which of them the results file already holds."""

    run: RunInfo
    jobs: list[Job]
    done: dict[tuple[str, str, int], ResultRecord]
    results_file: ResultsFile | None
    new_file: bool

    @classmethod
    def make(
        cls, cases: Sequence[Case], routes: Sequence[str], out: Path | None, label: str
    ) -> _Planned:
        run, previous, new = _resume(out, routes, label)
        jobs = list(plan(cases, run.routes))
        results_file = ResultsFile(out) if out is not None else None
        return cls(run, jobs, _done(previous, jobs), results_file, new)

    @property
    def todo(self) -> list[Job]:
        return [j for j in self.jobs if (j.route, j.case.id, j.repeat) not in self.done]

    def records(self, fresh: Sequence[ResultRecord]) -> tuple[ResultRecord, ...]:
        """All records in plan order (case, repeat, route): the same order however the run
        was split across resumes."""
        by_key = {**self.done, **{(r.route, r.case_id, r.repeat): r for r in fresh}}
        return tuple(by_key[(j.route, j.case.id, j.repeat)] for j in self.jobs)


async def _run_planned(
    planned: _Planned, settings: _Settings, store: ResultStore | None, progress: Progress
) -> tuple[tuple[ResultRecord, ...], int]:
    if planned.results_file is not None:
        planned.results_file.open(planned.run, new=planned.new_file)
    try:
        if store is not None:
            await store.add_run(planned.run)
        progress.start(len(planned.jobs), len(planned.done))
        try:
            fresh = await _execute(
                settings, planned.run, planned.todo, planned.results_file, progress
            )
        finally:
            progress.finish()
        records = planned.records(fresh)
        if store is not None:
            await store.add(records)
    finally:
        if planned.results_file is not None:
            await planned.results_file.aclose()
        if store is not None:
            await store.aclose()
    return records, len(fresh)


async def _execute(
    settings: _Settings,
    run: RunInfo,
    todo: Sequence[Job],
    results_file: ResultsFile | None,
    progress: Progress,
) -> list[ResultRecord]:
    from llmrouter.router import Router

    if not todo:
        return []
    options = {"env": settings.env, **settings.router_options}
    router = (
        Router.from_dict(settings.config, **options)
        if isinstance(settings.config, Mapping)
        else Router.from_yaml(settings.config, **options)
    )
    async with router:
        judge = RouterJudge(router, settings.judge, settings.timeout_s) if settings.judge else None
        runner = Runner(
            router,
            run,
            judge=judge,
            timeout_s=settings.timeout_s,
            capture_content=settings.capture_content,
        )
        return await runner.run(
            todo, concurrency=settings.concurrency, out=results_file, on_result=progress.advance
        )
