"""Quick start: ask the `chat` route (GLM first, Claude as the fallback) and read the route.

Runs offline against llmrouter's built-in local providers. Against the real vendors, drop
`local_example()`, export ZHIPU_API_KEY and ANTHROPIC_API_KEY, and call
`Router.from_yaml("examples/llmrouter.yaml")` without `env=`.
"""

import asyncio
from pathlib import Path

from llmrouter import Router
from llmrouter.demo import local_example

CONFIG = Path(__file__).with_name("llmrouter.yaml")


async def main() -> None:
    async with local_example() as local, Router.from_yaml(CONFIG, env=local.env) as router:
        resp = await router.acompletion(
            model="chat",
            messages=[{"role": "user", "content": "Summarise this contract in one line."}],
            temperature=0,
            max_tokens=64,
        )
        print(resp.choices[0].message.content)
        assert resp.route is not None
        print(f"answered by {resp.route.model} ({resp.route.provider})")
        print(f"tokens in/out: {resp.usage.prompt_tokens}/{resp.usage.completion_tokens}")
        print(f"cost: ${resp.route.cost_usd:.6f}")


if __name__ == "__main__":
    asyncio.run(main())
