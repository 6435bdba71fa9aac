"""Comparators: grade an answer against a reference answer (a case's `expected`, or the
baseline's answer to the same request in a shadow pair).

`similarity` uses RapidFuzz's normalized Indel similarity (`fuzz.ratio`) on both texts after
`utils.default_process` (lower case, anything not a letter or digit becomes a space, trimmed):
1 - (insertions + deletions) / (len(a) + len(b)), the measure of Python's `difflib` ratio but
exact and in C++. No model, no network: the same two texts always give the same score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from llmrouter.config.loader import suggest
from llmrouter.experiments.answers import Answer, json_of
from llmrouter.experiments.grading import Check, GradeContext, outcome
from llmrouter.experiments.judge import Judge
from llmrouter.experiments.records import CheckOutcome

__all__ = [
    "COMPARATORS",
    "DEFAULT_SIMILARITY",
    "JsonValid",
    "Similarity",
    "ToolCalls",
    "build_comparator",
    "text_similarity",
]

DEFAULT_SIMILARITY = 0.8
"""The pass threshold of `similarity` when the entry gives none (shadow `compare: [similarity]`)."""


def text_similarity(a: str, b: str) -> float:
    """Normalized Indel similarity of two texts after light normalisation, in [0, 1]."""
    from rapidfuzz import fuzz, utils

    if not a.strip() and not b.strip():
        return 1.0
    return float(fuzz.ratio(a, b, processor=utils.default_process)) / 100.0


def _reference_or_none(context: GradeContext, name: str) -> Answer | CheckOutcome:
    if context.reference is None:
        return outcome(name, False, "no reference answer to compare with")
    return context.reference


@dataclass(frozen=True)
class Similarity:
    """Passes when `text_similarity(answer, reference) >= threshold`; the score is the measure."""

    threshold: float = DEFAULT_SIMILARITY
    name: str = "similarity"
    needs_reference: bool = True
    needs_judge: bool = False

    @classmethod
    def build(cls, value: Any = None) -> Similarity:
        if value is None or value is True:
            return cls()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError("must be a threshold between 0 and 1, e.g. 0.8")
        return cls(float(value))

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        reference = _reference_or_none(context, self.name)
        if isinstance(reference, CheckOutcome):
            return reference
        score = text_similarity(answer.text, reference.text)
        passed = score >= self.threshold
        detail = None if passed else f"{score:.2f} < {self.threshold:g}"
        return CheckOutcome(name=self.name, passed=passed, score=score, detail=detail)


@dataclass(frozen=True)
class JsonValid:
    """When the reference answer is JSON, the answer must be too (either alone or in one fenced
    code block); when it is not, there is nothing to keep and it passes."""

    name: str = "json_valid"
    needs_reference: bool = True
    needs_judge: bool = False

    @classmethod
    def build(cls, value: Any = None) -> JsonValid:
        if value not in (None, True):
            raise ValueError("takes no value; write json_valid")
        return cls()

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        reference = _reference_or_none(context, self.name)
        if isinstance(reference, CheckOutcome):
            return reference
        if not json_of(reference.text)[0]:
            return outcome(self.name, True)
        ok = json_of(answer.text)[0]
        return outcome(self.name, ok, None if ok else "reference is JSON, answer is not")


@dataclass(frozen=True)
class ToolCalls:
    """Calls the same tools, in the same order, with equal (parsed) arguments as the reference.
    The score is the share of the reference's calls matched position by position."""

    name: str = "tool_calls"
    needs_reference: bool = True
    needs_judge: bool = False

    @classmethod
    def build(cls, value: Any = None) -> ToolCalls:
        if value not in (None, True):
            raise ValueError("takes no value; write tool_calls")
        return cls()

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        reference = _reference_or_none(context, self.name)
        if isinstance(reference, CheckOutcome):
            return reference
        expected, got = reference.tool_calls, answer.tool_calls
        if not expected and not got:
            return outcome(self.name, True)
        matched = sum(
            1
            for want, have in zip(expected, got, strict=False)
            if want.name == have.name and want.arguments == have.arguments
        )
        total = max(len(expected), len(got))
        passed = matched == total
        detail = None if passed else f"{matched} of {total} tool calls match"
        return CheckOutcome(name=self.name, passed=passed, score=matched / total, detail=detail)


COMPARATORS: dict[str, Callable[[Any], Check]] = {
    "similarity": Similarity.build,
    "json_valid": JsonValid.build,
    "tool_calls": ToolCalls.build,
    "judge": Judge.build,
}
"""Comparators of a shadow's `compare:` list, by name."""


def build_comparator(entry: Any) -> Check:
    """A comparator from a `compare:` entry: a name (`similarity`) or a one-key mapping
    (`{similarity: 0.7}`, `{judge: "rubric"}`); ValueError when invalid."""
    registry = COMPARATORS
    if isinstance(entry, str):
        entry = {entry: None}
    if not isinstance(entry, Mapping) or len(entry) != 1:
        raise ValueError(f"must be one of {', '.join(registry)}")
    ((kind, value),) = entry.items()
    builder = registry.get(kind)
    if builder is None:
        hint = suggest(str(kind), registry)
        did = f"; did you mean {hint!r}?" if hint else f" (known: {', '.join(registry)})"
        raise ValueError(f"unknown comparator {kind!r}{did}")
    return builder(value)
