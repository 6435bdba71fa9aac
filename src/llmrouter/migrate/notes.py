"""Notes collected while converting, each pointing at the litellm file's line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from llmrouter.config.yaml_source import Path, YamlDocument

__all__ = ["Notes", "env_ref"]

_OS_ENVIRON = re.compile(r"^\s*os\.environ/([A-Za-z_][A-Za-z0-9_]*)\s*$")


def env_ref(value: Any) -> tuple[Any, str | None]:
    """`os.environ/VAR` -> (`${VAR}`, "VAR"); any other value unchanged, None."""
    if isinstance(value, str):
        match = _OS_ENVIRON.match(value)
        if match:
            return f"${{{match.group(1)}}}", match.group(1)
    return value, None


@dataclass
class Notes:
    """What the conversion could not carry over as it was, in the order of the file."""

    doc: YamlDocument
    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, path: Path, text: str) -> None:
        location = self.doc.locate(path)
        where = location.describe(path)
        self.items.append((location.line or 0, f"{where}: {text}"))

    def lines(self) -> list[str]:
        return [text for _, text in sorted(self.items, key=lambda item: item[0])]
