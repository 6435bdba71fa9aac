"""Prompt sets: cases read from JSONL (one JSON object per line) or YAML / JSON (a list), each
checked with errors that name the file, the line and the field.

    {"id": "c1", "messages": [{"role": "user", "content": "Capital of France?"}],
     "params": {"temperature": 0}, "expected": "Paris", "repeat": 3,
     "checks": [{"contains": "Paris"}, {"similarity": 0.8}]}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmrouter.config.loader import suggest
from llmrouter.config.yaml_source import Path as FieldPath
from llmrouter.config.yaml_source import YamlDocument, format_path, parse_yaml
from llmrouter.errors import ConfigError, EvalInputError
from llmrouter.experiments.checks import build_check
from llmrouter.experiments.grading import Check

__all__ = ["MAX_REPEAT", "Case", "cases_from", "load_cases"]

MAX_REPEAT = 1000
_KEYS = ("id", "messages", "params", "metadata", "expected", "repeat", "checks")
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
# The runner sets these itself: a case may not.
_RESERVED_PARAMS = {
    "stream": "eval reads whole answers",
    "model": "the routes come from --routes",
    "messages": "messages is a key of the case",
    "timeout": "the deadline comes from --timeout or the route",
    "cache": "eval always bypasses the response cache",
    "metadata": "metadata is a key of the case",
}


@dataclass(frozen=True)
class Case:
    """One prompt of a prompt set, with what makes its answer right."""

    id: str
    messages: tuple[Mapping[str, Any], ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] | None = None
    expected: str | None = None
    repeat: int = 1
    checks: tuple[Check, ...] = ()
    where: str = ""
    """`file:line` of the case, for messages."""
    fingerprint: str = ""
    """Hash of everything that changes the answer or its grading."""

    @property
    def needs_judge(self) -> bool:
        return any(check.needs_judge for check in self.checks)


class _Problems:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.lines: list[str] = []

    def where(self, path: FieldPath) -> str:
        """`file:line` of a case's field; for cases built in code, `<cases>[index]`."""
        location = self.doc.locate(path)
        return location.describe(()) if location.line else f"{self.doc.source}[{path[0]}]"

    def add(self, path: FieldPath, message: str) -> None:
        """`file:line: field: message`; the field is named within its case (`messages[0]`)."""
        where = self.where(path)
        field_name = format_path(path[1:])
        self.lines.append(
            f"{where}: {field_name}: {message}" if field_name else f"{where}: {message}"
        )


def _fingerprint(item: Mapping[str, Any]) -> str:
    material = {k: item.get(k) for k in _KEYS if k != "id"}
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _messages(raw: Any, at: FieldPath, problems: _Problems) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(raw, list) or not raw:
        problems.add(at, "must be a non-empty list of {role, content} mappings")
        return ()
    for index, message in enumerate(raw):
        where = (*at, index)
        if not isinstance(message, Mapping):
            problems.add(where, "must be a mapping with role and content")
        elif message.get("role") not in _ROLES:
            problems.add((*where, "role"), f"must be one of {', '.join(sorted(_ROLES))}")
        elif not isinstance(message.get("content"), (str, list, type(None))):
            problems.add((*where, "content"), "must be a string or a list of content parts")
    return tuple(dict(m) for m in raw if isinstance(m, Mapping))


