"""What every check and comparator shares: the grading context and the `Check` protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from llmrouter.experiments.answers import Answer
from llmrouter.experiments.records import CheckOutcome

__all__ = ["Check", "GradeContext", "JudgeClient", "JudgeReply", "outcome"]


@dataclass(frozen=True)
class JudgeReply:
    """A judge route's reply and what it cost."""

    text: str
    cost_usd: float = 0.0


class JudgeClient(Protocol):
    """Sends a grading prompt to the judge (a route of the config) and returns its reply;
    raises an `llmrouter.errors` error when the judge does not answer."""

    async def ask(self, messages: list[dict[str, Any]]) -> JudgeReply: ...


@dataclass
class GradeContext:
    """What a check may need beyond the answer: the conversation, the reference answer (a
    case's `expected`, or a shadow's baseline answer) and the judge."""

    messages: Sequence[Mapping[str, Any]] = ()
    reference: Answer | None = None
    judge: JudgeClient | None = None
    capture_content: bool = False
    judge_cost_usd: float = field(default=0.0)
    """Added to by judge checks: what grading cost, apart from the answer's own cost."""


class Check(Protocol):
    """Grades one answer. `needs_reference`: it compares with `context.reference` (a case's
    `expected`); `needs_judge`: it asks `context.judge`."""

    @property
    def name(self) -> str: ...

    @property
    def needs_reference(self) -> bool: ...

    @property
    def needs_judge(self) -> bool: ...

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome: ...


def outcome(name: str, passed: bool, detail: str | None = None) -> CheckOutcome:
    return CheckOutcome(name=name, passed=passed, score=1.0 if passed else 0.0, detail=detail)
