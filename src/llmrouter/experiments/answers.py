"""What graders look at: an answer's text and tool calls, and whether it is a refusal."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmrouter.types import ChatCompletion

__all__ = ["Answer", "ToolCallAnswer", "json_of", "looks_like_refusal"]

# A refusal is said in the first sentence: "I'm sorry, but I can't help with that",
# "I cannot provide ...", or the same in Chinese. Anchored at the start so that an answer
# that merely contains "I can't" somewhere is not taken for one (docs: Switching vendors
# safely).
_REFUSAL = re.compile(
    r"""^\W*
    (?:(?:i\s*am|i'm)\s+(?:very\s+|really\s+)?sorry[,.!]?\s*(?:but\s*)?
      |sorry[,.!]?\s*(?:but\s*)?
      |unfortunately[,.]?\s*)?
    (?:i|we)\s*(?:can't|cannot|can\s+not|won't|will\s+not|must\s+decline|have\s+to\s+decline
      |(?:am|'m)\s+(?:not\s+able|unable)\s+to|(?:am|'m)\s+not\s+(?:allowed|permitted)\s+to)
    \b[^.!?\n]{0,80}?
    \b(?:help|assist|provide|answer|comply|fulfil|support|share|give|discuss|engage|do\s+that
      |with\s+(?:that|this)|this\s+request|that\s+request)""",
    re.IGNORECASE | re.VERBOSE,
)
_REFUSAL_ZH = re.compile(
    "^\\W*(?:\u62b1\u6b49|\u5bf9\u4e0d\u8d77|\u5f88\u62b1\u6b49|\u975e\u5e38\u62b1\u6b49)?"  # sorry
    "[\uff0c,\u3002!\uff01\\s]*\u6211(?:\u65e0\u6cd5|\u4e0d\u80fd|\u4e0d\u53ef\u4ee5)"  # I cannot
)


def looks_like_refusal(text: str) -> bool:
    """Whether an answer's opening says the model will not answer."""
    head = text[:300].replace("\u2019", "'")
    return bool(_REFUSAL.match(head) or _REFUSAL_ZH.match(head))


@dataclass(frozen=True)
class ToolCallAnswer:
    """A tool call of an answer; `arguments` is the parsed JSON, or None when it is not JSON."""

    name: str
    arguments: Any
    raw_arguments: str


@dataclass(frozen=True)
class Answer:
    """An answer as graders see it."""

    text: str
    tool_calls: tuple[ToolCallAnswer, ...] = ()
    finish_reason: str | None = None
    refusal: str | None = None
    """The provider's own refusal field (OpenAI `message.refusal`), when set."""

    @classmethod
    def of(cls, response: ChatCompletion) -> Answer:
        """The first choice of a completion."""
        if not response.choices:
            return cls(text="")
        choice = response.choices[0]
        message = choice.message
        calls = tuple(
            ToolCallAnswer(
                name=call.function.name or "",
                arguments=_parse_json(call.function.arguments),
                raw_arguments=call.function.arguments,
            )
            for call in message.tool_calls or ()
        )
        return cls(
            text=message.content or "",
            tool_calls=calls,
            finish_reason=choice.finish_reason,
            refusal=message.refusal or None,
        )

    @property
    def is_refusal(self) -> bool:
        """A refusal field or finish (Anthropic's `stop_reason: refusal`), or refusal wording
        at the start of a text without tool calls."""
        if self.refusal or self.finish_reason == "refusal":
            return True
        return not self.tool_calls and looks_like_refusal(self.text)


_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*\n(.*?)\n?```$", re.DOTALL)


def json_of(text: str) -> tuple[bool, Any]:
    """`(True, value)` when `text` is JSON, alone or in one fenced code block."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        return True, json.loads(body)
    except ValueError:
        return False, None


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return None
