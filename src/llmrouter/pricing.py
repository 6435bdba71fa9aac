"""Prices and context windows: litellm's bundled price map, overridden per model in YAML.

The map is read from the JSON file shipped inside the litellm package, without importing
litellm (slow) and without any network access.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from llmrouter.config.schema import ModelConfig
from llmrouter.types import Usage

__all__ = ["Price", "bundled_price_map", "price_for"]

_PRICE_FILE = "model_prices_and_context_window_backup.json"


@dataclass(frozen=True)
class Price:
    """USD per million tokens, and the context window, of one model entry."""

    input_per_mtok: float | None
    output_per_mtok: float | None
    context_window: int | None
    source: Literal["config", "bundled", "config+bundled", "none"]

    @property
    def known(self) -> bool:
        return self.input_per_mtok is not None and self.output_per_mtok is not None

    def cost_usd(self, usage: Usage) -> float:
        """Cost of `usage`; 0.0 when the price is unknown (`llmrouter check` warns about it)."""
        if not self.known:
            return 0.0
        assert self.input_per_mtok is not None and self.output_per_mtok is not None
        return (
            usage.prompt_tokens * self.input_per_mtok
            + usage.completion_tokens * self.output_per_mtok
        ) / 1_000_000


@lru_cache(maxsize=1)
def bundled_price_map() -> dict[str, dict[str, Any]]:
    """litellm's local price map, or {} when litellm is not installed."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or spec.origin is None:
        return {}
    path = Path(spec.origin).parent / _PRICE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def _bundled_entry(model: str) -> dict[str, Any] | None:
    table = bundled_price_map()
    if model in table:
        return table[model]
    _, _, bare = model.partition("/")
    return table.get(bare) if bare else None


def price_for(entry: ModelConfig) -> Price:
    """The effective price of a model entry: YAML overrides first, then the bundled map."""
    bundled = _bundled_entry(entry.model) or {}

    def per_mtok(override: float | None, key: str) -> float | None:
        if override is not None:
            return override
        per_token = bundled.get(key)
        return float(per_token) * 1_000_000 if isinstance(per_token, (int, float)) else None

    window = entry.context_window or bundled.get("max_input_tokens") or None
    overridden = any(
        v is not None
        for v in (entry.input_cost_per_mtok, entry.output_cost_per_mtok, entry.context_window)
    )
    source: Literal["config", "bundled", "config+bundled", "none"]
    if overridden and bundled:
        source = "config+bundled"
    elif overridden:
        source = "config"
    elif bundled:
        source = "bundled"
    else:
        source = "none"
    return Price(
        input_per_mtok=per_mtok(entry.input_cost_per_mtok, "input_cost_per_token"),
        output_per_mtok=per_mtok(entry.output_cost_per_mtok, "output_cost_per_token"),
        context_window=int(window) if window else None,
        source=source,
    )
