"""What a bare `pip install llmrouter` (no litellm) must do; exits non-zero if it does not.

Run by `scripts/check_slim_install.py` inside a fresh venv, and by the test suite with litellm
hidden. Offline: requests go to llmrouter's local stand-in providers on 127.0.0.1.

- The native path answers over the OpenAI-compatible wire (GLM) and the Anthropic wire
  (Claude), with `cost_usd` priced from llmrouter's own price file.
- Bundled prices for every natively served vendor are the published ones.
- A config with a model only litellm serves fails with an ImportError naming the extra.
- litellm is never imported.
"""

from __future__ import annotations

import asyncio
import importlib.util
import math
import sys

# (model string, USD per million input tokens, output, context window)
EXPECTED_PRICES = [
    ("zai/glm-4.6", 0.6, 2.2, 200_000),
    ("anthropic/claude-sonnet-4-5", 3.0, 15.0, 200_000),
    ("openai/gpt-4o-mini", 0.15, 0.6, 128_000),
    ("deepseek/deepseek-chat", 0.28, 0.42, 131_072),
    ("moonshot/moonshot-v1-8k", 0.2, 2.0, 8_192),
    ("anthropic/glm-4.6", 0.6, 2.2, 200_000),  # GLM on Z.ai's Anthropic-compatible endpoint
]


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def check_prices() -> None:
    from llmrouter.config.schema import ModelConfig
    from llmrouter.pricing import price_for

    for model, inp, out, window in EXPECTED_PRICES:
        price = price_for(ModelConfig(provider="p", model=model))
        got = (price.input_per_mtok, price.output_per_mtok, price.context_window)
        close = (
            price.known
            and math.isclose(price.input_per_mtok or 0, inp, rel_tol=1e-9)
            and math.isclose(price.output_per_mtok or 0, out, rel_tol=1e-9)
            and price.context_window == window
        )
        check(close, f"{model} priced {inp}/{out} $/Mtok, window {window} (got {got})")


async def check_native_requests() -> None:
    from llmrouter import Router
    from llmrouter.testing import LocalProviderServer

    async with LocalProviderServer() as server:
        glm = server.add_provider("glm", wire="openai", flavor="zhipu")
        claude = server.add_provider("claude", wire="anthropic")
        config = {
            "providers": {
                "zhipu": {"api_base": glm.api_base, "api_key": "${K}"},
                "anthropic": {"api_base": claude.api_base, "api_key": "${K}"},
            },
            "models": {
                "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
                "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
            },
        }
        messages = [{"role": "user", "content": "Summarise this contract."}]
        async with Router.from_dict(config, env={"K": "local-key"}) as router:
            for name, inp, out in (("glm", 0.6, 2.2), ("claude", 3.0, 15.0)):
                resp = await router.acompletion(model=name, messages=messages)
                usage = resp.usage
                cost = (usage.prompt_tokens * inp + usage.completion_tokens * out) / 1e6
                check(resp.route.model == name and bool(resp.text), f"{name} answered natively")
                check(
                    cost > 0 and math.isclose(resp.route.cost_usd, cost, rel_tol=1e-9),
                    f"{name} cost_usd {resp.route.cost_usd:.8f} == {cost:.8f}",
                )


async def check_litellm_hint() -> None:
    from llmrouter import Router

    config = {
        "providers": {"aws": {}},
        "models": {"titan": {"provider": "aws", "model": "bedrock/amazon.titan-text-lite-v1"}},
    }
    try:
        async with Router.from_dict(config) as router:
            await router.acompletion(model="titan", messages=[{"role": "user", "content": "x"}])
    except ImportError as exc:
        check("pip install 'llmrouter[litellm]'" in str(exc), f"litellm hint: {exc}")
    else:
        check(False, "a bedrock/ model without litellm raised no ImportError")


def main() -> int:
    check(importlib.util.find_spec("litellm") is None, "litellm is not installed")
    check_prices()
    asyncio.run(check_native_requests())
    asyncio.run(check_litellm_hint())
    imported = sys.modules.get("litellm") is not None
    check(not imported, "litellm was never imported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
