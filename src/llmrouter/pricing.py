"""Prices and context windows: the bundled price map, overridden per model in YAML.

Bundled entries come from llmrouter's own price file, then from the map inside the litellm
package when it is installed (`llmrouter.price_map`), read as JSON without importing litellm
and without any network access.

Every price is held in USD per million tokens. A model's price is one or more tiers chosen by
the prompt's token count (vendors such as Google and Alibaba charge more for long prompts);
each tier prices four kinds of token:

- uncached prompt tokens (`input`), prompt tokens read from the provider's prompt cache
  (`cached_input`, part of `prompt_tokens`), prompt tokens written to it (`cache_write`, part
  of `prompt_tokens`; Anthropic bills them at 1.25x input, or 2x for a one-hour lifetime
  (`cache_write_1h`)), completion tokens (`output`) and
  reasoning tokens (`reasoning`, part of `completion_tokens`), following the OpenAI usage
  convention.

Precedence, field by field: YAML `price_tiers` (replace every bundled price), else YAML flat
prices (a flat override drops the bundled tiers), else the bundled map. YAML prices are in the
model's `currency`, converted with the top-level `currencies` rate; bundled prices are USD.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from llmrouter.config.schema import ModelConfig, PriceTierConfig
from llmrouter.price_map import bundled_entry, bundled_price_map
from llmrouter.types import Usage

__all__ = ["Price", "PriceTier", "bundled_entry", "bundled_price_map", "price_for"]

_ABOVE = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
_MTOK = 1_000_000

Source = Literal["config", "bundled", "config+bundled", "none"]


@dataclass(frozen=True, slots=True)
class PriceTier:
    """USD per million tokens for prompts of up to `max_input_tokens` (None: no upper bound)."""

    max_input_tokens: int | None
    input_per_mtok: float
    output_per_mtok: float
    cached_input_per_mtok: float
    reasoning_per_mtok: float
    cache_write_per_mtok: float | None = None
    """Prompt tokens written to the provider's prompt cache (None: the input price)."""
    cache_write_1h_per_mtok: float | None = None
    """Of those, the ones written with a one-hour lifetime (Anthropic bills them at 2x input;
    None: the cache-write price)."""


@dataclass(frozen=True)
class Price:
    """The effective price and context window of one model entry, in USD per million tokens.

    `input_per_mtok` and friends describe the first (or only) tier; `tiers` holds all of them.
    """

    input_per_mtok: float | None
    output_per_mtok: float | None
    context_window: int | None
    source: Source
    cached_input_per_mtok: float | None = None
    reasoning_per_mtok: float | None = None
    tiers: tuple[PriceTier, ...] = field(default=())
    currency: str = "USD"
    """The currency the config's prices are stated in (converted to USD here)."""
    usd_per_unit: float = 1.0
    max_output_tokens: int | None = None
    """The model's own limit on completion tokens (from the price map), if known."""

    def __post_init__(self) -> None:
        if not self.tiers and self.input_per_mtok is not None and self.output_per_mtok is not None:
            flat = PriceTier(
                None,
                self.input_per_mtok,
                self.output_per_mtok,
                _or(self.cached_input_per_mtok, self.input_per_mtok),
                _or(self.reasoning_per_mtok, self.output_per_mtok),
            )
            object.__setattr__(self, "tiers", (flat,))

    @property
    def known(self) -> bool:
        """Whether input and output prices are known (else every cost is 0.0)."""
        return bool(self.tiers)

    def tier_for(self, prompt_tokens: int) -> PriceTier | None:
        """The tier that prices a prompt of `prompt_tokens` (the last one above every bound)."""
        tiers = self.tiers
        if len(tiers) == 1:
            return tiers[0]
        for tier in tiers:
            if tier.max_input_tokens is None or prompt_tokens <= tier.max_input_tokens:
                return tier
        return tiers[-1] if tiers else None

    def cost_usd(self, usage: Usage) -> float:
        """Exact cost of `usage`: cached prompt tokens and reasoning tokens at their own prices,
        the tier chosen by `prompt_tokens`; 0.0 when the price is unknown (`check` warns)."""
        prompt = usage.prompt_tokens
        tier = self.tier_for(prompt)
        if tier is None:
            return 0.0
        completion = usage.completion_tokens
        cached = min(max(usage.cached_tokens, 0), max(prompt, 0))
        written = min(max(usage.cache_write_tokens, 0), max(prompt - cached, 0))
        hour = min(max(usage.cache_write_1h_tokens, 0), written)
        reasoning = min(max(usage.reasoning_tokens, 0), max(completion, 0))
        write_price = _or(tier.cache_write_per_mtok, tier.input_per_mtok)
        hour_price = _or(tier.cache_write_1h_per_mtok, write_price)
        return (
            (prompt - cached - written) * tier.input_per_mtok
            + cached * tier.cached_input_per_mtok
            + (written - hour) * write_price
            + hour * hour_price
            + (completion - reasoning) * tier.output_per_mtok
            + reasoning * tier.reasoning_per_mtok
        ) / _MTOK

    def estimate_usd(self, prompt_tokens: int, completion_tokens: float) -> float | None:
        """Expected cost of a request (no cache reads, no separate reasoning); None if unknown."""
        tier = self.tier_for(prompt_tokens)
        if tier is None:
            return None
        return (
            prompt_tokens * tier.input_per_mtok + completion_tokens * tier.output_per_mtok
        ) / _MTOK


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _per_mtok(entry: Mapping[str, Any], key: str) -> float | None:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) * _MTOK


