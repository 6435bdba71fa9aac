"""Hints for config mistakes: litellm's key names mapped to ours, `os.environ/VAR` references,
and did-you-mean among the fields a section really has.

A litellm user's first config is often a litellm config; each of its keys gets an answer that
names the equivalent here (or `llmrouter migrate` for a whole file) instead of a bare
"unknown key".
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from llmrouter.config.yaml_source import Path

__all__ = [
    "LITELLM_TOP_LEVEL",
    "litellm_file_problems",
    "looks_like_litellm",
    "os_environ_problems",
    "section_fields",
    "suggest",
    "unknown_key_message",
]

MIGRATE_CMD = "`llmrouter migrate FILE > llmrouter.yaml`"
MIGRATE = f"convert the file with {MIGRATE_CMD}"

LITELLM_TOP_LEVEL = {
    "model_list": "this looks like a litellm config: its `model_list` entries are `models:` "
    f"here (and `providers:` for api_base/api_key); {MIGRATE}",
    "litellm_settings": f"litellm's settings have no single section here; {MIGRATE}",
    "router_settings": "litellm's router settings are per route here (`routes:` with "
    f"`strategy`, `retries`, `timeout_s`); {MIGRATE}",
    "general_settings": "litellm proxy settings (master key, database) have no equivalent "
    "in the router config",
    "environment_variables": "set environment variables in the environment and refer to "
    "them as ${VAR}",
}
"""litellm's top-level keys and what to do about each."""

LITELLM_KEYS = {
    "litellm_params": "litellm's `litellm_params` are flat fields of a model entry here: "
    "`model: zai/glm-4.6` and `provider:` naming a `providers:` entry with api_base/api_key",
    "model_name": "a model's name is its key under `models:`, and what applications ask for "
    "is a `routes:` entry",
    "model_info": "model info fields are flat here: `context_window`, `supports_tools`, "
    "`supports_vision`, `input_cost_per_mtok`",
    "num_retries": "use `retries` on a route (extra attempts on the same model)",
    "max_retries": "use `retries` on a route (extra attempts on the same model)",
    "timeout": "use `timeout_s` on a route (the whole request) or `attempt_timeout_s` "
    "(one upstream attempt)",
    "request_timeout": "use `timeout_s` on a route (the whole request) or "
    "`attempt_timeout_s` (one upstream attempt)",
    "stream_timeout": "use `attempt_timeout_s` on a route",
    "rpm": "there are no per-deployment rate limits; cap requests in flight with "
    "`max_concurrency` on the model",
    "tpm": "there are no per-deployment token limits; cap requests in flight with "
    "`max_concurrency` on the model",
    "max_parallel_requests": "use `max_concurrency` on the model",
    "input_cost_per_token": "use `input_cost_per_mtok`, per million tokens (litellm's value "
    "times 1,000,000)",
    "output_cost_per_token": "use `output_cost_per_mtok`, per million tokens (litellm's value "
    "times 1,000,000)",
    "cache_read_input_token_cost": "use `cached_input_cost_per_mtok`, per million tokens",
    "output_cost_per_reasoning_token": "use `reasoning_cost_per_mtok`, per million tokens",
    "max_input_tokens": "use `context_window`",
    "fallbacks": "a route's `models:` list is its fallback order",
    "context_window_fallbacks": "a route falls back to a model with a larger context window "
    "by itself after a context-window fault; list the candidates in `models:`",
    "content_policy_fallbacks": "set `fault_policy: {content_filter: {fallback: true}}` on "
    "the route",
    "routing_strategy": "use `strategy` on a route: ordered, cost, latency or weighted",
    "weight": "use `strategy: weighted` and `weights:` on the route",
    "api_version": "put it under the provider's `params:`",
    "custom_llm_provider": "the model string's prefix names the provider wire "
    "(`openai/`, `anthropic/`, `zai/`...)",
    "allowed_fails": "use `circuit_breaker: {failure_threshold: N}`",
    "cooldown_time": "use `circuit_breaker: {cooldown_s: N}`",
    "redis_host": "give Redis as one `url: redis://host:port/db` under `cache:` or `state:`",
    "redis_port": "give Redis as one `url: redis://host:port/db` under `cache:` or `state:`",
    "redis_password": "give Redis as one `url: redis://:${REDIS_PASSWORD}@host:port/db`",
}
"""litellm's keys inside sections and our equivalent."""

