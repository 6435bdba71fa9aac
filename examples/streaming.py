"""Streaming: chunks arrive as the model writes; `stream.route` is filled when it ends.

If GLM's stream breaks before the first chunk, Claude streams instead; the caller never knows.
"""

import asyncio
from pathlib import Path

from llmrouter import Router
from llmrouter.demo import local_example
from llmrouter.testing import Fault

CONFIG = Path(__file__).with_name("llmrouter.yaml")


async def main() -> None:
    async with local_example() as local, Router.from_yaml(CONFIG, env=local.env) as router:
        local.glm.fail_next(Fault.drop_stream(after_chunks=0), times=2)  # first try and retry
        stream = await router.acompletion(
            model="chat",
            messages=[{"role": "user", "content": "Write one sentence about routers."}],
            stream=True,
        )
        async with stream:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    print(chunk.choices[0].delta.content, end="", flush=True)
        print()
        assert stream.route is not None
        print(f"streamed by {stream.route.model} after {len(stream.route.attempts)} attempts")


if __name__ == "__main__":
    asyncio.run(main())
