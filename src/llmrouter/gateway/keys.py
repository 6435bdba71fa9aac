"""Inbound keys of the gateway: who is calling, as which tenant, with which data classes and
routes. Keys come from the environment (`${VAR}` in `gateway.keys`) and are compared in
constant time; only their SHA-256 digests are kept."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from llmrouter.config.schema import GatewayKeyConfig
from llmrouter.errors import ConfigError

__all__ = ["ANONYMOUS", "KeyRing", "Principal", "presented_key"]


@dataclass(frozen=True)
class Principal:
    """What an inbound key may do. `routes` None: every route and model."""

    tenant: str | None
    data_classes: tuple[str, ...] = ()
    routes: frozenset[str] | None = None

    def may_use(self, target: str) -> bool:
        return self.routes is None or target in self.routes


ANONYMOUS = Principal(tenant=None)
"""The caller of a gateway started with `--no-auth`."""


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key from `Authorization: Bearer <key>` or `x-api-key: <key>`."""
    auth = headers.get("Authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class KeyRing:
    """The configured inbound keys. `lookup` compares every key, in constant time."""

    def __init__(self, entries: Sequence[tuple[str, Principal]]) -> None:
        self._entries = [(_digest(key), principal) for key, principal in entries]

    @classmethod
    def from_config(
        cls, keys: Sequence[GatewayKeyConfig], env: Mapping[str, str], where: Sequence[str]
    ) -> KeyRing:
        """Resolve each `${VAR}`; a missing or empty variable is a `ConfigError` (`where[i]`
        locates key i in the config file)."""
        problems: list[str] = []
        entries: list[tuple[str, Principal]] = []
        for index, entry in enumerate(keys):
            value = env.get(entry.key_env, "")
            if not value:
                problems.append(f"{where[index]}: environment variable {entry.key_env} is not set")
                continue
            principal = Principal(
                tenant=entry.tenant,
                data_classes=tuple(entry.data_classes),
                routes=frozenset(entry.routes) if entry.routes is not None else None,
            )
            entries.append((value, principal))
        if problems:
            raise ConfigError(problems)
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"KeyRing({len(self._entries)} keys)"

    def lookup(self, key: str | None) -> Principal | None:
        """The principal of `key`, or None. Every entry is compared, so the time taken does
        not say which key (or how much of one) matched."""
        if key is None:
            return None
        digest = _digest(key)
        found: Principal | None = None
        for known, principal in self._entries:
            if hmac.compare_digest(known, digest):
                found = principal
        return found
