"""Checks of a case, and the comparators shadows use: each grades one answer.

A check is built from one entry of a case's `checks` list, a one-key mapping such as
`{"contains": "Paris"}`, through the `CHECKS` registry; a bad value raises `ValueError`
whose message the case loader puts behind the file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llmrouter.config.loader import suggest
from llmrouter.experiments.answers import Answer, json_of
from llmrouter.experiments.comparators import Similarity
from llmrouter.experiments.grading import Check, GradeContext, outcome
from llmrouter.experiments.judge import Judge
from llmrouter.experiments.records import CheckOutcome

__all__ = ["CHECKS", "Contains", "JsonSchema", "Regex", "ToolCall", "build_check", "grade"]


@dataclass(frozen=True)
class Contains:
    """The answer's text contains every one of `needles` (case-sensitive)."""

    needles: tuple[str, ...]
    name: str = "contains"
    needs_reference: bool = False
    needs_judge: bool = False

    @classmethod
    def build(cls, value: Any) -> Contains:
        needles = [value] if isinstance(value, str) else value
        if (
            not isinstance(needles, list)
            or not needles
            or not all(isinstance(n, str) and n for n in needles)
        ):
            raise ValueError("must be a non-empty string or a list of non-empty strings")
        return cls(tuple(needles))

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        missing = [n for n in self.needles if n not in answer.text]
        detail = f"{len(missing)} of {len(self.needles)} strings missing" if missing else None
        return outcome(self.name, not missing, detail)


@dataclass(frozen=True)
class Regex:
    """`re.search` finds the pattern in the answer's text (inline flags like `(?i)` work)."""

    pattern: re.Pattern[str]
    name: str = "regex"
    needs_reference: bool = False
    needs_judge: bool = False

    @classmethod
    def build(cls, value: Any) -> Regex:
        if not isinstance(value, str) or not value:
            raise ValueError("must be a non-empty regular expression string")
        try:
            return cls(re.compile(value))
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        found = self.pattern.search(answer.text) is not None
        return outcome(self.name, found, None if found else "no match")


@dataclass(frozen=True)
class JsonSchema:
    """The answer's text (alone or in one fenced code block) is JSON valid under the schema."""

    schema: Mapping[str, Any]
    validator: Any = field(compare=False)
    name: str = "json_schema"
    needs_reference: bool = False
    needs_judge: bool = False

    @classmethod
    def build(cls, value: Any) -> JsonSchema:
        import jsonschema

        if not isinstance(value, Mapping):
            raise ValueError("must be an inline JSON Schema (a mapping)")
        validator_class = jsonschema.validators.validator_for(value)
        try:
            validator_class.check_schema(dict(value))
        except jsonschema.SchemaError as exc:
            raise ValueError(f"invalid JSON Schema: {exc.message}") from None
        return cls(schema=value, validator=validator_class(dict(value)))

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        ok, value = json_of(answer.text)
        if not ok:
            return outcome(self.name, False, "not JSON")
        error = next(iter(self.validator.iter_errors(value)), None)
        if error is None:
            return outcome(self.name, True)
        # The path and the rule, never the offending value: it is the answer's content.
        where = error.json_path if hasattr(error, "json_path") else "$"
        return outcome(self.name, False, f"{where}: fails {error.validator!r}")


@dataclass(frozen=True)
class ToolCall:
    """The answer calls tool `name`; each argument named here equals the call's (others are
    not compared)."""

    tool: str
    arguments: Mapping[str, Any] | None
    name: str = "tool_call"
    needs_reference: bool = False
    needs_judge: bool = False

    @classmethod
    def build(cls, value: Any) -> ToolCall:
        if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
            raise ValueError('must be a mapping like {"name": "lookup", "arguments": {...}}')
        unknown = set(value) - {"name", "arguments"}
        if unknown:
            raise ValueError(f"unknown key {sorted(unknown)[0]!r}; use name and arguments")
        arguments = value.get("arguments")
        if arguments is not None and not isinstance(arguments, Mapping):
            raise ValueError("arguments must be a mapping")
        return cls(tool=value["name"], arguments=arguments)

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        calls = [c for c in answer.tool_calls if c.name == self.tool]
        if not calls:
            return outcome(self.name, False, f"no call to {self.tool!r}")
        if self.arguments is None:
            return outcome(self.name, True)
        for call in calls:
            args = call.arguments if isinstance(call.arguments, Mapping) else {}
            if all(k in args and args[k] == v for k, v in self.arguments.items()):
                return outcome(self.name, True)
        return outcome(self.name, False, f"{self.tool!r} called with other arguments")


CHECKS: dict[str, Callable[[Any], Check]] = {
    "contains": Contains.build,
    "regex": Regex.build,
    "json_schema": JsonSchema.build,
    "tool_call": ToolCall.build,
    "similarity": Similarity.build,
    "judge": Judge.build,
}
"""Check kinds of a case, by the key that names them."""


def build_check(entry: Any, registry: Mapping[str, Callable[[Any], Check]] = CHECKS) -> Check:
    """A check from one `checks` entry (`{"contains": "Paris"}`); ValueError when invalid."""
    if not isinstance(entry, Mapping) or len(entry) != 1:
        raise ValueError(f"must be a mapping with one key, one of {', '.join(registry)}")
    ((kind, value),) = entry.items()
    builder = registry.get(kind)
    if builder is None:
        hint = suggest(str(kind), registry)
        did = f"; did you mean {hint!r}?" if hint else f" (known: {', '.join(registry)})"
        raise ValueError(f"unknown check {kind!r}{did}")
    return builder(value)


async def grade(
    checks: Sequence[Check], answer: Answer, context: GradeContext
) -> tuple[CheckOutcome, ...]:
    """Every check's outcome, in order."""
    return tuple([await check.grade(answer, context) for check in checks])
