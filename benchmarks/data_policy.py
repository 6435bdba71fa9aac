"""Cost of the data policy on the request path: the class resolution and the check of every
candidate (data policy and blocks), and the audit record (built, serialised, appended to the
JSONL file). No I/O but the file append; no upstream call.

    python benchmarks/data_policy.py [--quick]

Beside them, for scale: the routing decision the request path already makes (`ordered`
strategy over the same route, from routing_decision.py's set-up), and the audit record
serialised with the stdlib `json.dumps` instead of pydantic-core.
Then the same through `Router.acompletion` over an in-process provider with a canned answer
(no I/O): the whole request's CPU without a `data_policy:`, with one (class resolution, the
eligibility screen, the per-leg check, the provider backstop), and with one and an audit file,
in interleaved rounds; the differences are what the policy and the record cost a request.
Targets (issue: data policy): < 10 µs per request for the check on a route of 3-5 models,
< 20 µs per request for the record.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from routing_decision import build as build_decision

from llmrouter import Router
from llmrouter.config.loader import load_dict
from llmrouter.datapolicy import AuditTrail, Exclusion, JsonlAuditFile, PolicyGate
from llmrouter.providers import FunctionProvider, make_completion
from llmrouter.providers.base import ProviderCall
from llmrouter.request import CompletionRequest
from llmrouter.types import ChatCompletion

SIZES = (3, 5)
MESSAGES = [{"role": "user", "content": "Summarise the termination clause. " * 8}]
REGIONS = ("eu", "us", "cn", "eu", "us")


def config(n: int) -> dict[str, Any]:
    providers = {
        f"p{i}": {"region": REGIONS[i], "vendor": f"v{i}", "zero_data_retention": i % 2 == 0}
        for i in range(n)
    }
    models = {f"m{i}": {"provider": f"p{i}", "model": f"openai/bench-{i}"} for i in range(n)}
    return {
        "providers": providers,
        "models": models,
        "routes": {"r": {"models": list(models), "data_class": "internal"}},
        "data_policy": {
            "default_class": "public",
            "classes": {
                "public": {},
                "internal": {"regions": ["eu", "us"]},
                "pii-eu": {"regions": ["eu"], "vendors": ["v0", "v3"], "zero_data_retention": True},
            },
        },
    }


def measure(call: Callable[[], object], rounds: int, per_round: int) -> tuple[float, float]:
    """(p50, p99) over `rounds` of the mean microseconds of CPU per call in a round (this
    process's CPU time: steadier than wall time on a machine other work shares)."""
    samples = []
    for _ in range(rounds):
        start = time.process_time_ns()
        for _ in range(per_round):
            call()
        samples.append((time.process_time_ns() - start) / per_round / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def check_per_request(gate: PolicyGate, models: list[str], metadata: dict[str, Any]) -> object:
    """What the stage does once per request: resolve the class, screen every candidate."""
    data_class = gate.resolve(metadata, "r")
    return gate.screen(data_class, models)


def record_per_request(gate: PolicyGate, sink: JsonlAuditFile | None) -> object:
    """One request's record: an exclusion, a failed first leg, a fallback that served."""
    trail = AuditTrail(gate.policy.facts, route="r", tenant="acme", data_class="internal")
    trail.exclude(Exclusion("m2", "p2", "policy", "region", "region: provider 'p2' is in cn"))
    trail.leg("first", "m0", "overloaded", status_code=529, latency_s=0.41)
    trail.leg("fallback", "m1", "ok", latency_s=0.82)
    record = trail.finish(served_model="m1", cost_usd=0.00042)
    if sink is None:
        return record.to_json()
    return sink.write(record)


def stdlib_record(gate: PolicyGate) -> object:
    trail = AuditTrail(gate.policy.facts, route="r", tenant="acme", data_class="internal")
    trail.exclude(Exclusion("m2", "p2", "policy", "region", "region: provider 'p2' is in cn"))
    trail.leg("first", "m0", "overloaded", status_code=529, latency_s=0.41)
    trail.leg("fallback", "m1", "ok", latency_s=0.82)
    record = trail.finish(served_model="m1", cost_usd=0.00042)
    return json.dumps(record.to_dict(), separators=(",", ":"))


def gate_of(n: int, blocks: str = "") -> PolicyGate:
    """The gate of an `n`-model route; `blocks`: "" none, "miss" three that match no model,
    "hit" three of which one matches."""
    gate = PolicyGate.from_config(load_dict(config(n)))
    if blocks:
        asyncio.run(gate.block(vendor="nobody", reason="bench"))
        asyncio.run(gate.block(region="mars", reason="bench"))
        asyncio.run(gate.block(model="m1" if blocks == "hit" else "absent", reason="bench"))
    return gate


def checker(n: int, metadata: dict[str, Any], blocks: str = "") -> Callable[[], object]:
    gate, names = gate_of(n, blocks), [f"m{i}" for i in range(n)]
    return lambda: check_per_request(gate, names, metadata)


def recorder(n: int, sink: JsonlAuditFile | None) -> Callable[[], object]:
    gate = gate_of(n)
    return lambda: record_per_request(gate, sink)


def stdlib_recorder(n: int) -> Callable[[], object]:
    gate = gate_of(n)
    return lambda: stdlib_record(gate)


def decision(n: int) -> Callable[[], object]:
    """The request path's eligibility and planning stages (no policy) on an n-model route,
    driven to completion synchronously (they never suspend without budgets)."""
    decide = build_decision(n, "ordered")
    request = CompletionRequest.build("r", MESSAGES, params={})

    def once() -> object:
        coro = decide(request)
        try:
            coro.send(None)
        except StopIteration as done:
            return done.value
        raise RuntimeError("the decision suspended")

    return once


def routed_config(policy: bool, audit_log: Path | None) -> dict[str, Any]:
    """The 3-model route through a Router; without `policy`, no `data_policy:` at all."""
    base = config(3)
    for provider in base["providers"].values():
        provider.update(api_base="http://127.0.0.1:9", api_key="${BENCH_KEY}")
    if not policy:
        del base["data_policy"], base["routes"]["r"]["data_class"]
        for provider in base["providers"].values():
            provider.pop("region"), provider.pop("zero_data_retention")
    elif audit_log is not None:
        base["data_policy"]["audit_log"] = str(audit_log)
    return base


async def through_router(rounds: int, per_round: int, tmp: Path) -> list[tuple[str, float]]:
    """Median over interleaved rounds of the CPU µs per `acompletion`, for each set-up."""
    canned = make_completion("Hello.", model="bench-0")

    async def complete(call: ProviderCall) -> ChatCompletion:
        return canned.model_copy()

    setups = {
        "no data_policy": routed_config(False, None),
        "data_policy": routed_config(True, None),
        "data_policy + audit file": routed_config(True, tmp / "router-audit.jsonl"),
    }
    routers = {
        label: Router.from_dict(
            cfg, env={"BENCH_KEY": "sk-bench"}, provider=FunctionProvider(complete=complete)
        )
        for label, cfg in setups.items()
    }
    samples: dict[str, list[float]] = {label: [] for label in routers}
    for round_ in range(rounds + 2):  # two rounds to warm up, not counted
        for label, router in routers.items():
            start = time.process_time_ns()
            for _ in range(per_round):
                await router.acompletion("r", MESSAGES, max_tokens=64)
            await asyncio.sleep(0)
            if round_ >= 2:
                samples[label].append((time.process_time_ns() - start) / per_round / 1000)
    for router in routers.values():
        await router.aclose()
    return [(label, statistics.median(values)) for label, values in samples.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds, per_round = (20, 500) if args.quick else (100, 2000)
    rows: list[tuple[str, list[tuple[float, float]]]] = []

    def row(label: str, make: Callable[[int], Callable[[], object]]) -> None:
        rows.append((label, [measure(make(n), rounds, per_round) for n in SIZES]))

    row("check: route class", lambda n: checker(n, {}))
    row("check: class in metadata", lambda n: checker(n, {"data_class": "pii-eu"}))
    row("check: 3 blocks, none match", lambda n: checker(n, {}, "miss"))
    row("check: 3 blocks, one matches", lambda n: checker(n, {}, "hit"))
    row("(scale) ordered routing decision", decision)
    row("record: build + JSON", lambda n: recorder(n, None))
    with tempfile.TemporaryDirectory() as tmp:
        sink = JsonlAuditFile(Path(tmp) / "audit.jsonl")
        row("record: build + JSON + append", lambda n: recorder(n, sink))
        sink.close()
    row("(peer) record with json.dumps", stdlib_recorder)

    print(f"Data policy per request (µs of CPU; p50 / p99 of {rounds} rounds x {per_round} calls)")
    print(f"{'':<36}{'3 models':>18}{'5 models':>18}")
    print("-" * 72)
    for label, cells in rows:
        text = "".join(f"{p50:>10.2f} / {p99:>5.2f}" for p50, p99 in cells)
        print(f"{label:<36}{text}")
    with tempfile.TemporaryDirectory() as tmp:
        routed = asyncio.run(through_router(max(rounds // 5, 5), per_round // 2, Path(tmp)))
    print()
    print("Through Router.acompletion, 3-model route, canned in-process answer (µs of CPU per")
    print("request, median of interleaved rounds)")
    base = routed[0][1]
    for label, value in routed:
        extra = "" if label == routed[0][0] else f"   {value - base:+.1f} µs"
        print(f"{label:<36}{value:>10.1f}{extra}")
    checks = [c[0] for label, cells in rows if label.startswith("check") for c in cells]
    records = [c[0] for label, cells in rows if label.startswith("record") for c in cells]
    for what, worst, target in (("check", max(checks), 10), ("record", max(records), 20)):
        verdict = "meets" if worst < target else "MISSES"
        print(f"slowest {what}: {worst:.2f} µs p50, which {verdict} the {target} µs target")


if __name__ == "__main__":
    main()
