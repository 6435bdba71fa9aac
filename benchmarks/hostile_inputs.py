"""Hostile inputs: time, peak RSS and outcome of one request (or one config load) per case.

Each case runs in a fresh child process (so its peak RSS is its own) against the hostile
server of tests/hostile/, through `Router.acompletion` on the native adapter:

    .venv/bin/python benchmarks/hostile_inputs.py                 # this tree
    .venv/bin/python benchmarks/hostile_inputs.py --src OLD/src   # another tree, for "before"

The gzip bomb is the one of issue 12: ~1 MB on the wire, 1 GiB inflated. A child is stopped
after --timeout seconds (a case that hangs shows as `hung`) and may use at most 6 GiB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20


async def _request(handler: Any, *, stream: bool = False, timeout_s: float = 60) -> str:
    sys.path.insert(0, str(ROOT / "tests" / "hostile"))
    from hostile_server import HostileServer
    from hostile_support import Harness, LoopLag

    from llmrouter import LLMRouterError
    from llmrouter.testing import LocalProviderServer

    async with HostileServer(handler) as hostile, LocalProviderServer() as standin:
        harness = Harness(hostile, hostile, standin.add_provider("backup"), "native")
        async with harness.router(timeout_s=timeout_s, retries=0) as router, LoopLag() as lag:
            started = time.perf_counter()
            try:
                result = await router.acompletion(
                    model="chat", messages=harness.messages(), stream=stream
                )
                if stream:
                    async for _ in result:
                        pass
                route = result.route
                assert route is not None
                first = route.attempts[0]
                outcome = f"{first.error or 'ok'} -> {route.model}"
            except LLMRouterError as err:
                outcome = f"{type(err).__name__}: {str(err)[:70]}"
            except Exception as err:  # a raw exception: what the fixes are about
                outcome = f"RAW {type(err).__name__}"
            seconds = time.perf_counter() - started
    return f"{seconds:6.2f}s  {outcome} (loop blocked {lag.worst_s * 1000:.0f} ms at most)"


def _bomb() -> Awaitable[str]:
    import behaviours

    behaviours.prepare_bomb(1 << 30)
    return _request(behaviours.gzip_bomb(1 << 30))


def _braces() -> Awaitable[str]:
    import behaviours

    return _request(behaviours.braces(256 << 10), timeout_s=1)


def _html() -> Awaitable[str]:
    import behaviours

    rule = b"body{margin:0;padding:0}.x{color:red}\n"
    return _request(behaviours.status(500, rule * ((400 << 10) // len(rule))), timeout_s=1)


def _endless_event() -> Awaitable[str]:
    import behaviours

    handler = behaviours.endless(event_size=None, safety_bytes=256 * MIB)
    return _request(handler, stream=True, timeout_s=10)


def _nested() -> Awaitable[str]:
    import behaviours

    return _request(behaviours.nested_error(100_000))


def _retry_after() -> Awaitable[str]:
    import behaviours

    return _request(behaviours.retry_after("Wed, 21 Oct 2015 07:28:00 -0000"))


async def _alias_bomb() -> str:
    from llmrouter import ConfigError
    from llmrouter.config.loader import load_text

    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    try:
        load_text(text)
    except ConfigError as err:
        return f"ConfigError: {str(err)[26:90]} ({len(text)} bytes)"
    return "loaded"


CASES: dict[str, tuple[str, Callable[[], Awaitable[str]]]] = {
    "gzip_bomb": ("gzip bomb, 1 GiB inflated (JSON)", _bomb),
    "braces": ("error body: 256 KiB of '{', 1 s route", _braces),
    "html": ("error body: 400 KiB HTML page", _html),
    "endless_event": ("stream: one event that never ends", _endless_event),
    "nested": ("error body nested 100,000 deep", _nested),
    "retry_after": ("Retry-After date with -0000 zone", _retry_after),
    "alias_bomb": ("config: 9-level alias bomb", _alias_bomb),
}


def _child(name: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    sys.path.insert(0, str(ROOT / "tests" / "hostile"))
    started = time.perf_counter()
    try:
        outcome = asyncio.run(CASES[name][1]())
    except MemoryError:
        outcome = "MemoryError"
    seconds = time.perf_counter() - started
    if name != "alias_bomb" and "s  " in outcome:  # the request's own time, not start-up's
        seconds, outcome = float(outcome.split("s  ", 1)[0]), outcome.split("s  ", 1)[1]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "outcome": outcome}))


def _run(name: str, src: str | None, timeout: float) -> dict[str, Any]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, __file__, "--child", name]
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - started, "peak_mib": None, "outcome": "hung"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"seconds": time.perf_counter() - started, "peak_mib": None, "outcome": tail}
    return dict(json.loads(lines[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--src", help="the src/ directory of the llmrouter to measure")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    print(f"llmrouter from {args.src or 'this tree'}\n")
    print(f"{'case':40} {'time':>9} {'peak RSS':>10}  outcome")
    for name in args.cases:
        row = _run(name, args.src, args.timeout)
        peak = f"{row['peak_mib']:.0f} MiB" if row["peak_mib"] is not None else "-"
        print(f"{CASES[name][0]:40} {row['seconds']:8.2f}s {peak:>10}  {row['outcome']}")


if __name__ == "__main__":
    main()
