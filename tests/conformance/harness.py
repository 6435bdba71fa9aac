"""Send one request through llmrouter's public API to a replayed transcript, and reduce what
the caller gets to an `Outcome` the cases compare."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from replay import Served

from llmrouter import Router
from llmrouter.errors import AllModelsFailedError, LLMRouterError
from llmrouter.types import ChatCompletion, Usage

KEY = "sk-conformance-test-key"
ESTIMATED = "estimated"

VENDORS: dict[str, tuple[str, str]] = {
    # vendor: (provider name in the config, model string whose bundled prices bill the answer)
    "openai": ("openai", "openai/gpt-4o-2024-08-06"),
    "anthropic": ("anthropic", "anthropic/claude-sonnet-4-5"),
    "zhipu": ("zhipu", "zai/glm-4.6"),
    "deepseek": ("deepseek", "deepseek/deepseek-reasoner"),
}
"""A new vendor joins the corpus with one entry here, its transcripts and its cases."""


def config(vendor: str, api_base: str, adapter: str) -> dict[str, Any]:
    provider, model = VENDORS[vendor]
    return {
        "providers": {
            provider: {"api_base": api_base, "api_key": "${KEY}", "adapter": adapter},
        },
        "models": {"m": {"provider": provider, "model": model}},
        "routes": {"r": {"models": ["m"], "retries": 0, "timeout_s": 20}},
    }


@dataclass
class Outcome:
    """What the caller got, adapter-neutral."""

    content: str | None = None
    refusal: str | None = None
    reasoning: str | None = None
    signatures: list[str] = field(default_factory=list)
    tool_calls: list[tuple[str | None, Any]] = field(default_factory=list)
    finish: list[str | None] = field(default_factory=list)
    usage: dict[str, int] | None = None
    cost: float | str | None = None
    error: str | None = None


def usage_kinds(usage: Usage | None) -> dict[str, int] | None:
    """Every token kind of `usage`; `cache_write` is read from `Usage.cache_write_tokens`
    (the name these tests expect for prompt-cache writes, issue 13 row 2)."""
    if usage is None:
        return None
    return {
        "prompt": usage.prompt_tokens,
        "completion": usage.completion_tokens,
        "cached": usage.cached_tokens,
        "cache_write": int(getattr(usage, "cache_write_tokens", 0) or 0),
        "reasoning": usage.reasoning_tokens,
    }


def _signatures(message: Any) -> list[str]:
    """Thinking-block signatures, from `thinking_blocks` (litellm's OpenAI-shape field)."""
    blocks = getattr(message, "thinking_blocks", None) or []
    out = []
    for block in blocks:
        value = (
            block.get("signature") if isinstance(block, dict) else getattr(block, "signature", None)
        )
        if value:
            out.append(str(value))
    return out


def _arguments(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


def from_completion(resp: ChatCompletion) -> Outcome:
    message = resp.choices[0].message
    calls = [(c.function.name, _arguments(c.function.arguments)) for c in message.tool_calls or []]
    route = resp.route
    return Outcome(
        content=message.content or None,
        refusal=message.refusal,
        reasoning=message.reasoning_content or None,
        signatures=_signatures(message),
        tool_calls=calls,
        finish=[c.finish_reason for c in resp.choices],
        usage=usage_kinds(resp.usage),
        cost=_cost(route),
    )


async def from_stream(stream: Any) -> Outcome:
    content: list[str] = []
    refusal: list[str] = []
    reasoning: list[str] = []
    signatures: list[str] = []
    calls: dict[int, list[Any]] = {}
    finish: dict[int, str | None] = {}
    async for chunk in stream:
        for choice in chunk.choices:
            delta = choice.delta
            finish.setdefault(choice.index, None)
            if choice.finish_reason:
                finish[choice.index] = choice.finish_reason
            if choice.index != 0:
                continue
            content.append(delta.content or "")
            refusal.append(getattr(delta, "refusal", None) or "")
            reasoning.append(delta.reasoning_content or "")
            signatures.extend(_signatures(delta))
            for call in delta.tool_calls or []:
                entry = calls.setdefault(call.index, [None, ""])
                if call.function is not None:
                    entry[0] = entry[0] or call.function.name
                    entry[1] += call.function.arguments or ""
    route = stream.route
    return Outcome(
        content="".join(content) or None,
        refusal="".join(refusal) or None,
        reasoning="".join(reasoning) or None,
        signatures=signatures,
        tool_calls=[(name, _arguments(args)) for name, args in calls.values()],
        finish=[finish[i] for i in sorted(finish)],
        usage=usage_kinds(stream.usage),
        cost=_cost(route),
    )


def _cost(route: Any) -> float | str | None:
    """The route's cost; `ESTIMATED` when the provider reported no usage, so llmrouter
    charged an estimate from the prompt and the text it saw (and said so)."""
    if route is None:
        return None
    return ESTIMATED if route.cost_estimated else float(route.cost_usd)


def error_class(exc: LLMRouterError) -> str:
    """The class the caller sees; for `AllModelsFailedError`, the last fault's."""
    if isinstance(exc, AllModelsFailedError) and exc.last_error is not None:
        return type(exc.last_error).__name__
    return type(exc).__name__


async def replay(served: Served, vendor: str, adapter: str, request: dict[str, Any]) -> Outcome:
    """Send `request` (acompletion kwargs) through a router whose provider is the replay."""
    messages = request.pop("messages", [{"role": "user", "content": "hi"}])
    router = Router.from_dict(config(vendor, served.api_base, adapter), env={"KEY": KEY})
    async with router:
        try:
            if request.get("stream"):
                stream = await router.acompletion(model="r", messages=messages, **request)
                return await from_stream(stream)
            resp = await router.acompletion(model="r", messages=messages, **request)
            return from_completion(resp)
        except LLMRouterError as exc:
            return Outcome(error=error_class(exc))
