"""Helpers for talking to local providers over raw HTTP and reading their SSE."""

from __future__ import annotations

import json
from typing import Any

import httpx

from llmrouter.testing import LocalProvider

ANTHROPIC_HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
OPENAI_HEADERS = {"authorization": "Bearer test-key"}


def user(text: str = "hello there") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def endpoint(provider: LocalProvider) -> str:
    suffix = "/v1/messages" if provider.wire == "anthropic" else "/chat/completions"
    return provider.api_base + suffix


def headers_for(provider: LocalProvider) -> dict[str, str]:
    return dict(ANTHROPIC_HEADERS if provider.wire == "anthropic" else OPENAI_HEADERS)


def body_for(provider: LocalProvider, text: str = "hello there", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "test-model", "messages": user(text), **extra}
    if provider.wire == "anthropic":
        body.setdefault("max_tokens", 1024)
    return body


async def call(
    client: httpx.AsyncClient, provider: LocalProvider, text: str = "hello there", **extra: Any
) -> httpx.Response:
    """POST a completion request in the provider's wire format."""
    return await client.post(
        endpoint(provider), json=body_for(provider, text, **extra), headers=headers_for(provider)
    )


def parse_sse(text: str) -> list[tuple[str | None, str]]:
    """(event name or None, data) per SSE event."""
    events: list[tuple[str | None, str]] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        name = None
        data = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        events.append((name, "\n".join(data)))
    return events


def openai_chunks(text: str) -> list[dict[str, Any]]:
    """The JSON chunks of an OpenAI stream; asserts it ends with `[DONE]`."""
    events = parse_sse(text)
    assert events[-1] == (None, "[DONE]")
    return [json.loads(data) for _, data in events[:-1]]


def openai_stream_text(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])


def anthropic_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for name, data in parse_sse(text):
        payload = json.loads(data)
        assert payload["type"] == name
        events.append((payload["type"], payload))
    return events


def anthropic_stream_text(events: list[tuple[str, dict[str, Any]]]) -> str:
    return "".join(
        e["delta"]["text"]
        for name, e in events
        if name == "content_block_delta" and e["delta"]["type"] == "text_delta"
    )
