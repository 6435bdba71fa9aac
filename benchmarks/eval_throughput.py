"""`llmrouter eval` throughput: 1,000 cases x 2 routes against local stand-ins, with the live
progress bar on a real terminal (a pty), beside a bare `Router.acompletion` loop doing the
same 2,000 requests at the same concurrency (no grading, no results file, no store, no bar).

    python benchmarks/eval_throughput.py [--cases 1000] [--concurrency 16]

The stand-ins (a GLM-like and a Claude-like provider) run in their own process
(`python -m llmrouter.testing serve`). Target (issue: eval): under 30 s wall time, the command
as a user runs it (interpreter start, config, 2,000 graded results fsync'd one by one to
--out, the SQLite store, the table).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from localserve import serve

TARGET_S = 30.0
ROUTES = "glm-only,claude-only"


def _config(bases: dict[str, str], directory: Path) -> Path:
    config = {
        "providers": {
            "zhipu": {"api_base": bases["glm"], "api_key": "${K}"},
            "anthropic": {"api_base": bases["claude"], "api_key": "${K}"},
        },
        "models": {
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
        },
        "routes": {"glm-only": {"models": ["glm"]}, "claude-only": {"models": ["claude"]}},
        "experiments": {"store": "sqlite:///experiments.sqlite"},
    }
    path = directory / "llmrouter.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def _prompts(directory: Path, count: int) -> Path:
    path = directory / "prompts.jsonl"
    with path.open("w") as file:
        for i in range(count):
            question = f"Question {i}: what is the capital of France?"
            case = {
                "id": f"q{i}",
                "messages": [{"role": "user", "content": question}],
                "expected": f"Hello from glm. You said: {question}",
                "checks": [{"contains": "France"}, {"similarity": 0.8}, {"regex": r"\d+"}],
            }
            file.write(json.dumps(case) + "\n")
    return path


def _run_on_pty(argv: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
    """Run `argv` with a pseudo-terminal as its stdout and stderr (so the live bar draws);
    returns wall seconds, exit code and what it drew."""
    master, slave = pty.openpty()
    drawn = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    code = process.wait()
    elapsed = time.perf_counter() - started
    os.close(slave)
    reader.join(timeout=5)
    os.close(master)
    return elapsed, code, bytes(drawn)


_FLOOR = """
import asyncio, json, sys, time
from llmrouter import Router
async def main(config, count, concurrency):
    gate = asyncio.Semaphore(concurrency)
    async with Router.from_yaml(config) as router:
        async def one(route, i):
            async with gate:
                q = f"Question {i}: what is the capital of France?"
                await router.acompletion(route, [{"role": "user", "content": q}])
        started = time.perf_counter()
        routes = ("glm-only", "claude-only")
        await asyncio.gather(*(one(r, i) for i in range(count) for r in routes))
        print(time.perf_counter() - started)
asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    env = {**os.environ, "K": "sk-local-bench", "COLUMNS": "120", "TERM": "xterm-256color"}
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(["glm=openai:zhipu", "claude=anthropic"]) as bases,
    ):
        directory = Path(tmp)
        config, prompts = _config(bases, directory), _prompts(directory, args.cases)
        argv = [
            sys.executable,
            "-m",
            "llmrouter.cli",
            "eval",
            str(prompts),
            "--config",
            str(config),
            "--routes",
            ROUTES,
            "--out",
            str(directory / "results.jsonl"),
            "--concurrency",
            str(args.concurrency),
        ]
        elapsed, code, drawn = _run_on_pty(argv, env)
        if code != 0:
            print(drawn.decode(errors="replace")[-3000:])
            return 1
        results = sum(1 for _ in (directory / "results.jsonl").open()) - 1
        floor = subprocess.run(
            [sys.executable, "-c", _FLOOR, str(config), str(args.cases), str(args.concurrency)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        floor_s = float(floor.stdout.strip().splitlines()[-1])
    total = 2 * args.cases
    live = b"\x1b[" in drawn and b"eta" in drawn
    print(f"{args.cases} cases x 2 routes = {total} results, concurrency {args.concurrency}")
    print(f"{'':44} {'wall s':>8} {'results/s':>10}")
    print(f"{'llmrouter eval (CLI, live bar on a pty)':44} {elapsed:8.1f} {total / elapsed:10.0f}")
    print(
        f"{'Router.acompletion loop (floor, in-process)':44} {floor_s:8.1f} {total / floor_s:10.0f}"
    )
    print(f"results written: {results}; live progress bar drawn: {'yes' if live else 'NO'}")
    verdict = "met" if elapsed < TARGET_S and results == total and live else "NOT met"
    print(f"target: under {TARGET_S:.0f} s wall time: {verdict}")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
