"""The results store: SQLite (default) and a real Redis; writes are idempotent by key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from llmrouter.config import load_dict, load_text
from llmrouter.errors import ConfigError, ExperimentStoreError
from llmrouter.experiments import CheckOutcome, ResultRecord, RunInfo, open_store, store_for
from llmrouter.experiments.store import ResultStore
from redis_support import running_redis

RUN = RunInfo(run_id="eval-1", routes=("a", "b"), started_at=1.0, label="prompts.jsonl")


def _record(route: str, case_id: str, passed: bool = True, **extra: object) -> ResultRecord:
    return ResultRecord(
        run_id="eval-1",
        route=route,
        case_id=case_id,
        status="ok",
        passed=passed,
        checks=(CheckOutcome(name="contains", passed=passed, score=float(passed)),),
        latency_s=0.1,
        cost_usd=0.002,
        at=5.0,
        **extra,  # type: ignore[arg-type]
    )


async def _roundtrip(store: ResultStore) -> None:
    try:
        await store.add_run(RUN)
        await store.add([_record("a", "c1"), _record("b", "c1", passed=False)])
        await store.add([_record("b", "c1", passed=True)])  # same key: replaces
        await store.add_run(
            RunInfo(run_id="shadow:chat", source="shadow", routes=("chat", "glm"), started_at=2.0)
        )
        await store.add(
            [
                _record("glm", "req-9").model_copy(
                    update={"source": "shadow", "run_id": "shadow:chat"}
                )
            ]
        )
        runs = await store.runs()
        assert [r.run_id for r in runs] == ["eval-1", "shadow:chat"]
        assert runs[0] == RUN
        records = await store.records("eval-1")
        assert sorted((r.route, r.passed) for r in records) == [("a", True), ("b", True)]
        assert records[0].checks[0].name == "contains"
        (shadow,) = await store.records("shadow:chat")
        assert shadow.source == "shadow"
    finally:
        await store.aclose()


async def test_sqlite_roundtrip(tmp_path: Path) -> None:
    await _roundtrip(open_store("sqlite:///results.sqlite", tmp_path))
    assert (tmp_path / "results.sqlite").exists()
    with sqlite3.connect(tmp_path / "results.sqlite") as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(results)")]
    assert columns[:5] == ["source", "run_id", "route", "case_id", "repeat"]


async def test_redis_roundtrip() -> None:
    with running_redis() as redis:
        await _roundtrip(open_store(redis.url, namespace="t"))


async def test_unreachable_redis_is_a_typed_error_without_the_password() -> None:
    store = open_store("redis://:hunter2-secret@127.0.0.1:1/0")
    with pytest.raises(ExperimentStoreError) as caught:
        await store.runs()
    await store.aclose()
    assert "hunter2-secret" not in str(caught.value) and "***" in str(caught.value)


async def test_unwritable_sqlite_is_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    store = open_store("sqlite:///file/inside/a/file.sqlite", tmp_path)
    with pytest.raises(ExperimentStoreError, match=r"experiments store sqlite:///"):
        await store.runs()


def test_relative_sqlite_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "llmrouter.yaml"
    config.parent.mkdir()
    text = "providers: {p: {}}\nmodels: {m: {provider: p, model: openai/gpt-4o}}\n"
    config.write_text(text + "experiments:\n  store: sqlite:///data/exp.sqlite\n")
    from llmrouter.config import load_file

    store = store_for(load_file(config))
    assert store.name == f"sqlite:///{tmp_path / 'conf' / 'data' / 'exp.sqlite'}"
    absolute = load_dict({**_minimal(), "experiments": {"store": "sqlite:////var/x.sqlite"}})
    assert store_for(absolute).name == "sqlite:////var/x.sqlite"


def _minimal() -> dict[str, object]:
    return {"providers": {"p": {}}, "models": {"m": {"provider": "p", "model": "openai/gpt-4o"}}}


def test_store_url_with_env_reference(tmp_path: Path) -> None:
    loaded = load_dict({**_minimal(), "experiments": {"store": "${EXP_STORE}"}})
    assert (
        store_for(loaded, {"EXP_STORE": "redis://127.0.0.1:6379/3"}).name
        == "redis://127.0.0.1:6379/3"
    )
    with pytest.raises(
        ConfigError, match=r"experiments\.store: environment variable EXP_STORE is not set"
    ):
        store_for(loaded, {})


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        (
            "  store: postgres://u:pw@h/db\n",
            "must be sqlite:///PATH or redis://HOST:PORT/DB, not a postgres: URL",
        ),
        ("  store: results.db\n", "not 'results.db'"),
        ("  switch_criteria: {min_agreement: 1.5}\n", "experiments.switch_criteria.min_agreement"),
        ("  switch_criteria: {min_sample: 10}\n", "unknown key 'min_sample'"),
        ("  stor: x\n", "unknown key 'stor'"),
    ],
)
def test_experiments_section_is_validated(yaml: str, message: str) -> None:
    text = "providers: {p: {}}\nmodels: {m: {provider: p, model: openai/gpt-4o}}\nexperiments:\n"
    with pytest.raises(ConfigError, match=message) as caught:
        load_text(text + yaml, source="x.yaml")
    assert "x.yaml:4" in str(caught.value)
    assert "pw@" not in str(caught.value)
