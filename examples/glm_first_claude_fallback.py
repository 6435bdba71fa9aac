"""GLM first, Claude as the fallback: watch the fallback take over when GLM fails.

The local GLM-like provider is told to answer 529-style "overloaded" twice; the route retries
GLM once, then moves to Claude. A 400 is neither retried nor sent to Claude.
"""

import asyncio
from pathlib import Path

from llmrouter import BadRequestError, Router
from llmrouter.demo import local_example
from llmrouter.testing import Fault

CONFIG = Path(__file__).with_name("llmrouter.yaml")
QUESTION = [{"role": "user", "content": "Which vendor answered?"}]


async def main() -> None:
    async with local_example() as local, Router.from_yaml(CONFIG, env=local.env) as router:
        local.glm.fail_next(Fault.overloaded(), times=2)
        resp = await router.acompletion(model="chat", messages=QUESTION)
        assert resp.route is not None
        for attempt in resp.route.attempts:
            print(f"  {attempt.model:<7} {attempt.outcome:<6} {attempt.error or ''}")
        print(f"answered by {resp.route.model}: {resp.choices[0].message.content}")
        assert resp.route.model == "claude"

        local.glm.fail_next(Fault.bad_request("Invalid parameter: top_p"))
        calls_before = local.claude.request_count
        try:
            await router.acompletion(model="chat", messages=QUESTION, top_p=7)
        except BadRequestError as err:
            print(f"400 is final: {err}")
        assert local.claude.request_count == calls_before, "a 400 must not fall back"


if __name__ == "__main__":
    asyncio.run(main())
