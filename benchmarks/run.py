"""Every benchmark of the native fast path, side by side, in one table.

    python benchmarks/run.py            # full run, ~4-5 minutes on 2 cores
    python benchmarks/run.py --quick    # ~1 minute, fewer requests, 1 round

For each client (raw aiohttp and httpx POSTs as floors, litellm.acompletion, litellm's Router,
the native adapter called directly, llmrouter's Router over the native adapters and over
litellm), non-streamed and streamed, OpenAI and Anthropic wire formats: p50/p99 latency of
sequential requests, client CPU per request, requests per second at concurrency 100, and
ratios to the aiohttp floor and to litellm's Router. Each client runs in its own process
against a fresh local provider (`python -m llmrouter.testing serve`) in another process,
restarted for every wire and mode.
Also: `import llmrouter` time, router-only overhead and RSS, and the codec micro-benchmarks.
Figures go to benchmarks/results/latest.json (`--out` to change).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PY = sys.executable

# (row label, client in clients.py, tier: how many requests it can afford)
CLIENTS: list[tuple[str, str, str]] = [
    ("raw aiohttp POST (floor)", "aiohttp", "fast"),
    ("raw httpx POST", "httpx", "medium"),
    ("litellm.acompletion", "litellm", "slow"),
    ("litellm Router", "litellm_router", "slow"),
    ("native adapter, direct", "native_adapter", "fast"),
    ("llmrouter Router (native)", "router_native", "fast"),
    ("llmrouter Router (litellm path)", "router_litellm", "slow"),
    # `Router.from_dict(config)` with no `provider=` override: what users get by default.
    ("llmrouter Router (default wiring)", "router_default", "fast"),
]

# (run, tier) -> (sequential requests, requests at concurrency 100, rounds, warm-up requests).
# litellm-based clients need ~5-20 ms of CPU per request, so they get fewer requests.
COUNTS = {
    ("full", "fast"): (300, 2000, 3, 30),
    ("full", "medium"): (300, 1000, 3, 30),
    ("full", "slow"): (60, 200, 3, 10),
    ("quick", "fast"): (100, 300, 1, 5),
    ("quick", "medium"): (50, 200, 1, 5),
    ("quick", "slow"): (20, 100, 1, 2),
}
WIRES = [("openai", "json"), ("openai", "stream"), ("anthropic", "json"), ("anthropic", "stream")]
ENV = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
ENV["LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS"] = "True"


def run_client(client: str, tier: str, mode: str) -> list[dict[str, Any]]:
    seq, conc, rounds, warmup = COUNTS[(mode, tier)]
    cmd = [PY, str(HERE / "clients.py"), client, "--seq", str(seq), "--conc", str(conc)]
    cmd += ["--rounds", str(rounds), "--warmup", str(warmup)]
    if mode == "quick":
        cmd.append("--shared-server")
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("[")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
        return [
            {"client": client, "wire": w, "mode": m, "error": " | ".join(tail)} for w, m in WIRES
        ]
    results: list[dict[str, Any]] = json.loads(lines[-1])
    return results


def import_time_ms(runs: int) -> float:
    code = "import time; t = time.perf_counter(); import llmrouter; print(time.perf_counter() - t)"
    times = [
        float(subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times) * 1e3


def run_json_script(name: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([PY, str(HERE / name), *args], capture_output=True, text=True, env=ENV)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def add_ratios(rows: list[dict[str, Any]]) -> None:
    def find(client: str, wire: str, mode: str) -> dict[str, Any] | None:
        for row in rows:
            if (row["client"], row["wire"], row["mode"]) == (client, wire, mode):
                return row if "error" not in row else None
        return None

    for row in rows:
        if "error" in row:
            continue
        floor = find("aiohttp", row["wire"], row["mode"])
        lrouter = find("litellm_router", row["wire"], row["mode"])
        if floor:
            row["cpu_x_floor"] = row["cpu_us"] / floor["cpu_us"]
            row["p50_x_floor"] = row["p50_ms"] / floor["p50_ms"]
        if lrouter:
            row["cpu_x_litellm_router"] = row["cpu_us"] / lrouter["cpu_us"]
            row["rps_x_litellm_router"] = row["rps"] / lrouter["rps"]


def fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict[str, Any]], labels: dict[str, str]) -> str:
    head = ["client", "wire", "mode", "p50 ms", "p99 ms", "CPU us/req", "req/s @100"]
    head += ["CPU x floor", "CPU x lRouter", "req/s x lRouter"]
    body = []
    for row in rows:
        cells = [labels[row["client"]], row["wire"], row["mode"]]
        if "error" in row:
            body.append([*cells, "error", "-", "-", "-", "-", "-", "-"])
            continue
        cells += [fmt(row["p50_ms"], ".2f"), fmt(row["p99_ms"], ".2f"), fmt(row["cpu_us"], ".0f")]
        cells += [fmt(row["rps"], ".0f"), fmt(row.get("cpu_x_floor"), ".2f")]
        cells += [fmt(row.get("cpu_x_litellm_router"), ".3f")]
        cells += [fmt(row.get("rps_x_litellm_router"), ".1f")]
        body.append(cells)
    widths = [max(len(str(r[i])) for r in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(
            h.ljust(w) if i < 3 else h.rjust(w)
            for i, (h, w) in enumerate(zip(head, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for cells in body:
        lines.append(
            "  ".join(
                c.ljust(w) if i < 3 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    return "\n".join(lines)


def targets(rows: list[dict[str, Any]], extra: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for the issue's targets, judged on the Router over the native
    adapters (what a user gets), with the adapter alone alongside for reference."""
    out: list[tuple[str, str, bool]] = []
    native = [r for r in rows if r["client"] == "router_native" and "error" not in r]
    for mode in ("json", "stream"):
        subset = [r for r in native if r["mode"] == mode and "cpu_x_litellm_router" in r]
        if subset:
            worst = max(r["cpu_x_litellm_router"] for r in subset)
            out.append(
                (
                    f"native {mode} client CPU <= 0.1x litellm Router",
                    f"{worst:.3f}x (worst wire)",
                    worst <= 0.1,
                )
            )
    subset = [r for r in native if "rps_x_litellm_router" in r]
    if subset:
        worst = min(r["rps_x_litellm_router"] for r in subset)
        out.append(
            ("native req/s @100 >= 5x litellm Router", f"{worst:.1f}x (worst case)", worst >= 5)
        )
    router_only = extra.get("router_only", {})
    if "router_only_us" in router_only:
        us = router_only["router_only_us"]
        out.append(("router-only overhead <= 100 us/request", f"{us:.0f} us", us <= 100))
        growth = router_only["rss_growth_mb"]
        n1, n2 = router_only["first"] // 1000, router_only["total"] // 1000
        out.append((f"RSS growth {n1}k -> {n2}k requests < 20 MB", f"{growth:.1f} MB", growth < 20))
    if "import_ms" in extra:
        ms = extra["import_ms"]
        out.append(
            ("import llmrouter <= 150 ms", f"{ms:.0f} ms (median of fresh processes)", ms <= 150)
        )
    return out


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("aiohttp", "httpx", "litellm", "pydantic", "pydantic-core", "orjson"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~1 minute: fewer requests, 1 round")
    parser.add_argument("--clients", help="comma-separated subset of clients.py names")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    clients = list(CLIENTS)
    if args.clients:
        wanted = set(args.clients.split(","))
        clients = [c for c in clients if c[1] in wanted]
    labels = {client: label for label, client, _ in clients}
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for label, client, tier in clients:
        print(f"... {label}", file=sys.stderr, flush=True)
        rows.extend(run_client(client, tier, mode))
    add_ratios(rows)
    print("... import time, router-only overhead, micro-benchmarks", file=sys.stderr, flush=True)
    first, total = (10_000, 100_000) if mode == "full" else (10_000, 20_000)
    extra: dict[str, Any] = {
        "import_ms": import_time_ms(5 if mode == "full" else 3),
        "router_only": run_json_script(
            "router_only.py", "--first", str(first), "--total", str(total)
        ),
        "micro_us": run_json_script("micro.py"),
    }
    checks = targets(rows, extra)
    elapsed = time.perf_counter() - started

    print(table(rows, labels))
    for row in rows:
        if "error" in row:
            print(f"error: {labels[row['client']]} {row['wire']} {row['mode']}: {row['error']}")
    ro = extra["router_only"]
    print()
    print(f"import llmrouter: {extra['import_ms']:.0f} ms    ", end="")
    if "router_only_us" in ro:
        print(
            f"router-only: {ro['router_only_us']:.0f} us/request    RSS after "
            f"{ro['first'] // 1000}k: {ro['rss_first_mb']:.1f} MB, after {ro['total'] // 1000}k: "
            f"{ro['rss_total_mb']:.1f} MB"
        )
    else:
        print(f"router-only: {ro}")
    print("targets:")
    for name, measured, met in checks:
        print(f"  [{'met' if met else 'UNMET'}] {name}: {measured}")
    print(f"({mode} run, {elapsed:.0f} s; floor = raw aiohttp POST, lRouter = litellm Router)")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "counts": {
            **{
                f"{tier}_clients": dict(zip(("seq", "conc", "rounds", "warmup"), n, strict=True))
                for (run, tier), n in COUNTS.items()
                if run == mode
            },
            "concurrency": 100,
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "versions": versions(),
        "clients": rows,
        **extra,
        "targets": [{"target": n, "measured": m, "met": ok} for n, m, ok in checks],
        "elapsed_s": elapsed,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
