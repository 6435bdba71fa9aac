"""Cost-aware routing: the cheapest model that can serve each request, and a daily budget.

Runs offline against llmrouter's built-in local providers, with the real prices of GLM-4.6 and
Claude Sonnet 4.5 from the price map bundled with litellm. Claude is listed first; the `cost`
strategy still sends short requests to GLM, and a request too long for GLM's (here deliberately
small) context window goes to Claude without calling GLM at all.
"""

import asyncio

from llmrouter import BudgetExceededError, Router
from llmrouter.demo import local_example


def config() -> dict[str, object]:
    return {
        "providers": {
            "zhipu": {"api_base": "${ZHIPU_API_BASE}", "api_key": "${ZHIPU_API_KEY}"},
            "anthropic": {"api_base": "${ANTHROPIC_API_BASE}", "api_key": "${ANTHROPIC_API_KEY}"},
        },
        "models": {
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6", "context_window": 2000},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {"chat": {"strategy": "cost", "models": ["claude", "glm"]}},
        "budgets": [{"scope": "tenant:*", "limit_usd": 0.0005, "window": "1d"}],
    }


async def main() -> None:
    async with local_example() as local, Router.from_dict(config(), env=local.env) as router:
        short = [{"role": "user", "content": "Summarise this contract in one line."}]
        long = [{"role": "user", "content": "Summarise this contract: " + "clause " * 2000}]
        for name, messages in (("short", short), ("long", long)):
            resp = await router.acompletion(
                model="chat", messages=messages, max_tokens=64, metadata={"tenant": "acme"}
            )
            assert resp.route is not None
            skipped = [
                f"{a.model} ({a.error})" for a in resp.route.attempts if a.outcome == "skipped"
            ]
            print(
                f"{name}: answered by {resp.route.model}, "
                f"{resp.usage.prompt_tokens} + {resp.usage.completion_tokens} tokens, "
                f"${resp.route.cost_usd:.6f}; skipped: {', '.join(skipped) or 'none'}"
            )
        try:
            await router.acompletion(model="chat", messages=short, metadata={"tenant": "acme"})
        except BudgetExceededError as err:
            print(f"acme is over budget: {err}")


if __name__ == "__main__":
    asyncio.run(main())