def _bundled_tiers(entry: Mapping[str, Any]) -> list[PriceTier]:
    """Tiers from `tiered_pricing` ranges or `*_above_<N>k_tokens` keys; one flat tier else."""
    ranged = entry.get("tiered_pricing")
    if isinstance(ranged, list) and ranged:
        return _ranged_tiers(ranged)
    base = _tier_from(entry, "", None, None)
    if base is None:
        return []
    bounds = sorted(int(m.group(1)) * 1000 for k in entry if (m := _ABOVE.match(k)))
    tiers: list[PriceTier] = []
    previous = base
    for index, bound in enumerate(bounds):
        tiers.append(_bounded(previous, bound))
        above = _tier_from(entry, f"_above_{bound // 1000}k_tokens", previous, None)
        previous = above or previous
        if index == len(bounds) - 1:
            tiers.append(previous)
    return tiers or [base]


def _ranged_tiers(ranged: list[Any]) -> list[PriceTier]:
    tiers: list[PriceTier] = []
    previous: PriceTier | None = None
    for item in ranged:
        if not isinstance(item, Mapping):
            return []
        span = item.get("range")
        upper = span[1] if isinstance(span, list) and len(span) == 2 else None
        bound = int(upper) if isinstance(upper, (int, float)) else None
        tier = _tier_from(item, "", previous, bound)
        if tier is None:
            return []
        tiers.append(tier)
        previous = tier
    return tiers


def _tier_from(
    entry: Mapping[str, Any], suffix: str, fallback: PriceTier | None, bound: int | None
) -> PriceTier | None:
    inp = _per_mtok(entry, f"input_cost_per_token{suffix}")
    out = _per_mtok(entry, f"output_cost_per_token{suffix}")
    if fallback is None and (inp is None or out is None):
        return None
    if inp is None and out is None:
        return None
    inp = _or(inp, fallback.input_per_mtok if fallback else 0.0)
    out = _or(out, fallback.output_per_mtok if fallback else 0.0)
    cached = _per_mtok(entry, f"cache_read_input_token_cost{suffix}")
    if cached is None:  # an above-tier without its own cache price keeps the base discount
        discounted = (
            fallback is not None
            and suffix
            and fallback.cached_input_per_mtok < fallback.input_per_mtok
        )
        cached = fallback.cached_input_per_mtok if fallback and discounted else inp
    reasoning = _or(_per_mtok(entry, f"output_cost_per_reasoning_token{suffix}"), out)
    write = _per_mtok(entry, f"cache_creation_input_token_cost{suffix}")
    hour = _per_mtok(entry, f"cache_creation_input_token_cost_above_1hr{suffix}")
    if write is None and fallback is not None:
        write = fallback.cache_write_per_mtok
    if hour is None and fallback is not None:
        hour = fallback.cache_write_1h_per_mtok
    return PriceTier(bound, inp, out, cached, reasoning, write, hour)


def _bounded(tier: PriceTier, bound: int) -> PriceTier:
    return replace(tier, max_input_tokens=bound)


def _config_tiers(tiers: list[PriceTierConfig], entry: ModelConfig, rate: float) -> list[PriceTier]:
    def usd(value: float | None) -> float | None:
        return None if value is None else value * rate

    out = []
    for t in tiers:
        inp = t.input_cost_per_mtok * rate
        outp = t.output_cost_per_mtok * rate
        cached = _or_none(usd(t.cached_input_cost_per_mtok), usd(entry.cached_input_cost_per_mtok))
        reasoning = _or_none(usd(t.reasoning_cost_per_mtok), usd(entry.reasoning_cost_per_mtok))
        write = _or_none(usd(t.cache_write_cost_per_mtok), usd(entry.cache_write_cost_per_mtok))
        hour = _or_none(
            usd(t.cache_write_1h_cost_per_mtok), usd(entry.cache_write_1h_cost_per_mtok)
        )
        tier = PriceTier(t.max_input_tokens, inp, outp, _or(cached, inp), _or(reasoning, outp))
        out.append(replace(tier, cache_write_per_mtok=write, cache_write_1h_per_mtok=hour))
    return out


