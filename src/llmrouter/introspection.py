"""What a router is set up to use, for code that asks: `Router.models()` and `Router.routes()`
(what litellm's Router answers with `get_model_list` and `get_model_group_info`), typed.

Built from the router's own resolved state, so it says what requests will meet: the endpoint
after environment references, the adapter each model goes through, the effective price and
context window, the capabilities eligibility uses. Never a key: an endpoint's user and password,
if its URL carries any, are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from llmrouter.config.schema import RouterConfig
from llmrouter.providers.base import Deployment
from llmrouter.routing.eligibility import capabilities_for
from llmrouter.routing.table import Route

__all__ = ["AdapterKind", "ModelInfo", "RouteSummary"]

AdapterKind = Literal["native", "litellm", "custom"]
"""`custom`: the router was given its own `provider=` (a test double, say)."""


@dataclass(frozen=True)
class ModelInfo:
    """One `models:` entry as the router resolved it."""

    name: str
    provider: str
    model: str
    """The model string, e.g. `zai/glm-4.6`."""
    vendor: str
    adapter: AdapterKind
    api_base: str | None
    """Where its requests go (the vendor's default when the provider sets none)."""
    region: str | None
    context_window: int | None
    max_output_tokens: int | None
    input_per_mtok: float | None
    """USD per million tokens, first tier (None: unknown, the model costs 0.0)."""
    output_per_mtok: float | None
    cached_input_per_mtok: float | None
    price_source: str
    tools: bool | None
    """Capabilities: True, False, or None for unknown (assumed supported)."""
    vision: bool | None
    json_schema: bool | None
    embeddings: bool | None
    routes: tuple[str, ...]
    """The routes of the config that list it, in config order."""


@dataclass(frozen=True)
class RouteSummary:
    """One route of the config: its models in order and how it moves between them."""

    name: str
    models: tuple[str, ...]
    strategy: str
    retries: int
    timeout_s: float
    attempt_timeout_s: float | None
    hedge_after_s: float | None
    shadows: tuple[str, ...]
    """The models its `shadow:` mirrors a sample to."""
    canary: str | None
    """The model its `canary:` sends a share of traffic to."""


def model_infos(
    config: RouterConfig,
    deployments: Mapping[str, Deployment],
    adapter_of: Callable[[Deployment], AdapterKind],
) -> list[ModelInfo]:
    """Every model entry, in config order."""
    listed: dict[str, list[str]] = {name: [] for name in deployments}
    for route_name, route in config.routes.items():
        for model in route.models:
            listed[model].append(route_name)
    return [_info(d, config, adapter_of(d), tuple(listed[name])) for name, d in deployments.items()]


def _info(
    d: Deployment, config: RouterConfig, adapter: AdapterKind, routes: tuple[str, ...]
) -> ModelInfo:
    caps = capabilities_for(config.models[d.name])
    price = d.price
    return ModelInfo(
        name=d.name,
        provider=d.provider_name,
        model=d.model,
        vendor=d.ref.vendor.name,
        adapter=adapter,
        api_base=_without_credentials(d.provider.api_base or d.ref.vendor.api_base),
        region=d.provider.region,
        context_window=price.context_window,
        max_output_tokens=price.max_output_tokens,
        input_per_mtok=price.input_per_mtok,
        output_per_mtok=price.output_per_mtok,
        cached_input_per_mtok=price.cached_input_per_mtok,
        price_source=price.source,
        tools=caps.tools,
        vision=caps.vision,
        json_schema=caps.json_schema,
        embeddings=caps.embeddings,
        routes=routes,
    )


def route_summaries(config: RouterConfig, routes: Iterable[Route]) -> list[RouteSummary]:
    """Every route of the config (not the one-model routes each model name also is)."""
    out = []
    for route in routes:
        rc = config.routes[route.name]
        out.append(
            RouteSummary(
                name=route.name,
                models=tuple(d.name for d in route.candidates),
                strategy=route.strategy.name,
                retries=route.retries,
                timeout_s=route.timeout_s,
                attempt_timeout_s=route.attempt_timeout_s,
                hedge_after_s=route.hedge_after_s,
                shadows=tuple(rc.shadow.models) if rc.shadow is not None else (),
                canary=rc.canary.model if rc.canary is not None else None,
            )
        )
    return out


def _without_credentials(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit(parts._replace(netloc=netloc))
