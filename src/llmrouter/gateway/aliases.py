"""Inbound model names -> routes: exact route or model names first, then `model_aliases`
globs in the order the config lists them (`"claude-*": coding`)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection, Mapping

__all__ = ["ModelAliases"]


class ModelAliases:
    """Resolves the `model` a client sends to a route or model name of the config."""

    def __init__(self, aliases: Mapping[str, str], targets: Collection[str]) -> None:
        self._targets = frozenset(targets)
        self._exact = {k: v for k, v in aliases.items() if not _is_glob(k)}
        self._globs = [
            (re.compile(fnmatch.translate(k)), v) for k, v in aliases.items() if _is_glob(k)
        ]

    def resolve(self, name: str) -> str | None:
        """The route or model serving `name`, or None when nothing matches."""
        if name in self._targets:
            return name
        target = self._exact.get(name)
        if target is not None:
            return target
        for pattern, target in self._globs:
            if pattern.match(name):
                return target
        return None


def _is_glob(name: str) -> bool:
    return any(c in name for c in "*?[")
