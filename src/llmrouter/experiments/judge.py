"""The `judge` check: a route of the config grades an answer against a rubric.

The judge is asked for `{"score": <0-10>, "reason": "..."}`; the check passes when
score / 10 >= `min_score` (0.7 unless the case says otherwise). What the judge costs is added
to the grading context's `judge_cost_usd`, never to the answer's own cost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llmrouter.errors import LLMRouterError
from llmrouter.experiments.answers import Answer
from llmrouter.experiments.grading import GradeContext
from llmrouter.experiments.outcomes import failure_of
from llmrouter.experiments.records import CheckOutcome

__all__ = ["DEFAULT_MIN_SCORE", "DEFAULT_RUBRIC", "Judge", "judge_messages", "parse_score"]

DEFAULT_MIN_SCORE = 0.7
DEFAULT_RUBRIC = "The answer is as correct, complete and useful as the reference answer."

_INSTRUCTIONS = (
    "You grade an AI assistant's answer against a rubric. Reply with only a JSON object, "
    '{"score": <integer 0-10>, "reason": "<one sentence>"}, where 10 means the answer fully '
    "meets the rubric and 0 that it does not meet it at all."
)
_SCORE_WORD = re.compile(r"score\W{0,4}(\d+(?:\.\d+)?)", re.IGNORECASE)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(p.get("text", "")) for p in content if isinstance(p, Mapping) and "text" in p
        )
    return ""


def _render_answer(answer: Answer) -> str:
    calls = [
        {"tool": call.name, "arguments": call.arguments or call.raw_arguments}
        for call in answer.tool_calls
    ]
    text = answer.text
    if calls:
        text += ("\n" if text else "") + "Tool calls: " + json.dumps(calls, ensure_ascii=False)
    return text or "(empty answer)"


def judge_messages(
    rubric: str,
    conversation: Sequence[Mapping[str, Any]],
    answer: Answer,
    reference: Answer | None,
) -> list[dict[str, Any]]:
    """The grading prompt: instructions, rubric, conversation, reference and the answer."""
    lines = [f"Rubric:\n{rubric}", "Conversation:"]
    lines += [f"{m.get('role', 'user')}: {_text_of(m.get('content'))}" for m in conversation]
    if reference is not None:
        lines.append(f"Reference answer:\n{_render_answer(reference)}")
    lines.append(f"Answer to grade:\n{_render_answer(answer)}")
    return [
        {"role": "system", "content": _INSTRUCTIONS},
        {"role": "user", "content": "\n\n".join(lines)},
    ]


def parse_score(reply: str) -> tuple[float, str | None] | None:
    """`(score in [0, 1], reason)` from a judge's reply, or None when it holds no score."""
    start, end = reply.find("{"), reply.rfind("}")
    if 0 <= start < end:
        try:
            data = json.loads(reply[start : end + 1])
        except ValueError:
            data = None
        if isinstance(data, Mapping):
            score = data.get("score")
            if isinstance(score, (int, float)) and not isinstance(score, bool):
                reason = data.get("reason")
                return _clamp(float(score)), reason if isinstance(reason, str) else None
    match = _SCORE_WORD.search(reply)
    return (_clamp(float(match.group(1))), None) if match else None


def _clamp(score: float) -> float:
    return min(max(score / 10.0, 0.0), 1.0)


@dataclass(frozen=True)
class Judge:
    """Asks the judge route to grade the answer against `rubric`."""

    rubric: str = DEFAULT_RUBRIC
    min_score: float = DEFAULT_MIN_SCORE
    name: str = "judge"
    needs_reference: bool = False
    needs_judge: bool = True

    @classmethod
    def build(cls, value: Any = None) -> Judge:
        """`"rubric text"`, `{"rubric": ..., "min_score": 0.8}`, or nothing (the default
        rubric: as good as the reference answer)."""
        if value is None or value is True:
            return cls()
        if isinstance(value, str) and value.strip():
            return cls(rubric=value)
        if isinstance(value, Mapping) and isinstance(value.get("rubric"), str):
            unknown = set(value) - {"rubric", "min_score"}
            if unknown:
                raise ValueError(f"unknown key {sorted(unknown)[0]!r}; use rubric and min_score")
            min_score = value.get("min_score", DEFAULT_MIN_SCORE)
            if (
                isinstance(min_score, bool)
                or not isinstance(min_score, (int, float))
                or not 0 <= min_score <= 1
            ):
                raise ValueError("min_score must be between 0 and 1")
            return cls(rubric=value["rubric"], min_score=float(min_score))
        raise ValueError('must be a rubric string or {"rubric": "...", "min_score": 0.7}')

    async def grade(self, answer: Answer, context: GradeContext) -> CheckOutcome:
        if context.judge is None:
            return CheckOutcome(name=self.name, passed=False, score=0.0, detail="no judge route")
        messages = judge_messages(self.rubric, context.messages, answer, context.reference)
        try:
            reply = await context.judge.ask(messages)
        except LLMRouterError as err:
            kind = failure_of(err)[1]
            return CheckOutcome(name=self.name, passed=False, score=0.0, detail=f"judge: {kind}")
        context.judge_cost_usd += reply.cost_usd
        parsed = parse_score(reply.text)
        if parsed is None:
            return CheckOutcome(
                name=self.name, passed=False, score=0.0, detail="judge reply has no score"
            )
        score, reason = parsed
        passed = score >= self.min_score
        detail = reason if context.capture_content and reason else None
        if not passed and detail is None:
            detail = f"{score:.2f} < {self.min_score:g}"
        return CheckOutcome(name=self.name, passed=passed, score=score, detail=detail)
