"""The strategy names a config may use: the built-in ones, names registered in code with
`llmrouter.strategies.register_strategy`, and import paths (`package.module:Factory`), which
are only checked for shape here and imported when a Router is built, never while loading."""

from __future__ import annotations

import re

__all__ = ["BUILTIN", "import_path_problem", "known", "register_name"]

BUILTIN = ("ordered", "cost", "latency", "weighted")
_IMPORT_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")
_registered: set[str] = set()


def register_name(name: str) -> None:
    """Accept `strategy: <name>` in configs loaded after this call."""
    _registered.add(name)


def known() -> list[str]:
    """Every accepted strategy name, sorted."""
    return sorted({*BUILTIN, *_registered})


def import_path_problem(path: str) -> str | None:
    """Why `path` is not of the shape `package.module:Factory`, or None."""
    if _IMPORT_PATH.match(path):
        return None
    return (
        f"unknown strategy {path!r}; use a registered name or an import path like "
        "package.module:Factory"
    )
