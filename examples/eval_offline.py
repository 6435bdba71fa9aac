"""Compare Claude and GLM on a prompt set before switching, offline: `llmrouter.eval` against
local stand-ins for both vendors, then the report's verdict and its HTML page.

    python examples/eval_offline.py [report.html]

The GLM-like stand-in answers a few questions wrongly and has some answers content-filtered;
the Claude-like one is slower. Against the real vendors, drop the stand-ins and point the
config at them (see docs: Switching vendors safely).
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from llmrouter.eval import evaluate
from llmrouter.experiments.comparison import compare
from llmrouter.experiments.html import write_report
from llmrouter.experiments.terminal import console_for, print_comparison
from llmrouter.testing import Fault, LocalProvider, LocalProviderServer

CAPITALS = {
    "France": "Paris",
    "Japan": "Tokyo",
    "Kenya": "Nairobi",
    "Peru": "Lima",
    "Canada": "Ottawa",
    "Norway": "Oslo",
    "Egypt": "Cairo",
    "Chile": "Santiago",
    "Nepal": "Kathmandu",
    "Ghana": "Accra",
    "Austria": "Vienna",
    "Vietnam": "Hanoi",
}
WRONG = {"Canada": "Toronto", "Nepal": "Pokhara"}  # where the GLM stand-in slips


def _replier(provider: LocalProvider, mistakes: dict[str, str], typical_s: float) -> None:
    """Answer from the table (with `mistakes`), and vary the latency like a real vendor's."""
    rng = random.Random(typical_s)

    def reply(body: dict[str, Any]) -> str:
        provider.set_latency(rng.lognormvariate(math.log(typical_s), 0.45))  # the next one
        return _answer(body, mistakes)

    provider.set_reply(reply)


def _answer(body: dict[str, Any], mistakes: dict[str, str]) -> str:
    question = str(body["messages"][-1]["content"])
    country = next(c for c in CAPITALS if c in question)
    return f"The capital of {country} is {mistakes.get(country, CAPITALS[country])}."


def _cases() -> list[dict[str, Any]]:
    return [
        {
            "id": f"capital-{country.lower()}",
            "messages": [{"role": "user", "content": f"What is the capital of {country}?"}],
            "expected": f"The capital of {country} is {city}.",
            "repeat": 5,
            "checks": [{"contains": city}, {"similarity": 0.85}],
        }
        for country, city in CAPITALS.items()
    ]


def _config(server: LocalProviderServer, store: Path) -> dict[str, Any]:
    return {
        "providers": {
            "zhipu": {"api_base": server.providers["glm"].api_base, "api_key": "${ZHIPU_API_KEY}"},
            "anthropic": {
                "api_base": server.providers["claude"].api_base,
                "api_key": "${ANTHROPIC_API_KEY}",
            },
        },
        "models": {
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {
            "claude-only": {"models": ["claude"]},
            "glm-only": {"models": ["glm"], "retries": 0},
            "glm-first": {
                "models": ["glm", "claude"],
                "fault_policy": {"content_filter": {"fallback": True}},
            },
        },
        "experiments": {"store": f"sqlite:///{store}", "switch_criteria": {"min_samples": 50}},
    }


async def main(html: Path) -> None:
    async with LocalProviderServer() as server:
        glm = server.add_provider("glm", wire="openai", flavor="zhipu")
        claude = server.add_provider("claude", wire="anthropic")
        _replier(glm, WRONG, typical_s=0.03)
        _replier(claude, {}, typical_s=0.05)
        glm.fail_rate(0.05, Fault.filtered_finish(), seed=7)
        with tempfile.TemporaryDirectory() as tmp:
            result = await evaluate(
                _cases(),
                config=_config(server, Path(tmp) / "experiments.sqlite"),
                routes=["claude-only", "glm-only", "glm-first"],
                env={"ZHIPU_API_KEY": "local", "ANTHROPIC_API_KEY": "local"},
                concurrency=8,
            )
    from llmrouter.config.schema import SwitchCriteriaConfig

    criteria = SwitchCriteriaConfig(min_samples=50)
    comparison = compare(result.run, result.records, criteria)
    print_comparison(console_for(), comparison)
    write_report(html, [comparison], criteria)
    print(f"HTML report: {html}")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "report.html"
    asyncio.run(main(target))