def price_for(entry: ModelConfig, currencies: Mapping[str, float] | None = None) -> Price:
    """The effective price of a model entry (see the module docstring for the precedence).

    `currencies` maps a currency code to its USD value per unit; the loader makes sure the
    model's currency has one.
    """
    bundled = bundled_entry(entry.model) or {}
    currency = entry.currency or "USD"
    rate = 1.0 if currency == "USD" else (currencies or {}).get(currency, 1.0)
    if entry.price_tiers:
        tiers = _config_tiers(entry.price_tiers, entry, rate)
    elif entry.input_cost_per_mtok is not None or entry.output_cost_per_mtok is not None:
        tiers = _flat_override(entry, bundled, rate)
    else:
        tiers = [_with_overrides(t, entry, rate) for t in _bundled_tiers(bundled)]
    window = entry.context_window or bundled.get("max_input_tokens") or None
    max_output = bundled.get("max_output_tokens") or bundled.get("max_tokens")
    first = tiers[0] if tiers else None
    return Price(
        input_per_mtok=first.input_per_mtok if first else None,
        output_per_mtok=first.output_per_mtok if first else None,
        context_window=int(window) if window else None,
        source=_source(entry, bool(bundled)),
        cached_input_per_mtok=first.cached_input_per_mtok if first else None,
        reasoning_per_mtok=first.reasoning_per_mtok if first else None,
        tiers=tuple(tiers),
        currency=currency,
        usd_per_unit=rate,
        max_output_tokens=int(max_output) if isinstance(max_output, (int, float)) else None,
    )


def _usd(value: float | None, rate: float) -> float | None:
    return None if value is None else value * rate


def _flat_override(entry: ModelConfig, bundled: Mapping[str, Any], rate: float) -> list[PriceTier]:
    """YAML flat prices, each missing one from the bundled map."""
    inp = _or_none(
        _usd(entry.input_cost_per_mtok, rate), _per_mtok(bundled, "input_cost_per_token")
    )
    out = _or_none(
        _usd(entry.output_cost_per_mtok, rate), _per_mtok(bundled, "output_cost_per_token")
    )
    if inp is None or out is None:
        return []
    cached = _or_none(
        _usd(entry.cached_input_cost_per_mtok, rate),
        _per_mtok(bundled, "cache_read_input_token_cost"),
    )
    reasoning = _or_none(
        _usd(entry.reasoning_cost_per_mtok, rate),
        _per_mtok(bundled, "output_cost_per_reasoning_token"),
    )
    write = _or_none(
        _usd(entry.cache_write_cost_per_mtok, rate),
        _per_mtok(bundled, "cache_creation_input_token_cost"),
    )
    hour = _or_none(
        _usd(entry.cache_write_1h_cost_per_mtok, rate),
        _per_mtok(bundled, "cache_creation_input_token_cost_above_1hr"),
    )
    return [PriceTier(None, inp, out, _or(cached, inp), _or(reasoning, out), write, hour)]


def _with_overrides(tier: PriceTier, entry: ModelConfig, rate: float) -> PriceTier:
    """A bundled tier with the entry's cached, reasoning and cache-write overrides."""
    write = _usd(entry.cache_write_cost_per_mtok, rate)
    hour = _usd(entry.cache_write_1h_cost_per_mtok, rate)
    return replace(
        tier,
        cache_write_1h_per_mtok=hour if hour is not None else tier.cache_write_1h_per_mtok,
        cached_input_per_mtok=_or(
            _usd(entry.cached_input_cost_per_mtok, rate), tier.cached_input_per_mtok
        ),
        reasoning_per_mtok=_or(_usd(entry.reasoning_cost_per_mtok, rate), tier.reasoning_per_mtok),
        cache_write_per_mtok=write if write is not None else tier.cache_write_per_mtok,
    )


def _or_none(value: float | None, default: float | None) -> float | None:
    return default if value is None else value


def _source(entry: ModelConfig, bundled: bool) -> Source:
    overridden = any(
        v is not None
        for v in (
            entry.input_cost_per_mtok,
            entry.output_cost_per_mtok,
            entry.cached_input_cost_per_mtok,
            entry.reasoning_cost_per_mtok,
            entry.cache_write_cost_per_mtok,
            entry.cache_write_1h_cost_per_mtok,
            entry.price_tiers,
            entry.context_window,
        )
    )
    if overridden and bundled:
        return "config+bundled"
    if overridden:
        return "config"
    return "bundled" if bundled else "none"
