"""litellm's `model_list` -> llmrouter `providers:` and `models:`, and the groups they form.

A litellm deployment carries its endpoint, key and adapter settings itself; here those live on
a provider that models share, so deployments with the same prefix, endpoint, key and settings
share one provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmrouter.config.schema import ENV_REF
from llmrouter.config.yaml_source import Path
from llmrouter.migrate.notes import Notes, env_ref
from llmrouter.price_map import bundled_entry

__all__ = ["ModelList", "convert_model_list"]

_CALL_PARAMS = {
    "temperature",
    "max_tokens",
    "max_completion_tokens",
    "top_p",
    "seed",
    "stop",
    "n",
    "frequency_penalty",
    "presence_penalty",
    "response_format",
    "tools",
    "tool_choice",
    "user",
    "logprobs",
    "top_logprobs",
    "extra_headers",
    "extra_body",
    "stream",
    "mock_response",
    "drop_params",
    "additional_drop_params",
    "num_retries",
    "max_retries",
    "headers",
}
"""litellm_params that are per-call defaults, not endpoint settings."""

_PRICES = {
    "input_cost_per_token": "input_cost_per_mtok",
    "output_cost_per_token": "output_cost_per_mtok",
    "cache_read_input_token_cost": "cached_input_cost_per_mtok",
    "output_cost_per_reasoning_token": "reasoning_cost_per_mtok",
}
_INFO_FLAGS = {
    "max_input_tokens": "context_window",
    "supports_function_calling": "supports_tools",
    "supports_vision": "supports_vision",
    "supports_response_schema": "supports_json",
}
_WEIGHTS = ("weight", "rpm", "tpm")
_HANDLED = {
    "model",
    "api_base",
    "base_url",
    "api_key",
    "max_parallel_requests",
    "timeout",
    "stream_timeout",
    "request_timeout",
    "litellm_credential_name",
    "rpm",
    "tpm",
    "weight",
    *_PRICES,
}
_NATIVE_BARE = {"openai", "anthropic", "deepseek", "moonshot", "zai"}
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class ModelList:
    """The converted model list: providers, models, groups of deployments and their weights."""

    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    timeouts: dict[str, float] = field(default_factory=dict)
    """Per-deployment litellm `timeout`, by model name (the route takes the largest)."""
    sizes: dict[str, int] = field(default_factory=dict)
    """Deployments per group in the litellm file (named `<group>-<n>` when more than one)."""
    _provider_keys: dict[tuple[Any, ...], str] = field(default_factory=dict)
    _noted: set[str] = field(default_factory=set)


def convert_model_list(
    entries: object, notes: Notes, credentials: Mapping[str, Mapping[str, Any]]
) -> ModelList:
    """Every usable `model_list` entry; the rest are named in `notes`."""
    out = ModelList()
    if not isinstance(entries, list):
        notes.add(("model_list",), "model_list is not a list; nothing to convert")
        return out
    names = [str(e.get("model_name")) for e in entries if isinstance(e, Mapping)]
    groups = set(names)
    out.sizes = {group: names.count(group) for group in groups}
    for index, entry in enumerate(entries):
        path: Path = ("model_list", index)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("litellm_params"), Mapping):
            notes.add(path, "entry without litellm_params; skipped")
            continue
        params = dict(entry["litellm_params"])
        credential = params.pop("litellm_credential_name", None)
        if credential is not None:
            params = {**dict(credentials.get(str(credential), {})), **params}
        _deployment(out, str(entry.get("model_name")), params, entry, path, notes, groups)
    return out


def _deployment(
    out: ModelList,
    group: str,
    params: dict[str, Any],
    entry: Mapping[str, Any],
    path: Path,
    notes: Notes,
    groups: set[str],
) -> None:
    model = str(params.get("model", ""))
    if not model or "*" in model or "*" in group:
        notes.add(path, f"wildcard or empty model {model or group!r}: list each model by name")
        return
    model = _with_prefix(model, path, notes)
    mode = (bundled_entry(model) or {}).get("mode")
    if mode == "embedding" and not isinstance(entry.get("model_info"), Mapping):
        notes.add(
            (*path, "litellm_params", "model"),
            f"{model} is an embedding model; llmrouter routes chat completions; kept as a model",
        )
    name = _unique_name(model, group, out, groups)
    provider = _provider(out, model, params, path, notes)
    config: dict[str, Any] = {"provider": provider, "model": model}
    _prices_and_info(config, params, entry.get("model_info"), path, notes)
    if isinstance(params.get("max_parallel_requests"), int):
        config["max_concurrency"] = params["max_parallel_requests"]
    for key in _WEIGHTS:
        if isinstance(params.get(key), (int, float)) and not isinstance(params[key], bool):
            out.weights[name] = float(params[key])
            if key != "weight" and "rpm" not in out._noted:
                out._noted.add("rpm")
                notes.add(
                    (*path, "litellm_params", key),
                    "rpm/tpm limits are not enforced "
                    "here; in a group of several deployments they became the weights of "
                    "strategy: weighted (this note stands for every entry)",
                )
            break
    timeout = params.get("timeout", params.get("request_timeout"))
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        out.timeouts[name] = float(timeout)
    if "stream_timeout" in params:
        notes.add(
            (*path, "litellm_params", "stream_timeout"),
            "no equivalent; the route's attempt_timeout_s bounds streams too",
        )
    out.models[name] = config
    out.groups.setdefault(group, []).append(name)


def _with_prefix(model: str, path: Path, notes: Notes) -> str:
    """litellm infers the provider of a bare OpenAI or Anthropic model name; here the prefix
    picks the adapter, so it is written out."""
    if "/" in model:
        return model
    entry = bundled_entry(model) or {}
    vendor = entry.get("litellm_provider")
    if vendor in _NATIVE_BARE:
        return f"{vendor}/{model}"
    notes.add(
        (*path, "litellm_params", "model"),
        f"{model!r} has no provider prefix; litellm guesses one, here write it (e.g. openai/...)",
    )
    return model


def _unique_name(model: str, group: str, out: ModelList, groups: set[str]) -> str:
    """`<group>-<n>` for the n-th deployment of a group of several; else the model id, or
    `<model id>-<prefix>` when the id is the group's name (a route and a model may not share
    one)."""
    if out.sizes.get(group, 1) > 1:
        tail = f"{_NAME.sub('-', group).strip('-') or 'group'}-{len(out.groups.get(group, [])) + 1}"
    else:
        tail = _NAME.sub("-", model.rsplit("/", 1)[-1]).strip("-") or "model"
    prefix = model.split("/", 1)[0] if "/" in model else ""
    candidates = [tail, f"{tail}-{prefix}" if prefix else f"{tail}-model"]
    for name in candidates:
        if name not in out.models and name not in groups:
            return name
    number = 2
    while f"{candidates[-1]}-{number}" in out.models or f"{candidates[-1]}-{number}" in groups:
        number += 1
    return f"{candidates[-1]}-{number}"


def _provider(
    out: ModelList, model: str, params: Mapping[str, Any], path: Path, notes: Notes
) -> str:
    prefix = model.split("/", 1)[0] if "/" in model else "default"
    provider: dict[str, Any] = {}
    base, _ = env_ref(params.get("api_base", params.get("base_url")))
    if isinstance(base, str) and base:
        provider["api_base"] = _endpoint(base, prefix, path, notes)
    key = _api_key(params.get("api_key"), prefix, path, notes, out._noted)
    if key is not None:
        provider["api_key"] = key
    extra = _adapter_params(params, path, notes)
    if extra:
        provider["params"] = extra
    identity = (prefix, repr(sorted(provider.items())))
    name = out._provider_keys.get(identity)
    if name is None:
        taken = set(out.providers)
        name, number = prefix, 2
        while name in taken:
            name, number = f"{prefix}-{number}", number + 1
        out._provider_keys[identity] = name
        out.providers[name] = provider
    return name


def _endpoint(base: str, prefix: str, path: Path, notes: Notes) -> str:
    """An endpoint the config can take: a `${VAR}` reference, or an http(s) URL. Anything
    else (a placeholder such as `<your-azure-endpoint>` from the litellm docs) becomes a
    reference to `<PREFIX>_API_BASE`, with a note."""
    if base.startswith("${") or base.lower().startswith(("http://", "https://")):
        return base
    var = f"{prefix.upper().replace('-', '_')}_API_BASE"
    notes.add(
        (*path, "litellm_params", "api_base"),
        f"{base!r} is not a URL; it became ${{{var}}}: export {var} with the endpoint",
    )
    return f"${{{var}}}"


def _api_key(value: object, prefix: str, path: Path, notes: Notes, noted: set[str]) -> str | None:
    if value is None:
        return None
    ref, var = env_ref(value)
    if var is not None or (isinstance(value, str) and ENV_REF.match(value)):
        return str(ref)
    env = f"{_NAME.sub('_', prefix).upper()}_API_KEY"
    if env in noted:
        return f"${{{env}}}"
    noted.add(env)
    notes.add(
        (*path, "litellm_params", "api_key"),
        f"a literal API key is refused here; it became ${{{env}}}: export {env} (the value "
        "is not copied)",
    )
    return f"${{{env}}}"


def _adapter_params(params: Mapping[str, Any], path: Path, notes: Notes) -> dict[str, Any]:
    """Endpoint settings (api_version, aws_region_name, ...) that become provider params."""
    extra: dict[str, Any] = {}
    dropped = []
    for key, value in params.items():
        if key in _HANDLED:
            continue
        if key in _CALL_PARAMS:
            dropped.append(key)
            continue
        value, _ = env_ref(value)
        if isinstance(value, (str, int, float, bool)):
            extra[key] = value
        else:
            notes.add((*path, "litellm_params", key), f"{key} is not a plain value; not carried")
    if dropped:
        notes.add(
            (*path, "litellm_params"),
            "per-deployment call defaults have no "
            f"equivalent; pass them per call: {', '.join(dropped)}",
        )
    return extra


def _prices_and_info(
    config: dict[str, Any], params: Mapping[str, Any], info: object, path: Path, notes: Notes
) -> None:
    sources: list[Mapping[str, Any]] = [params]
    if isinstance(info, Mapping):
        sources.insert(0, info)
    for source in sources:
        for theirs, ours in _PRICES.items():
            value = source.get(theirs)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                config[ours] = round(float(value) * 1_000_000, 9)
    if not isinstance(info, Mapping):
        return
    for theirs, ours in _INFO_FLAGS.items():
        if theirs in info:
            config[ours] = info[theirs]
    if info.get("mode") not in (None, "chat", "completion"):
        notes.add(
            (*path, "model_info", "mode"),
            f"mode {info['mode']!r}: llmrouter routes chat completions; kept as a model",
        )
    ignored = sorted(set(info) - set(_PRICES) - set(_INFO_FLAGS) - {"mode"})
    if ignored:
        notes.add((*path, "model_info"), f"not carried: {', '.join(ignored)}")
