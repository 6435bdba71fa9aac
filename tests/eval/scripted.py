"""Stand-in providers scripted to differ, and a config over them: `right` answers every case
correctly, `wrong` always answers "Paris", `refusing` is content-filtered, `erroring`
answers 503. Prices are $1 per completion token, so costs are exact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from llmrouter.testing import Fault, LocalProviderServer

CAPITALS = {"France": "Paris", "Italy": "Rome", "Japan": "Tokyo"}
ENV = {"K": "sk-local-test-key-0000"}


def capital_reply(body: dict[str, Any]) -> str:
    """The capital of the country named in the last user message."""
    text = str(body["messages"][-1]["content"])
    return next((city for country, city in CAPITALS.items() if country in text), "unknown")


def completion_tokens(text: str) -> int:
    """The stand-ins' token estimate: one per started group of four characters."""
    return -(-len(text) // 4)


class Scripted:
    def __init__(self, server: LocalProviderServer) -> None:
        self.server = server
        self.right = server.add_provider("right", wire="openai")
        self.wrong = server.add_provider("wrong", wire="anthropic")
        self.refusing = server.add_provider("refusing", wire="openai", flavor="zhipu")
        self.erroring = server.add_provider("erroring", wire="openai")
        self.judge = server.add_provider("judge", wire="openai")
        self.right.set_reply(capital_reply)
        self.wrong.set_reply("Paris")
        self.refusing.fail_always(Fault.filtered_finish())
        self.erroring.fail_always(Fault.server_error(503))

    def config(self, store: str = "sqlite:///experiments.sqlite", **extra: Any) -> dict[str, Any]:
        wires = {
            "right": "openai/gpt-4o-mini",
            "wrong": "anthropic/claude-sonnet-4-5",
            "refusing": "zai/glm-4.6",
            "erroring": "openai/gpt-4o",
            "judge": "openai/gpt-4o",
        }
        price = {"input_cost_per_mtok": 0, "output_cost_per_mtok": 1_000_000}
        return {
            "providers": {
                name: {"api_base": provider.api_base, "api_key": "${K}"}
                for name, provider in self.server.providers.items()
            },
            "models": {
                name: {"provider": name, "model": model, **price} for name, model in wires.items()
            },
            # No retries and no breaker: every case reaches its provider once.
            "routes": {
                f"{name}-route": {"models": [name], "retries": 0, "circuit_breaker": False}
                for name in wires
            },
            "circuit_breaker": {"enabled": False},
            "experiments": {"store": store, **extra},
        }

    def write_config(self, directory: Path, **kwargs: Any) -> Path:
        path = directory / "llmrouter.yaml"
        path.write_text(yaml.safe_dump(self.config(**kwargs)))
        return path


def case(case_id: str, country: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "messages": [{"role": "user", "content": f"What is the capital of {country}?"}],
        "expected": CAPITALS[country],
        "checks": [{"contains": CAPITALS[country]}, {"similarity": 0.8}],
        **extra,
    }


def standard_cases() -> list[dict[str, Any]]:
    """Ten samples: six France cases, one France case run twice, two Italy cases."""
    cases = [case(f"fr-{i}", "France") for i in range(1, 7)]
    cases.append(case("fr-7", "France", repeat=2))
    cases += [case("it-1", "Italy"), case("it-2", "Italy")]
    return cases


def write_jsonl(path: Path, cases: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    return path
