"""The OpenAI chat-completions wire format, in the OpenAI and Zhipu (GLM) flavours."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal

from llmrouter.testing.content import Answer, Finish, ParsedRequest, parse_openai, split_words
from llmrouter.testing.faults import Fault
from llmrouter.testing.prompt_cache import PromptCache
from llmrouter.testing.rules_openai import OpenAIRefusal, check_openai, check_zhipu
from llmrouter.testing.wire import (
    CacheTokens,
    FaultContext,
    HttpReply,
    Refused,
    StreamPlan,
    json_reply,
    raw_reply,
    retry_headers,
    sse_data,
)

__all__ = ["OpenAIFlavor", "OpenAIWire"]

OpenAIFlavor = Literal["openai", "zhipu"]

SERVER_ERROR = "The server had an error while processing your request."
OVERLOADED = "The engine is currently overloaded, please try again later"

# Zhipu (bigmodel.cn / z.ai) business error codes and their messages.
ZHIPU_ERRORS: dict[str, tuple[str, str]] = {
    "rate_limit": (
        "1302",
        "High concurrency usage of this API, please reduce concurrency or contact customer "
        "service to increase limits",
    ),
    "quota": ("1113", "Your account is in arrears, please recharge and try again"),
    "context_too_long": ("1261", "Prompt exceeds max length"),
    "content_filter": (
        "1301",
        # Zhipu's exact message, full-width punctuation included.
        "系统检测到输入或生成内容可能包含不安全或敏感内容，"  # noqa: RUF001
        "请您避免输入易产生敏感内容的提示语，"  # noqa: RUF001
        "感谢您的配合。",
    ),
}


def _openai_error(
    message: str, type_: str | None, code: str | None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class OpenAIWire:
    """Renders answers and faults as OpenAI (or Zhipu) would."""

    def __init__(self, flavor: OpenAIFlavor = "openai") -> None:
        self.flavor: OpenAIFlavor = flavor

    def parse(self, body: Mapping[str, Any]) -> ParsedRequest:
        """Parse a chat-completions request body."""
        return parse_openai(body)

    def api_key(self, headers: Mapping[str, str]) -> str:
        """The bearer token of the `Authorization` header."""
        value = headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else value

    def check(
        self, headers: Mapping[str, str], body: Mapping[str, Any], seq: int, relaxed: set[str]
    ) -> Refused | None:
        """OpenAI's 400 for an unknown parameter; Zhipu's for a request over Z.ai's limits."""
        checked = check_zhipu if self.flavor == "zhipu" else check_openai
        refusal = checked(body, relaxed)
        return self.refused(refusal, seq) if refusal is not None else None

    def refused(self, refusal: OpenAIRefusal, seq: int) -> Refused:
        """The 400 answer of a refused request, in the flavour's error shape."""
        headers_out = {"x-request-id": f"req_local_{seq}"}
        if self.flavor == "zhipu":
            reply = json_reply(400, _zhipu_body(refusal.code, refusal.message), headers_out)
            return Refused(refusal.rule, reply)
        payload = _openai_error(refusal.message, "invalid_request_error", None, refusal.param)
        return Refused(refusal.rule, json_reply(400, payload, headers_out))

    def cache_use(
        self, cache: PromptCache, body: Mapping[str, Any], min_tokens: int
    ) -> CacheTokens:
        """Automatic prompt caching: (cached prompt tokens, 0)."""
        return cache.openai(body, min_tokens), 0

    def _finish(self, finish: Finish) -> str:
        if finish == "filtered":
            return "sensitive" if self.flavor == "zhipu" else "content_filter"
        if finish in ("refusal", "pause_turn"):
            return "stop"
        return finish

    def _usage(self, answer: Answer) -> dict[str, Any]:
        completion = answer.completion_tokens * answer.n
        usage: dict[str, Any] = {
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": answer.prompt_tokens + completion,
        }
        cached = min(answer.cache_read, answer.prompt_tokens)
        reasoning = answer.reasoning_tokens * answer.n
        if self.flavor == "zhipu":
            usage["prompt_tokens_details"] = {"cached_tokens": cached}
            if reasoning:
                usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
            return usage
        usage["prompt_tokens_details"] = {"cached_tokens": cached, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
        return usage

    def _tool_calls(self, answer: Answer, arguments: str) -> list[dict[str, Any]]:
        assert answer.tool_call is not None
        return [
            {
                "id": f"call_local_{answer.seq}",
                "type": "function",
                "function": {"name": answer.tool_call.name, "arguments": arguments},
            }
        ]

    def _message(self, answer: Answer) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": answer.text}
        if self.flavor == "openai":
            message["refusal"] = answer.refusal
        elif answer.refusal is not None:  # GLM has no refusal field: it says it in the text
            message["content"] = answer.refusal
        if answer.thinking is not None and self.flavor == "zhipu":
            message["reasoning_content"] = answer.thinking
        if answer.tool_call is not None:
            message["tool_calls"] = self._tool_calls(answer, answer.tool_call.arguments)
        return message

    def success(self, answer: Answer) -> HttpReply:
        """The `chat.completion` JSON object, with `n` choices."""
        choice = {
            "message": self._message(answer),
            "logprobs": None,
            "finish_reason": self._finish(answer.finish),
        }
        payload = {
            "id": f"chatcmpl-local-{answer.seq}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": answer.model,
            "system_fingerprint": "fp_local",
            "choices": [{"index": i, **choice} for i in range(answer.n)],
            "usage": self._usage(answer),
        }
        return json_reply(200, payload, {"x-request-id": f"req_local_{answer.seq}"})

    def stream(self, answer: Answer, request: ParsedRequest) -> StreamPlan:
        """`chat.completion.chunk` events: role, one per word (or tool pieces) for each of the
        `n` choices, a finish chunk per choice, then usage (Zhipu: on the last finish chunk,
        once; OpenAI: a usage chunk when `stream_options.include_usage`)."""
        chunker = _Chunker(answer)
        head: list[bytes] = []
        content: list[bytes] = []
        for index in range(answer.n):
            role, pieces = self._stream_deltas(answer)
            head.append(sse_data(chunker.chunk(index, role)))
            content.extend(sse_data(chunker.chunk(index, delta)) for delta in pieces)
        if answer.n > 1:  # interleave the choices, as OpenAI does
            per = len(content) // answer.n
            content = [content[c * per + k] for k in range(per) for c in range(answer.n)]
        tail: list[bytes] = []
        for index in range(answer.n):
            last = chunker.chunk(index, {}, self._finish(answer.finish))
            if self.flavor == "zhipu" and index == answer.n - 1:
                last["usage"] = self._usage(answer)
            tail.append(sse_data(last))
        if request.include_usage and self.flavor != "zhipu":
            usage_chunk = chunker.chunk(0, {})
            usage_chunk["choices"] = []
            usage_chunk["usage"] = self._usage(answer)
            tail.append(sse_data(usage_chunk))
        tail.append(sse_data("[DONE]"))
        return StreamPlan(head, content, tail)

    def _stream_deltas(self, answer: Answer) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The role delta and the content deltas of one choice."""
        pieces: list[dict[str, Any]] = []
        if answer.thinking is not None and self.flavor == "zhipu":
            pieces.extend({"reasoning_content": w} for w in split_words(answer.thinking))
        if answer.tool_call is not None:
            first = self._tool_calls(answer, "")[0]
            pieces.append({"tool_calls": [{"index": 0, **first}]})
            arguments = answer.tool_call.arguments
            middle = len(arguments) // 2
            for piece in (arguments[:middle], arguments[middle:]):
                if piece:
                    pieces.append({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
            return {"role": "assistant", "content": None}, pieces
        if answer.refusal is not None and self.flavor == "openai":
            pieces.extend({"refusal": w} for w in split_words(answer.refusal))
            return {"role": "assistant", "content": None, "refusal": ""}, pieces
        text = answer.refusal if answer.refusal is not None else answer.text
        pieces.extend({"content": w} for w in split_words(text or ""))
        return {"role": "assistant", "content": ""}, pieces

    def error(self, fault: Fault, ctx: FaultContext) -> HttpReply:
        """An HTTP error fault, with OpenAI's or Zhipu's body."""
        headers = {"x-request-id": f"req_local_{ctx.seq}"}
        kind = fault.kind
        if kind == "http":
            return raw_reply(fault)
        if self.flavor == "zhipu":
            reply = self._zhipu_error(fault, ctx, headers)
            if reply is not None:
                return reply
        status = fault.status or 500
        if kind == "rate_limit":
            message = "Rate limit reached for requests"
            body = _openai_error(message, "requests", "rate_limit_exceeded")
            return json_reply(429, body, {**headers, **retry_headers(fault)})
        if kind == "quota":
            message = "You exceeded your current quota, please check your plan and billing details."
            body = _openai_error(message, "insufficient_quota", "insufficient_quota")
        elif kind == "overloaded":
            status, body = 503, _openai_error(OVERLOADED, "server_error", None)
        elif kind == "context_too_long":
            message = (
                f"This model's maximum context length is {ctx.context_window} tokens. "
                f"However, your messages resulted in {ctx.prompt_tokens} tokens."
            )
            body = _openai_error(
                message, "invalid_request_error", "context_length_exceeded", "messages"
            )
        elif kind == "content_filter":
            message = "Your request was rejected as a result of our safety system."
            body = _openai_error(message, "invalid_request_error", "content_policy_violation")
        elif kind == "auth":
            message = f"Incorrect API key provided: {ctx.api_key}."
            body = _openai_error(message, "invalid_request_error", "invalid_api_key")
        elif kind == "bad_request":
            message = fault.message or "Invalid parameter"
            body = _openai_error(message, "invalid_request_error", None)
        else:  # server_error, and stream_error on a non-stream request
            body = _openai_error(SERVER_ERROR, "server_error", None)
        return json_reply(status, body, headers)

    def _zhipu_error(
        self, fault: Fault, ctx: FaultContext, headers: dict[str, str]
    ) -> HttpReply | None:
        kind = fault.kind
        if kind in ZHIPU_ERRORS:
            code, message = ZHIPU_ERRORS[kind]
            extra = retry_headers(fault) if kind == "rate_limit" else {}
            return json_reply(fault.status or 400, _zhipu_body(code, message), {**headers, **extra})
        if kind == "server_error" and (fault.status or 500) == 500:
            body = _zhipu_body("1234", "Network error, please try again later")
            return json_reply(500, body, headers)
        if kind == "auth":
            body = _zhipu_body("1001", f"Authentication failed for token {ctx.api_key}")
            return json_reply(401, body, headers)
        if kind == "bad_request":
            body = _zhipu_body("1210", fault.message or "Invalid parameter")
            return json_reply(400, body, headers)
        return None

    def network_error_event(self) -> bytes | None:
        """None: the OpenAI wire renders `finish_reason: "network_error"` itself."""
        return None

    def stream_error_event(self) -> bytes:
        """The in-stream error OpenAI sends when generation fails mid-stream."""
        return sse_data({"error": {"message": SERVER_ERROR, "type": "server_error"}})

    def malformed_event(self) -> bytes:
        """An event whose data is not JSON."""
        return b"data: {not json\n\n"


def _zhipu_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class _Chunker:
    """Builds the `chat.completion.chunk` objects of one answer."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.created = int(time.time())

    def chunk(self, index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-local-{self.answer.seq}",
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.answer.model,
            "system_fingerprint": "fp_local",
            "choices": [
                {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
            ],
        }
