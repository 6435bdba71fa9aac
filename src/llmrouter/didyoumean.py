"""'Did you mean' hints for unknown names (routes, models, config keys, call parameters)."""

from __future__ import annotations

import difflib
from collections.abc import Collection

__all__ = ["suggest", "unknown"]


def suggest(name: str, known: Collection[str]) -> str | None:
    """The closest known name, or None when nothing is close."""
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown(kind: str, name: str, known: Collection[str]) -> str:
    """`unknown model 'claud'; did you mean 'claude'?`"""
    hint = suggest(name, known)
    return f"unknown {kind} {name!r}" + (f"; did you mean {hint!r}?" if hint else "")