_CACHE_KEYS = {
    "type": "the cache's kind is `backend: memory` or `backend: redis`",
    "host": "give Redis as one `url: redis://host:port/db`",
    "port": "give Redis as one `url: redis://host:port/db`",
    "password": "give Redis as one `url: redis://:${REDIS_PASSWORD}@host:port/db`",
    "ttl": "use `ttl_s`",
    "timeout": "use `timeout_ms` (one Redis operation)",
}
"""litellm's `cache_params` keys, inside `cache:` and `state:`."""

_OS_ENVIRON = re.compile(r"^os\.environ/([A-Za-z_][A-Za-z0-9_]*)$")


def suggest(name: str, known: Collection[str]) -> str | None:
    """The closest known name, for 'did you mean' hints."""
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def looks_like_litellm(data: object) -> bool:
    """Whether a parsed YAML document is a litellm Router or proxy config."""
    if not isinstance(data, Mapping):
        return False
    return "model_list" in data or (
        "models" not in data and any(key in data for key in LITELLM_TOP_LEVEL)
    )


def litellm_file_problems(data: Mapping[str, Any], source: str) -> list[tuple[Path, str]]:
    """For a whole litellm file: one problem per litellm top-level key, naming the command
    that converts it (the details of every entry would only be noise)."""
    command = f"`llmrouter migrate {source} > llmrouter.yaml`"
    return [
        ((key,), f"unknown key {key!r}: {LITELLM_TOP_LEVEL[key].replace(MIGRATE_CMD, command)}")
        for key in data
        if key in LITELLM_TOP_LEVEL
    ]


def unknown_key_message(loc: Path, root: type[BaseModel]) -> str:
    """`unknown key 'x'` with the litellm equivalent, or the closest field of its section."""
    key = str(loc[-1]) if loc else ""
    text = f"unknown key {key!r}"
    if len(loc) == 1 and key in LITELLM_TOP_LEVEL:
        return f"{text}: {LITELLM_TOP_LEVEL[key]}"
    hint = LITELLM_KEYS.get(key)
    if len(loc) == 2 and loc[0] in ("cache", "state"):
        hint = _CACHE_KEYS.get(key, hint)
    if hint is not None:
        return f"{text}: {hint}"
    fields = section_fields(root, loc[:-1])
    close = suggest(key, fields) if fields else None
    return f"{text}; did you mean {close!r}?" if close is not None else text


def section_fields(root: type[BaseModel], path: Path) -> list[str]:
    """The field names of the section at `path` (mapping keys and list indexes skipped)."""
    node: Any = root
    index = 0
    while index < len(path):
        model = _model_of(node)
        if model is not None:
            field = model.model_fields.get(str(path[index]))
            if field is None:
                return []
            node = field.annotation
            index += 1
            continue
        inner = _container_item(node)
        if inner is None:
            return []
        node = inner
        index += 1
    model = _model_of(node)
    return list(model.model_fields) if model is not None else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            model = _model_of(arg)
            if model is not None:
                return model
    return None


def _container_item(annotation: Any) -> Any:
    """The item type of `dict[str, X]` or `list[X]` (looking through `X | None`)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            inner = _container_item(arg)
            if inner is not None:
                return inner
        return None
    args = get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and len(args) == 1:
        return args[0]
    return None


def os_environ_problems(data: object) -> list[tuple[Path, str]]:
    """Every litellm `os.environ/VAR` reference, with the `${VAR}` to write instead."""
    return [
        (path, f"litellm's `{value}` is written `${{{match.group(1)}}}` here")
        for path, value in _strings(data, ())
        if (match := _OS_ENVIRON.match(value.strip()))
    ]


def _strings(data: object, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))
