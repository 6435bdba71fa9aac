"""Where bundled prices and context windows come from: llmrouter's own price file first, then
the price map inside the litellm package when `llmrouter[litellm]` is installed.

`llmrouter/data/prices.json` holds litellm's entries for the vendors served natively (openai,
anthropic, zai, deepseek, moonshot) in litellm's field format, with the litellm version they
were taken from (`scripts/update_prices.py` regenerates it). litellm's own map covers the long
tail. Both are read as JSON files, never by importing litellm, and never from the network.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "PriceFile",
    "bundled_entry",
    "bundled_price_map",
    "litellm_price_map",
    "own_price_file",
]

_LITELLM_FILE = "model_prices_and_context_window_backup.json"


@dataclass(frozen=True)
class PriceFile:
    """llmrouter's own price file: entries by litellm model key, and their provenance."""

    litellm_version: str
    providers: tuple[str, ...]
    models: dict[str, dict[str, Any]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def own_price_file() -> PriceFile:
    """The price file shipped with llmrouter (package data)."""
    text = (resources.files("llmrouter") / "data" / "prices.json").read_text(encoding="utf-8")
    data = json.loads(text)
    models = {k: v for k, v in data.get("models", {}).items() if isinstance(v, dict)}
    return PriceFile(
        litellm_version=str(data.get("litellm_version", "?")),
        providers=tuple(data.get("providers", ())),
        models=models,
    )


@lru_cache(maxsize=1)
def litellm_price_map() -> dict[str, dict[str, Any]]:
    """litellm's local price map, or {} when litellm is not installed."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or spec.origin is None:
        return {}
    path = Path(spec.origin).parent / _LITELLM_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def bundled_price_map() -> dict[str, dict[str, Any]]:
    """Every bundled entry: litellm's map (if installed) with llmrouter's file over it."""
    return {**litellm_price_map(), **own_price_file().models}


def bundled_entry(model: str) -> dict[str, Any] | None:
    """The bundled entry for a litellm model string.

    Keys tried in order: the full string (`zai/glm-4.6`), then the part after the first `/`
    (`gpt-4o` for `openai/gpt-4o`), then that part under each natively served vendor with
    prefixed keys (`anthropic/glm-4.6`, GLM over Z.ai's Anthropic-compatible endpoint, finds
    `zai/glm-4.6`). Each key is looked up in llmrouter's file, then in litellm's map; litellm's
    map is skipped for the natively served prefixes, whose prices llmrouter's file fixes.
    """
    own = own_price_file()
    prefix, _, bare = model.partition("/")
    native = bool(bare) and prefix in own.providers
    keys = [model, bare] if bare else [model]
    for key in keys:
        entry = own.models.get(key)
        if entry is None and not native:
            entry = litellm_price_map().get(key)
        if entry is not None:
            return entry
    if bare:
        for vendor in own.providers:
            entry = own.models.get(f"{vendor}/{bare}")
            if entry is not None:
                return entry
    return None
