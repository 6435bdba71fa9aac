"""Between streams and whole answers: assemble chunks into a `ChatCompletion`, and replay a
`ChatCompletion` as chunks (a cached answer asked for with `stream=True`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from llmrouter.types import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    FunctionCall,
    FunctionCallDelta,
    Message,
    RouteInfo,
    ToolCall,
    ToolCallDelta,
    Usage,
)

__all__ = ["CompletionAssembler", "completion_to_chunks"]


@dataclass
class _ToolCallParts:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _ChoiceParts:
    content: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tool_calls: dict[int, _ToolCallParts] = field(default_factory=dict)
    finish_reason: str | None = None


class CompletionAssembler:
    """Accumulates chunks; `result()` is the equivalent non-streamed answer."""

    def __init__(self) -> None:
        self._id = ""
        self._model = ""
        self._created = 0
        self._choices: dict[int, _ChoiceParts] = {}
        self.usage: Usage | None = None

    def add(self, chunk: ChatCompletionChunk) -> None:
        if not self._id:
            self._id, self._model, self._created = chunk.id, chunk.model, chunk.created
        if chunk.usage is not None:
            self.usage = chunk.usage
        for choice in chunk.choices:
            parts = self._choices.setdefault(choice.index, _ChoiceParts())
            delta = choice.delta
            if delta.content:
                parts.content.append(delta.content)
            if delta.reasoning_content:
                parts.reasoning.append(delta.reasoning_content)
            for call in delta.tool_calls or ():
                tool = parts.tool_calls.setdefault(call.index, _ToolCallParts())
                tool.id = call.id or tool.id
                if call.function is not None:
                    tool.name = call.function.name or tool.name
                    if call.function.arguments:
                        tool.arguments.append(call.function.arguments)
            if choice.finish_reason is not None:
                parts.finish_reason = choice.finish_reason

    def text(self, index: int = 0) -> str:
        parts = self._choices.get(index)
        return "".join(parts.content) if parts else ""

    def chars(self) -> int:
        """Characters of text, reasoning and tool-call arguments received (usage estimates)."""
        total = 0
        for parts in self._choices.values():
            total += sum(map(len, parts.content)) + sum(map(len, parts.reasoning))
            for call in parts.tool_calls.values():
                total += sum(map(len, call.arguments))
        return total

    def result(self, route: RouteInfo | None = None) -> ChatCompletion:
        choices = [
            Choice(
                index=index,
                message=Message(
                    content="".join(parts.content) or None,
                    reasoning_content="".join(parts.reasoning) or None,
                    tool_calls=[
                        ToolCall(
                            id=t.id,
                            function=FunctionCall(name=t.name, arguments="".join(t.arguments)),
                        )
                        for _, t in sorted(parts.tool_calls.items())
                    ]
                    or None,
                ),
                finish_reason=parts.finish_reason,
            )
            for index, parts in sorted(self._choices.items())
        ]
        answer = ChatCompletion(
            id=self._id,
            created=self._created,
            model=self._model,
            choices=choices,
            usage=self.usage or Usage(),
        )
        if route is not None:
            answer.route = route
        return answer


def completion_to_chunks(
    completion: ChatCompletion, *, piece_chars: int = 32, include_usage: bool = True
) -> list[ChatCompletionChunk]:
    """The chunks a provider would have streamed for `completion`."""
    chunks: list[ChatCompletionChunk] = []

    def chunk(choices: list[ChunkChoice], usage: Usage | None = None) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=completion.id,
            model=completion.model,
            created=completion.created,
            choices=choices,
            usage=usage,
        )

    for choice in completion.choices:
        message = choice.message

        def emit(delta: Delta, finish: str | None = None, index: int = choice.index) -> None:
            choice_delta = ChunkChoice(index=index, delta=delta, finish_reason=finish)
            chunks.append(chunk([choice_delta]))

        emit(Delta(role=message.role, content=""))
        text = message.content or ""
        for start in range(0, len(text), piece_chars):
            emit(Delta(content=text[start : start + piece_chars]))
        for position, call in enumerate(message.tool_calls or ()):
            emit(
                Delta(
                    tool_calls=[
                        ToolCallDelta(
                            index=position,
                            id=call.id,
                            type="function",
                            function=FunctionCallDelta(
                                name=call.function.name, arguments=call.function.arguments
                            ),
                        )
                    ]
                )
            )
        emit(Delta(), finish=choice.finish_reason or "stop")
    if include_usage:
        chunks.append(chunk([], completion.usage))
    return chunks
