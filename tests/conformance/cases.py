"""The corpus table: one entry per transcript, with what the caller must get.

Prices are the bundled ones (litellm's map) per million tokens, written out so each cost is
computed by hand here: gpt-4o-2024-08-06 $2.50 in / $1.25 cached / $10 out;
claude-sonnet-4-5 $3 in / $0.30 cache read / $3.75 cache write / $15 out; glm-4.6 $0.60 in /
$0.11 cached / $2.20 out; deepseek-reasoner $0.28 in / $0.028 cached / $0.42 out (reasoning
tokens are output tokens for all four).

`xfail` maps an adapter ("native", "litellm") to the issue-13 row it proves; such a case is
`xfail(strict=True)` there, so it turns into a failure to notice (XPASS) once the row is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness import ESTIMATED

MTOK = 1_000_000
NO_USAGE = "no usage"
"""The provider sent no usage: the caller gets none (or zeros) and a cost of 0, not an estimate."""

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
THINKING = {"thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 2048}


@dataclass(frozen=True)
class Prefix:
    """An expected text that the caller's text starts with (long recorded answers)."""

    start: str


@dataclass(frozen=True)
class Case:
    id: str
    transcript: str
    vendor: str
    request: dict[str, Any]
    expect: dict[str, Any]
    xfail: dict[str, str] = field(default_factory=dict)
    disagree: str | None = None
    """Why the adapters give different answers today (the row), for the agreement test."""


def usage(prompt: int, completion: int, cached: int = 0, cache_write: int = 0, reasoning: int = 0):
    return {
        "prompt": prompt,
        "completion": completion,
        "cached": cached,
        "cache_write": cache_write,
        "reasoning": reasoning,
    }


ROW1 = "issue 13 row 1: Anthropic cache reads are not surfaced as cached_tokens (native)"
ROW2 = "issue 13 row 2: prompt-cache writes are priced as plain input, not at $3.75/MTok"
ROW3 = "issue 13 row 3: a streamed OpenAI refusal (delta.refusal) is dropped"
ROW5 = "issue 13 row 5: the thinking block's signature is lost"
ROW7 = "issue 13 row 7: stop_reason pause_turn does not tell the caller to continue"
ROW9 = "issue 13 row 9: with n>1 streams, choices after the first lose their finish_reason"
ROW10 = "issue 13 row 10: usage (tokens, reasoning tokens, cost) invented the provider never sent"
LITELLM_OUTPUT_TOKENS = (
    "litellm limitation: an Anthropic stream's output tokens come from message_start (1), not "
    "from the final message_delta (0); the native adapter, the default, reads the final count"
)
LITELLM_PAUSE_TURN = (
    "litellm limitation: Anthropic's pause_turn is reported as 'length' and the native stop "
    "reason is not kept; the native adapter (the default for anthropic/) passes it through"
)
ROW11 = (
    "issue 13 row 11: GLM tool-call arguments sent as a JSON object raise MalformedResponseError"
)

STREAM = {"stream": True}

