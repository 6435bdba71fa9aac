"""The micro-benchmarks behind two choices of the native adapters: which JSON codec, and
pydantic `model_validate` / `model_validate_json` versus `model_construct`.

    python benchmarks/micro.py

Prints one JSON object: microseconds per operation (best of 5 repeats). orjson is measured
only when it is importable (it is not a dependency; `pip install orjson` to compare).
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable
from typing import Any

import pydantic_core

from llmrouter.types import ChatCompletion, ChatCompletionChunk, Choice, Message, Usage

BODY = json.dumps(
    {
        "id": "chatcmpl-local-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "system_fingerprint": "fp_local",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Hello from gpt. You said: hello there, how are you doing today",
                    "refusal": None,
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 18, "total_tokens": 30},
    }
).encode()
CHUNK = (
    b'{"id":"chatcmpl-local-1","object":"chat.completion.chunk","created":1700000000,'
    b'"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hello "},'
    b'"logprobs":null,"finish_reason":null}]}'
)
EVENT = b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello "}}'
REQUEST = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "hello there, how are you doing today"}],
    "max_tokens": 256,
}
N = 20_000


def per_op(fn: Callable[[], Any]) -> float:
    return min(timeit.repeat(fn, number=N, repeat=5)) / N * 1e6


def construct(d: dict[str, Any]) -> ChatCompletion:
    """`model_construct` all the way down (it does not build nested models by itself)."""
    choice, usage = d["choices"][0], d["usage"]
    message = Message.model_construct(**choice["message"])
    return ChatCompletion.model_construct(
        id=d["id"],
        created=d["created"],
        model=d["model"],
        choices=[
            Choice.model_construct(
                index=choice["index"], message=message, finish_reason=choice["finish_reason"]
            )
        ],
        usage=Usage.model_construct(**usage),
        system_fingerprint=d.get("system_fingerprint"),
    )


def run() -> dict[str, float]:
    parsed = json.loads(BODY)
    out = {
        "json.loads(body)": per_op(lambda: json.loads(BODY)),
        "pydantic_core.from_json(body)": per_op(lambda: pydantic_core.from_json(BODY)),
        "json.loads(event)": per_op(lambda: json.loads(EVENT)),
        "pydantic_core.from_json(event)": per_op(lambda: pydantic_core.from_json(EVENT)),
        "json.dumps(request)": per_op(
            lambda: json.dumps(REQUEST, ensure_ascii=False, separators=(",", ":")).encode()
        ),
        "pydantic_core.to_json(request)": per_op(lambda: pydantic_core.to_json(REQUEST)),
        "ChatCompletion.model_validate(dict)": per_op(
            lambda: ChatCompletion.model_validate(parsed)
        ),
        "ChatCompletion nested model_construct(dict)": per_op(lambda: construct(parsed)),
        "ChatCompletion.model_validate_json(bytes)": per_op(
            lambda: ChatCompletion.model_validate_json(BODY)
        ),
        "json.loads + model_validate": per_op(
            lambda: ChatCompletion.model_validate(json.loads(BODY))
        ),
        "ChatCompletionChunk.model_validate_json(bytes)": per_op(
            lambda: ChatCompletionChunk.model_validate_json(CHUNK)
        ),
        "json.loads + ChatCompletionChunk.model_validate": per_op(
            lambda: ChatCompletionChunk.model_validate(json.loads(CHUNK))
        ),
    }
    try:
        import orjson
    except ImportError:
        return out
    out["orjson.loads(body)"] = per_op(lambda: orjson.loads(BODY))
    out["orjson.loads(event)"] = per_op(lambda: orjson.loads(EVENT))
    out["orjson.dumps(request)"] = per_op(lambda: orjson.dumps(REQUEST))
    return out


if __name__ == "__main__":
    print(json.dumps(run()))
