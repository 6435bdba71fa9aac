"""What the data policy and blocks know about a candidate model: who processes its data, and
where. Built once from the config; the request path only looks them up."""

from __future__ import annotations

from dataclasses import dataclass

from llmrouter.config.schema import RouterConfig

__all__ = ["CandidateFacts", "facts_from_config"]


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """One `models:` entry as the policy sees it."""

    model: str
    """The entry's name in `models:`."""
    provider: str
    vendor: str
    """The provider's `vendor`, else the provider's name."""
    region: str | None
    """The provider's `region`; None when the config does not say."""
    zero_data_retention: bool


def facts_from_config(config: RouterConfig) -> dict[str, CandidateFacts]:
    """The facts of every model of a validated config, by model name."""
    out: dict[str, CandidateFacts] = {}
    for name, entry in config.models.items():
        provider = config.providers[entry.provider]
        out[name] = CandidateFacts(
            model=name,
            provider=entry.provider,
            vendor=provider.vendor or entry.provider,
            region=provider.region,
            zero_data_retention=provider.zero_data_retention,
        )
    return out
