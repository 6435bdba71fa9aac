"""Read YAML safely and remember the line of every key, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from llmrouter.errors import ConfigError

__all__ = ["Location", "Path", "YamlDocument", "format_path", "parse_yaml"]

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """`("routes", "chat", "models", 1)` -> `routes.chat.models[1]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Location:
    """Where a config value came from: `source` is a file path or `<dict>`."""

    source: str
    line: int | None = None

    def describe(self, path: Path) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {format_path(path)}" if path else where


@dataclass
class YamlDocument:
    """Parsed data plus the line of each key or sequence item (1-based)."""

    source: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def locate(self, path: Path) -> Location:
        """The line of `path`, or of its nearest ancestor that has one."""
        for depth in range(len(path), -1, -1):
            line = self.lines.get(path[:depth])
            if line is not None:
                return Location(self.source, line)
        return Location(self.source)


def parse_yaml(text: str, source: str) -> YamlDocument:
    """Parse `text` with PyYAML's safe loader, indexing the line of every key.

    Raises `ConfigError` naming the line for invalid YAML, and for tags that would construct
    Python objects (`!!python/object/...`), which the safe loader refuses.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise ConfigError([f"{where}: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{source}: invalid YAML: {exc}"]) from None
    finally:
        loader.dispose()
    doc = YamlDocument(source=source, data=data)
    if root is not None:
        _index(root, (), doc)
    return doc


def _index(node: yaml.Node, path: Path, doc: YamlDocument) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                doc.problems.append((child, "duplicate key (the later value would win silently)"))
            seen.add(key)
            doc.lines[child] = key_node.start_mark.line + 1
            _index(value_node, child, doc)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            doc.lines[child] = item.start_mark.line + 1
            _index(item, child, doc)
