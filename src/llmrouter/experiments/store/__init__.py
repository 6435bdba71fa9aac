"""Results stores: SQLite by default, Redis when `experiments.store` is a `redis://` URL."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from llmrouter.config.loader import LoadedConfig
from llmrouter.config.secrets import interpolate
from llmrouter.errors import ConfigError
from llmrouter.experiments.store.base import ResultStore, translating
from llmrouter.experiments.store.sqlite import SqliteStore

__all__ = ["ResultStore", "SqliteStore", "open_store", "store_for", "translating"]


def open_store(url: str, base_dir: str | Path = ".", namespace: str = "llmrouter") -> ResultStore:
    """The store behind `url`; a relative `sqlite:///` path is relative to `base_dir`
    (`sqlite:////abs/file.sqlite` is absolute). Nothing is opened before first use."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return SqliteStore(path if path.is_absolute() else Path(base_dir) / path)
    if url.startswith(("redis://", "rediss://")):
        from llmrouter.experiments.store.redis import RedisResultStore

        return RedisResultStore(url, namespace)
    raise ValueError("experiments store must be sqlite:///PATH or redis://HOST:PORT/DB")


def store_for(loaded: LoadedConfig, env: Mapping[str, str] | None = None) -> ResultStore:
    """The `experiments.store` of a config, `${VAR}` resolved, relative to the config file."""
    settings = loaded.config.experiments
    url, missing = interpolate(settings.store, os.environ if env is None else env)
    if missing:
        path = ("experiments", "store")
        where = loaded.locate(path).describe(path)
        raise ConfigError([f"{where}: environment variable {missing[0]} is not set"])
    source = Path(loaded.source)
    base = source.parent if source.is_file() else Path.cwd()
    try:
        return open_store(url, base, settings.namespace)
    except ValueError as exc:
        path = ("experiments", "store")
        raise ConfigError([f"{loaded.locate(path).describe(path)}: {exc}"]) from None
