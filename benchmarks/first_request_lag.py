"""How long the first request through each adapter blocks the event loop, after `async with
Router(...)` (issue 12, row 17). A probe task sleeps 5 ms in a loop; its worst overshoot while
the first JSON and the first streamed request run is the loop's longest stall.

    python benchmarks/first_request_lag.py

Run in a fresh process per adapter (imports and first-use work are what is measured).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


async def _probe(samples: list[float]) -> None:
    while True:
        started = time.perf_counter()
        await asyncio.sleep(0.005)
        samples.append(time.perf_counter() - started - 0.005)


async def measure(adapter: str) -> dict[str, float]:
    from llmrouter import Router
    from llmrouter.testing import LocalProviderServer
    from support import Local, user

    out: dict[str, float] = {}
    async with LocalProviderServer() as server:
        local = Local(server, adapter)
        async with Router.from_dict(local.config(), env=local.env) as router:
            samples: list[float] = []
            probe = asyncio.ensure_future(_probe(samples))
            await asyncio.sleep(0.05)
            for model, stream in (("glm", False), ("claude", True)):
                samples.clear()
                started = time.perf_counter()
                if stream:
                    answer = await router.acompletion(model=model, messages=user(), stream=True)
                    async for _ in answer:
                        pass
                else:
                    await router.acompletion(model=model, messages=user())
                kind = "stream" if stream else "json"
                out[f"{kind}_ms"] = 1000 * (time.perf_counter() - started)
                out[f"{kind}_max_loop_lag_ms"] = 1000 * max(samples or [0.0])
            probe.cancel()
    return out


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(asyncio.run(measure(sys.argv[1]))))
        return
    print(
        f"{'adapter':8}  {'first json':>10}  {'loop lag':>8}  {'first stream':>12}  {'loop lag':>8}"
    )
    for adapter in ("native", "litellm"):
        raw = subprocess.run(
            [sys.executable, __file__, adapter], capture_output=True, text=True, check=True
        )
        r = json.loads(raw.stdout.strip().splitlines()[-1])
        print(
            f"{adapter:8}  {r['json_ms']:8.0f}ms  {r['json_max_loop_lag_ms']:6.0f}ms"
            f"  {r['stream_ms']:10.0f}ms  {r['stream_max_loop_lag_ms']:6.0f}ms"
        )


if __name__ == "__main__":
    main()