CASES: list[Case] = [
    Case(
        "openai-text-stream",
        "openai/text-stream.http",
        "openai",
        STREAM,
        {
            "content": (
                "I'm unable to provide real-time weather updates. To get the current weather in "
                "San Francisco, I recommend checking a reliable weather website or a weather app."
            ),
            "finish": ["stop"],
            "usage": usage(14, 30),
            "cost": (14 * 2.50 + 30 * 10) / MTOK,
        },
    ),
    Case(
        "openai-refusal-stream",
        "openai/refusal-stream.http",
        "openai",
        STREAM,
        {
            "refusal": "I'm sorry, I can't assist with that request.",
            "content": None,
            "finish": ["stop"],
            "usage": usage(79, 11),
            "cost": (79 * 2.50 + 11 * 10) / MTOK,
        },
    ),
    Case(
        "openai-refusal-json",
        "openai/refusal-json.http",
        "openai",
        {},
        {
            "refusal": "I'm very sorry, but I can't assist with that.",
            "content": None,
            "finish": ["stop"],
            "usage": usage(79, 12),
            "cost": (79 * 2.50 + 12 * 10) / MTOK,
        },
    ),
    Case(
        "openai-n3-stream",
        "openai/n3-stream.http",
        "openai",
        {"stream": True, "n": 3},
        {
            "content": '{"city":"San Francisco","temperature":65,"units":"f"}',
            "finish": ["stop", "stop", "stop"],
            "usage": usage(79, 42),
            "cost": (79 * 2.50 + 42 * 10) / MTOK,
        },
    ),
    Case(
        "openai-tool-call-stream",
        "openai/tool-call-stream.http",
        "openai",
        {"stream": True, "tools": [WEATHER_TOOL]},
        {
            "content": None,
            "tool_calls": [("get_weather", {"city": "New York City"})],
            "finish": ["tool_calls"],
            "usage": usage(44, 16),
            "cost": (44 * 2.50 + 16 * 10) / MTOK,
        },
    ),
    Case(
        "openai-tool-call-json",
        "openai/tool-call-json.http",
        "openai",
        {"tools": [WEATHER_TOOL]},
        {
            "tool_calls": [
                ("GetWeatherArgs", {"city": "Edinburgh", "country": "UK", "units": "c"})
            ],
            "finish": ["tool_calls"],
            "usage": usage(76, 24),
            "cost": (76 * 2.50 + 24 * 10) / MTOK,
        },
    ),
    Case(
        "anthropic-basic-stream",  # the recording ends without a final blank line
        "anthropic/basic-stream.http",
        "anthropic",
        STREAM,
        {
            "content": "Hello there!",
            "finish": ["stop"],
            "usage": usage(11, 6),
            "cost": (11 * 3 + 6 * 15) / MTOK,
        },
    ),
    Case(
        "anthropic-tool-use-stream",
        "anthropic/tool-use-stream.http",
        "anthropic",
        {"stream": True, "tools": [WEATHER_TOOL]},
        {
            "content": "I'll check the current weather in Paris for you.",
            "tool_calls": [("get_weather", {"location": "Paris"})],
            "finish": ["tool_calls"],
            "usage": usage(377, 65),
            "cost": (377 * 3 + 65 * 15) / MTOK,
        },
    ),
    Case(
        "anthropic-cache-read-write-json",
        "anthropic/cache-read-write-json.http",
        "anthropic",
        {},
        {
            "content": Prefix("Python is a beginner-friendly, versatile programming language"),
            "finish": ["stop"],
            # OpenAI convention: prompt = input 3 + cache read 1111 + cache write 418
            "usage": usage(1532, 33, cached=1111, cache_write=418),
            "cost": (3 * 3 + 1111 * 0.30 + 418 * 3.75 + 33 * 15) / MTOK,
        },
    ),
    Case(
        "anthropic-thinking-stream",
        "anthropic/thinking-stream.http",
        "anthropic",
        {**STREAM, **THINKING},
        {
            "content": Prefix("Here are the basic steps for safely crossing the street:"),
            "reasoning": Prefix("This is a straightforward question about pedestrian safety."),
            "signatures": [
                "EvMCCkYICxgCKkCHP2cSuEdcJK/0rFwqES/ecn+VurRpNTwI4XNyM0vnNfGsc9OmE8YYHauwBZ/uaRpmlEn2I4/kszHlcpptO82JEgyRMSbPkJYaegxYF3AaDHZbSm9EzZ6CM+YtliIw3iNVP/ilYrfoneo8S2+ad/5xSC62nKbk6joLtKmqXgXwYFJRpjIUjM2V7EGReOPRKtoBKfNHVmdNf7SeMhHalX/ObSeJ1G/NjDyGQAsDjyHGd7uY1r5gAIn3Cpdv5r+gHYJmWT+w2uiKZsBDRoSf4O3Km0l752EhPD4InEhqpCKyqhbUZ3dt5+JVKQHk2iyTBhQMB/XBYgZTstIpRqQRXU5ypcrydgnqj3mD1G9C7YC0ZTCNvFluAx0OL8q+cQwufgfqKquLEf2+XMYzhx9jYkVFEpnf/s1nx6gNBATKfF3Dmrs2r4tWu2QJB+FjlRuDp/8dxUxgJbmyhGxb7XsYeb1vgb7wwzDvP/UhjfQYAQ=="
            ],
            "finish": ["stop"],
            "usage": usage(43, 282),  # Anthropic reported no separate thinking tokens
            "cost": (43 * 3 + 282 * 15) / MTOK,
        },
    ),
    Case(
        "anthropic-docs-thinking-stream-without-usage",
        "anthropic/docs-thinking-stream.http",
        "anthropic",
        {**STREAM, **THINKING},
        {
            "content": "27 * 453 = 12,231",
            "reasoning": Prefix("Let me solve this step by step:"),
            "signatures": ["EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."],
            "finish": ["stop"],
            "usage": NO_USAGE,
            "cost": ESTIMATED,  # none invented in the answer; the budget charge is an estimate
        },
        xfail={"litellm": ROW10},  # the signature is carried; the usage is invented
        disagree=ROW10,
    ),
    Case(
        "anthropic-pause-turn-json",
        "anthropic/pause-turn-json.http",
        "anthropic",
        {},
        {
            "content": Prefix("I'll run these searches for you one at a time."),
            "finish": ["pause_turn"],
            "usage": usage(401468, 792),
            "cost": (401468 * 3 + 792 * 15) / MTOK,
        },
        xfail={"litellm": LITELLM_PAUSE_TURN},
        disagree=LITELLM_PAUSE_TURN,
    ),
    Case(
        "anthropic-refusal-stream",
        "anthropic/refusal-stream.http",
        "anthropic",
        STREAM,
        # A refusal is an answer (the route falls back on it only when its content_filter
        # policy says so): delivered, priced and charged like any other.
        {"finish": ["refusal"], "usage": usage(20, 0), "cost": 20 * 3 / MTOK},
        xfail={"litellm": LITELLM_OUTPUT_TOKENS},
        disagree=LITELLM_OUTPUT_TOKENS,
    ),
    Case(
        "anthropic-rate-limit-429",
        "anthropic/rate-limit-429.http",
        "anthropic",
        {},
        {"error": "RateLimitError"},
    ),
    Case(
        "zhipu-tool-call-stream",  # usage once, on the finish chunk
        "zhipu/tool-call-stream.http",
        "zhipu",
        {"stream": True, "tools": [WEATHER_TOOL]},
        {
            "content": "I'll get the current weather information for Florence, Italy for you.",
            "reasoning": Prefix("The user is asking for the weather in Florence, Italy."),
            "tool_calls": [("weather", {"location": "Florence,Italy"})],
            "finish": ["tool_calls"],
            "usage": usage(173, 93, cached=172, reasoning=65),
            "cost": ((173 - 172) * 0.60 + 172 * 0.11 + 93 * 2.20) / MTOK,
        },
    ),
    Case(
        "zhipu-tool-call-json",
        "zhipu/tool-call-json.http",
        "zhipu",
        {"tools": [WEATHER_TOOL]},
        {
            "content": "I'll check the weather in Florence, Italy for you.",
            "reasoning": Prefix("The user is asking for the weather in Florence, Italy."),
            "tool_calls": [("weather", {"location": "Florence,Italy"})],
            "finish": ["tool_calls"],
            "usage": usage(173, 88, cached=43, reasoning=62),
            "cost": ((173 - 43) * 0.60 + 43 * 0.11 + 88 * 2.20) / MTOK,
        },
    ),
    Case(
        "zhipu-arguments-object-json",  # Z.ai's API reference example, placeholders and all
        "zhipu/arguments-object-json.http",
        "zhipu",
        {"tools": [WEATHER_TOOL]},
        {
            "tool_calls": [("<string>", {})],
            "reasoning": "<string>",
            "usage": usage(123, 123, cached=123),
            "cost": (123 * 0.11 + 123 * 2.20) / MTOK,
        },
    ),
    Case(
        "deepseek-reasoner-stream",
        "deepseek/reasoner-stream.http",
        "deepseek",
        STREAM,
        {
            "content": "Hello there! 😊 How can I help you today?",
            "reasoning": Prefix('Hmm, the user just said "Hello".'),
            "finish": ["stop"],
            "usage": usage(6, 212, reasoning=198),
            "cost": (6 * 0.28 + 212 * 0.42) / MTOK,
        },
    ),
]
