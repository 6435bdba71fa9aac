"""Read YAML safely and remember the line of every key, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from llmrouter.errors import ConfigError

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "Location",
    "Path",
    "YamlDocument",
    "format_path",
    "parse_yaml",
]

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


MAX_DEPTH = 64
"""Nesting depth of mappings and sequences; a config needs about six."""
MAX_NODES = 100_000
"""Keys, values and items once every alias is expanded (a large config has a few thousand)."""


def parse_yaml(text: str, source: str) -> YamlDocument:
    """Parse `text` with PyYAML's safe loader, indexing the line of every key.

    Raises `ConfigError` naming the line for invalid YAML, for characters YAML refuses (a NUL
    byte), for tags that would construct Python objects (`!!python/object/...`), which the safe
    loader refuses, and for documents past the loader's limits: nesting deeper than
    `MAX_DEPTH`, aliases that expand past `MAX_NODES` nodes (an alias bomb) or refer to
    themselves. Each limit is checked before anything is built, so a hostile file fails fast.
    """
    try:
        _check_depth(text, source)
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"character U+{char:04X} is not allowed in YAML (a binary file?)"
        raise ConfigError([f"{source}:{line}: {problem}"]) from None
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_expansion(root, source)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_marked(exc, source)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{source}: invalid YAML: {exc}"]) from None
    finally:
        loader.dispose()
    doc = YamlDocument(source=source, data=data)
    if root is not None:
        _index(root, (), doc)
    return doc


def _marked(exc: yaml.MarkedYAMLError, source: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{source}:{mark.line + 1}" if mark is not None else source
    problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    return f"{where}: {problem}"


def _check_depth(text: str, source: str) -> None:
    """Walk the parser's events (no recursion, nothing built) and refuse deep nesting, which
    would exhaust the recursion of PyYAML's composer. libyaml's parser walks them in ~1 ms
    where PyYAML's pure one may take 0.5 s on a hostile file; a file libyaml refuses for
    another reason is walked again by PyYAML's, whose verdict (and error text) is the one
    the real parse would give."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            _walk_depth(text, source, fast)
            return
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in str(exc.problem):  # libyaml's own limit (1000 levels)
                line = exc.problem_mark.line + 1 if exc.problem_mark else 1
                problem = f"{source}:{line}: nested deeper than {MAX_DEPTH} levels"
                raise ConfigError([problem]) from None
        except yaml.YAMLError:
            pass
    try:
        _walk_depth(text, source, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_marked(exc, source)]) from None


def _walk_depth(text: str, source: str, loader: Any) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise ConfigError([f"{source}:{line}: nested deeper than {MAX_DEPTH} levels"])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Count the nodes of the document with every alias expanded, in time linear in the nodes
    actually written (each shared node is counted once and its size reused)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                line = node.start_mark.line + 1
                raise ConfigError(
                    [f"{source}:{line}: aliases expand past {MAX_NODES:,} nodes (an alias bomb?)"]
                )
        elif key not in sizes:
            if key in open_nodes:
                line = node.start_mark.line + 1
                raise ConfigError([f"{source}:{line}: an alias refers to the node it is in"])
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


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
