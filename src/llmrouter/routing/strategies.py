"""Routing strategies: small objects that order a route's candidate models.

A strategy only orders; policy (health, eligibility) and execution happen elsewhere. New
strategies register by name and are chosen per route with `strategy:` in YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from llmrouter.providers.base import Deployment
from llmrouter.request import CompletionRequest

__all__ = [
    "OrderedStrategy",
    "Strategy",
    "create_strategy",
    "known_strategies",
    "register_strategy",
]


@runtime_checkable
class Strategy(Protocol):
    """Orders candidates; the first is tried first, each next one is a fallback."""

    name: str

    def order(
        self, candidates: Sequence[Deployment], request: CompletionRequest
    ) -> list[Deployment]: ...


class OrderedStrategy:
    """The order of the route's `models:` list."""

    name = "ordered"

    def order(
        self, candidates: Sequence[Deployment], request: CompletionRequest
    ) -> list[Deployment]:
        return list(candidates)


_REGISTRY: dict[str, Callable[[], Strategy]] = {"ordered": OrderedStrategy}


def register_strategy(name: str, factory: Callable[[], Strategy]) -> None:
    """Make `strategy: <name>` available in configs loaded after this call."""
    _REGISTRY[name] = factory


def known_strategies() -> list[str]:
    return sorted(_REGISTRY)


def create_strategy(name: str) -> Strategy:
    return _REGISTRY[name]()
