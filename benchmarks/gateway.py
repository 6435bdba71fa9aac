"""`llmrouter serve` beside LiteLLM's proxy and beside a floor (a minimal aiohttp pass-through
proxy), all in front of the same stand-in backend (`gateway_peers.py backend`), one process
each, on this machine.

Per target and mode (JSON, streamed), measured by this script as the client:
- added latency: p50 / p99 of sequential requests, minus calling the backend directly;
- requests per second at concurrency 100 and 500;
- the proxy's CPU per request (user + system time of its process tree over the loaded runs,
  from /proc) and its RSS after them.

    python benchmarks/gateway.py            # ~6 minutes; figures in results/gateway.json
    python benchmarks/gateway.py --quick    # ~2 minutes, fewer requests
    python benchmarks/gateway.py --no-litellm

LiteLLM's proxy runs from its own venv (benchmarks/.litellm-proxy-venv, made on first use:
`pip install 'litellm[proxy]'`) with its documented production settings: one worker, no
database, spend and error logs off, `set_verbose: false`, `LITELLM_LOG=ERROR`, the bundled
cost map (`LITELLM_LOCAL_MODEL_COST_MAP=True`), its master key as the only key (it refuses
to start without one). llmrouter serve checks one inbound key and runs with
`--no-access-log`; the floor authenticates nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import yaml

HERE = Path(__file__).resolve().parent
LITELLM_VENV = HERE / ".litellm-proxy-venv"
TICKS = os.sysconf("SC_CLK_TCK")
CHAT = {"model": "bench", "messages": [{"role": "user", "content": "Say hello to the bench."}]}
KEY = "sk-bench-gateway-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(stat[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def cpu_s(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_mb(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@contextmanager
def process(
    command: list[str], env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _wait_ready(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(url, json=CHAT, headers=AUTH) as resp:
                    if resp.status == 200:
                        await resp.read()
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 in {timeout} s")


@dataclass
class Load:
    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def load(url: str, body: bytes, count: int, concurrency: int) -> Load:
    latencies: list[float] = []
    errors = 0
    remaining = count
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    headers = {"Content-Type": "application/json", **AUTH}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as resp:
                        await resp.read()
                        if resp.status != 200:
                            errors += 1
                            continue
                except aiohttp.ClientError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return Load(latencies, errors, time.perf_counter() - began)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def measure(
    url: str, pid: int | None, counts: dict[str, int], stream: bool
) -> dict[str, float]:
    body = json.dumps({**CHAT, "stream": stream}).encode()
    await load(url, body, counts["warmup"], 10)
    sequential = await load(url, body, counts["sequential"], 1)
    out = {"p50_ms": _pct(sequential.latencies, 0.5), "p99_ms": _pct(sequential.latencies, 0.99)}
    for concurrency in (100, 500):
        before = cpu_s(pid) if pid else 0.0
        result = await load(url, body, counts[f"c{concurrency}"], concurrency)
        used = (cpu_s(pid) - before) if pid else 0.0
        out[f"rps_c{concurrency}"] = result.rps
        out[f"errors_c{concurrency}"] = result.errors
        if pid and result.latencies:
            out[f"cpu_us_c{concurrency}"] = used / len(result.latencies) * 1e6
    if pid:
        out["rss_mb"] = rss_mb(pid)
    return out


def _llmrouter_config(backend: str, folder: Path) -> Path:
    config = {
        "providers": {"bench": {"api_base": backend + "/v1", "api_key": "${BENCH_KEY}"}},
        "models": {"bench-model": {"provider": "bench", "model": "openai/bench"}},
        "routes": {"bench": {"models": ["bench-model"], "retries": 0}},
        "circuit_breaker": {"enabled": False},
        "gateway": {"keys": [{"key": "${BENCH_GATEWAY_KEY}", "tenant": "bench"}]},
    }
    path = folder / "llmrouter.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _litellm_config(backend: str, folder: Path) -> Path:
    config = {
        "model_list": [
            {
                "model_name": "bench",
                "litellm_params": {
                    "model": "openai/bench",
                    "api_base": backend + "/v1",
                    "api_key": "sk-bench",
                },
            }
        ],
        "litellm_settings": {"set_verbose": False, "drop_params": True, "num_retries": 0},
        "general_settings": {"disable_spend_logs": True, "disable_error_logs": True},
    }
    path = folder / "litellm.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def ensure_litellm() -> Path:
    binary = LITELLM_VENV / "bin" / "litellm"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LITELLM_VENV)], check=True)
        subprocess.run(
            [
                str(LITELLM_VENV / "bin" / "pip"),
                "install",
                "--quiet",
                "litellm[proxy]>=1.80,<2,!=1.82.7,!=1.82.8",
            ],
            check=True,
        )
    return binary


def targets(
    backend: str, folder: Path, with_litellm: bool
) -> list[tuple[str, list[str], dict[str, str]]]:
    out: list[tuple[str, list[str], dict[str, str]]] = []
    port = free_port()
    out.append(
        (
            "floor (aiohttp pass-through)",
            [
                sys.executable,
                str(HERE / "gateway_peers.py"),
                "floor",
                "--port",
                str(port),
                "--upstream",
                backend,
            ],
            {"PORT": str(port)},
        )
    )
    port = free_port()
    serve = [
        sys.executable,
        "-m",
        "llmrouter.cli",
        "serve",
        str(_llmrouter_config(backend, folder)),
        "--port",
        str(port),
        "--no-access-log",
    ]
    env = {"PORT": str(port), "BENCH_KEY": "sk-bench", "BENCH_GATEWAY_KEY": KEY}
    out.append(("llmrouter serve", serve, env))
    if with_litellm:
        port = free_port()
        command = [
            str(ensure_litellm()),
            "--config",
            str(_litellm_config(backend, folder)),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--num_workers",
            "1",
        ]
        env = {
            "PORT": str(port),
            "LITELLM_MASTER_KEY": KEY,
            "LITELLM_LOG": "ERROR",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "LITELLM_MODE": "PRODUCTION",
        }
        out.append(("LiteLLM proxy", command, env))
    return out


async def run(args: argparse.Namespace) -> dict[str, dict[str, dict[str, float]]]:
    scale = 0.3 if args.quick else 1.0
    fast = {
        "warmup": 300,
        "sequential": int(1000 * scale),
        "c100": int(5000 * scale),
        "c500": int(8000 * scale),
    }
    slow = {
        "warmup": 100,
        "sequential": int(300 * scale),
        "c100": int(1000 * scale),
        "c500": int(1500 * scale),
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    folder = Path(tempfile.mkdtemp(prefix="llmrouter-bench-gw-"))
    backend_port = free_port()
    backend = f"http://127.0.0.1:{backend_port}"
    with process(
        [sys.executable, str(HERE / "gateway_peers.py"), "backend", "--port", str(backend_port)]
    ):
        await _wait_ready(backend + "/v1/chat/completions")
        results["direct (backend)"] = {
            mode: await measure(backend + "/v1/chat/completions", None, fast, mode == "stream")
            for mode in ("json", "stream")
        }
        for name, command, env in targets(backend, folder, not args.no_litellm):
            url = f"http://127.0.0.1:{env['PORT']}/v1/chat/completions"
            with process(command, env) as proc:
                await _wait_ready(url)
                counts = slow if name.startswith("LiteLLM") else fast
                results[name] = {
                    mode: await measure(url, proc.pid, counts, mode == "stream")
                    for mode in ("json", "stream")
                }
            print(f"measured {name}", file=sys.stderr)
    return results


def report(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| target | mode | added p50 ms | added p99 ms | req/s c100 | req/s c500 "
        "| CPU us/req c100 | CPU us/req c500 | RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    direct = results["direct (backend)"]
    nan = float("nan")
    for name, modes in results.items():
        for mode, row in modes.items():
            base = direct[mode]
            added50 = (
                row["p50_ms"] - base["p50_ms"] if name != "direct (backend)" else row["p50_ms"]
            )
            added99 = (
                row["p99_ms"] - base["p99_ms"] if name != "direct (backend)" else row["p99_ms"]
            )
            lines.append(
                f"| {name} | {mode} | {added50:.2f} | {added99:.2f} | {row['rps_c100']:.0f} | "
                f"{row['rps_c500']:.0f} | {row.get('cpu_us_c100', nan):.0f} | "
                f"{row.get('cpu_us_c500', nan):.0f} | {row.get('rss_mb', nan):.0f} |"
            )
    lines.append("(direct row: absolute p50/p99 of calling the backend, not an added figure)")
    lines += _ratios(results)
    return "\n".join(lines)


def _ratios(results: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    ours = results.get("llmrouter serve")
    if ours is None:
        return []
    out = []
    for peer in ("floor (aiohttp pass-through)", "LiteLLM proxy"):
        theirs = results.get(peer)
        if theirs is None:
            continue
        for mode in ("json", "stream"):
            cpu = statistics.mean(
                ours[mode][f"cpu_us_c{c}"] / theirs[mode][f"cpu_us_c{c}"] for c in (100, 500)
            )
            rps = statistics.mean(
                ours[mode][f"rps_c{c}"] / theirs[mode][f"rps_c{c}"] for c in (100, 500)
            )
            out.append(f"llmrouter vs {peer}, {mode}: CPU/request x{cpu:.2f}, req/s x{rps:.2f}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-litellm", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    text = report(results)
    print(text)
    out = HERE / "results" / "gateway.json"
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