def _checks(raw: Any, at: FieldPath, has_expected: bool, problems: _Problems) -> tuple[Check, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(at, "must be a list of checks like [{contains: Paris}]")
        return ()
    checks: list[Check] = []
    for index, entry in enumerate(raw):
        where: FieldPath = (*at, index)
        if isinstance(entry, Mapping) and len(entry) == 1:
            where = (*where, str(next(iter(entry))))
        try:
            check = build_check(entry)
        except ValueError as exc:
            problems.add(where, str(exc))
            continue
        if check.needs_reference and not has_expected:
            problems.add(where, f"{check.name} compares with `expected`; add an expected answer")
        checks.append(check)
    return tuple(checks)


def _params(raw: Any, at: FieldPath, problems: _Problems) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(at, "must be a mapping of OpenAI-style parameters")
        return {}
    for name, why in _RESERVED_PARAMS.items():
        if name in raw:
            problems.add((*at, name), f"not allowed here: {why}")
    return dict(raw)


def _case(item: Any, at: FieldPath, problems: _Problems) -> Case | None:
    if not isinstance(item, Mapping):
        problems.add(at, "a case must be a mapping with id and messages")
        return None
    count = len(problems.lines)
    for key in item:
        if key not in _KEYS:
            hint = suggest(str(key), _KEYS)
            problems.add(
                (*at, str(key)),
                f"unknown key {key!r}" + (f"; did you mean {hint!r}?" if hint else ""),
            )
    case_id = item.get("id")
    if isinstance(case_id, int) and not isinstance(case_id, bool):
        case_id = str(case_id)
    if not isinstance(case_id, str) or not case_id.strip():
        problems.add((*at, "id"), "required: a non-empty string")
    expected = item.get("expected")
    if expected is not None and not isinstance(expected, str):
        problems.add((*at, "expected"), "must be a string")
    repeat = item.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT:
        problems.add((*at, "repeat"), f"must be an integer from 1 to {MAX_REPEAT}")
    metadata = item.get("metadata")
    if metadata is not None and not isinstance(metadata, Mapping):
        problems.add((*at, "metadata"), "must be a mapping")
    messages = _messages(item.get("messages"), (*at, "messages"), problems)
    params = _params(item.get("params"), (*at, "params"), problems)
    checks = _checks(item.get("checks"), (*at, "checks"), isinstance(expected, str), problems)
    if len(problems.lines) > count:
        return None
    return Case(
        id=str(case_id),
        messages=messages,
        params=params,
        metadata=dict(metadata) if metadata is not None else None,
        expected=expected,
        repeat=int(repeat),
        checks=checks,
        where=problems.where(at),
        fingerprint=_fingerprint(item),
    )


def _validate(doc: YamlDocument, items: Iterable[tuple[FieldPath, Any]]) -> list[Case]:
    problems = _Problems(doc)
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for at, item in items:
        case = _case(item, at, problems)
        if case is None:
            continue
        if case.id in seen:
            problems.add((*at, "id"), f"duplicate id {case.id!r} (first at {seen[case.id]})")
            continue
        seen[case.id] = case.where
        cases.append(case)
    if not cases and not problems.lines:
        problems.lines.append(f"{doc.source}: no cases")
    if problems.lines:
        raise EvalInputError(problems.lines)
    return cases


def _jsonl(text: str, source: str) -> list[Case]:
    doc = YamlDocument(source=source, data=None)
    items: list[tuple[FieldPath, Any]] = []
    bad: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        at: FieldPath = (number,)
        doc.lines[at] = number
        try:
            items.append((at, json.loads(line)))
        except json.JSONDecodeError as exc:
            bad.append(f"{source}:{number}: not a JSON object: {exc.msg} (column {exc.colno})")
    if bad:
        raise EvalInputError(bad)
    return _validate(doc, items)


def load_cases(path: str | Path) -> list[Case]:
    """Read a prompt set: `.jsonl` / `.ndjson` (one case per line), `.yaml` / `.yml` / `.json`
    (a list of cases). Raises `EvalInputError` naming file, line and field of each problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise EvalInputError([f"{file}: cannot read cases: {exc.strerror or exc}"]) from None
    if file.suffix.lower() in (".jsonl", ".ndjson"):
        return _jsonl(text, str(file))
    if file.suffix.lower() in (".yaml", ".yml", ".json"):
        return _document(text, str(file))
    raise EvalInputError([f"{file}: unknown prompt-set format; use .jsonl, .yaml or .json"])


def _document(text: str, source: str) -> list[Case]:
    try:
        doc = parse_yaml(text, source)
    except ConfigError as exc:
        raise EvalInputError(exc.problems) from None
    if doc.problems:
        raise EvalInputError([f"{doc.locate(p).describe(p)}: {m}" for p, m in doc.problems])
    if not isinstance(doc.data, list):
        raise EvalInputError([f"{source}: must be a list of cases"])
    return _validate(doc, [((index,), item) for index, item in enumerate(doc.data)])


def cases_from(items: Sequence[Mapping[str, Any]], source: str = "<cases>") -> list[Case]:
    """Cases built in code (for notebooks and pytest): the same checks as a file."""
    doc = YamlDocument(source=source, data=list(items))
    return _validate(doc, [((index,), item) for index, item in enumerate(items)])
