"""`llmrouter serve` exposes each route's shadow and canary on `/metrics`, as
`router.experiments()` has them."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from gateway_support import GATEWAY_KEY, Gateway, StandIns, gateway_config

AUTH = {"x-api-key": GATEWAY_KEY}


def metric(text: str, name: str, **labels: str) -> float | None:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    found = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


def test_shadow_and_canary_figures_on_metrics(stand_ins: StandIns, tmp_path: Path) -> None:
    config = gateway_config(stand_ins)
    config["routes"]["qualified"] = {
        "models": ["claude"],
        "shadow": {"models": ["glm"], "sample": 1.0},
        "canary": {"model": "gpt", "percent": 50, "sticky_by": "none", "min_samples": 1000},
    }
    config["experiments"] = {"store": f"sqlite:///{tmp_path / 'experiments.sqlite'}"}
    gateway = Gateway(config).wait_ready()
    try:
        body = {"model": "qualified", "messages": [{"role": "user", "content": "hi"}]}
        for _ in range(6):
            resp = httpx.post(gateway.url + "/v1/chat/completions", json=body, headers=AUTH)
            assert resp.status_code == 200
        deadline = time.monotonic() + 10
        while True:
            text = httpx.get(gateway.url + "/metrics").text
            compared = metric(text, "llmrouter_shadow_total", route="qualified", outcome="compared")
            if compared == 6.0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        gateway.stop()
    assert compared == 6.0
    assert metric(text, "llmrouter_shadow_total", route="qualified", outcome="sampled") == 6.0
    assert metric(text, "llmrouter_shadow_in_flight", route="qualified") == 0.0
    assert metric(text, "llmrouter_shadow_agreement", route="qualified", model="glm") is not None
    assert metric(text, "llmrouter_canary_active", route="qualified", model="gpt") == 1.0
    canary = metric(text, "llmrouter_canary_samples", route="qualified", side="canary") or 0.0
    control = metric(text, "llmrouter_canary_samples", route="qualified", side="control") or 0.0
    assert canary + control == 6.0
    assert canary == stand_ins.gpt.request_count
