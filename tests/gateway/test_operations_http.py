"""Operations: health, readiness, metrics, count_tokens, the body limit, a disconnect that
cancels the upstream call, SIGTERM draining a stream in flight, several workers on one port."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import pytest
from gateway_support import GATEWAY_KEY, Gateway, StandIns, gateway_config

AUTH = {"x-api-key": GATEWAY_KEY}


def test_health_ready_and_root_need_no_key(gateway: Gateway) -> None:
    assert httpx.get(gateway.url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(gateway.url + "/readyz").json() == {"status": "ready"}
    assert httpx.head(gateway.url + "/").status_code == 200  # Claude Code's first request


def test_metrics_in_prometheus_text(gateway: Gateway, stand_ins: StandIns) -> None:
    from llmrouter.testing import Fault

    stand_ins.claude.fail_always(Fault.overloaded())
    body = {"model": "coding", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
    assert httpx.post(gateway.url + "/v1/messages", json=body, headers=AUTH).status_code == 200
    text = httpx.get(gateway.url + "/metrics").text
    assert (
        'llmrouter_fallbacks_total{error="overloaded",from_model="claude",route="coding",to_model="glm"}'
        in text
    )
    assert 'llmrouter_requests_total{model="glm",outcome="ok",route="coding"}' in text
    assert 'llmrouter_tokens_total{kind="prompt",model="glm"}' in text
    assert 'llmrouter_cost_usd_total{model="glm",route="coding"}' in text
    assert 'llmrouter_circuit_state{model="claude"}' in text
    assert 'llmrouter_gateway_requests_total{format="messages",status="200"}' in text


def test_count_tokens_is_an_estimate(gateway: Gateway) -> None:
    body = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "x" * 400}]}
    resp = httpx.post(gateway.url + "/v1/messages/count_tokens", json=body, headers=AUTH)
    assert resp.status_code == 200
    assert resp.headers["x-llmrouter-estimate"] == "chars/4"
    assert resp.json() == {"input_tokens": 104}  # 400 / 4 + 4 per message


def test_a_body_over_the_limit_is_a_413(stand_ins: StandIns) -> None:
    config = gateway_config(stand_ins)
    config["gateway"]["max_body_mb"] = 0.01
    gateway = Gateway(config).wait_ready()
    try:
        body = {
            "model": "chat",
            "max_tokens": 5,
            "messages": [{"role": "user", "content": "x" * 20000}],
        }
        resp = httpx.post(gateway.url + "/v1/messages", json=body, headers=AUTH)
        assert resp.status_code == 413
        assert resp.json()["error"]["type"] == "request_too_large"
    finally:
        gateway.stop()


@pytest.mark.parametrize("stream", [False, True])
def test_a_disconnect_cancels_the_upstream_call_within_100ms(
    gateway: Gateway, stand_ins: StandIns, stream: bool
) -> None:
    stand_ins.glm.set_latency(10.0)
    body = (
        '{"model": "glm-only", "stream": %s, "messages": [{"role": "user", "content": "hi"}]}'
        % ("true" if stream else "false")
    ).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-api-key: {GATEWAY_KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    sock = socket.create_connection(("127.0.0.1", gateway.port))
    sock.sendall(request)
    _wait_for(lambda: stand_ins.glm.requests)
    time.sleep(0.2)  # the upstream call is in flight
    closed_at = time.monotonic()
    sock.close()
    record = stand_ins.glm.requests[-1]
    _wait_for(lambda: record.finished_at is not None, timeout=2.0)
    assert record.disconnected
    assert record.finished_at is not None and record.finished_at - closed_at < 0.1


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def _refused(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.TransportError:
        return True
    return False


def test_sigterm_drains_a_stream_in_flight(stand_ins: StandIns) -> None:
    gateway = Gateway(gateway_config(stand_ins), "--drain-timeout", "20").wait_ready()
    stand_ins.glm.set_latency(3.0)
    result: dict[str, Any] = {}

    def read() -> None:
        body = {
            "model": "glm-only",
            "stream": True,
            "messages": [{"role": "user", "content": "drain me"}],
        }
        try:
            with httpx.stream(
                "POST", gateway.url + "/v1/chat/completions", json=body, headers=AUTH, timeout=30
            ) as resp:
                result["status"] = resp.status_code
                result["text"] = resp.read().decode()
        except httpx.HTTPError as exc:
            result["error"] = repr(exc)

    def arrived() -> bool:
        return any("drain me" in str(r.body) for r in stand_ins.glm.requests)

    reader = threading.Thread(target=read)
    reader.start()
    _wait_for(arrived)
    gateway.terminate()
    _wait_for(lambda: _refused(gateway.url + "/healthz"), timeout=5.0)  # no longer accepting
    assert reader.is_alive()  # while the stream is still in flight
    gateway.terminate()  # a process manager repeating itself must not cut the drain short
    reader.join(timeout=30)
    while gateway.process.poll() is None:  # nor kill the process in its last cleanup
        gateway.terminate()
        time.sleep(0.005)
    code = gateway.stop()
    assert result.get("status") == 200, (result, gateway.log()[-2000:])
    assert result["text"].endswith("data: [DONE]\n\n") and "drain" in result["text"]
    assert code == 0


def test_workers_share_one_port(stand_ins: StandIns) -> None:
    gateway = Gateway(gateway_config(stand_ins), "--workers", "2").wait_ready()
    try:
        _wait_for(lambda: gateway.log().count("listening on") == 2, timeout=60)
        pids = {
            line.split("(pid ")[1].split(")")[0]
            for line in gateway.log().splitlines()
            if "listening on" in line
        }
        assert len(pids) == 2
        body = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}
        for _ in range(10):
            with httpx.Client() as client:  # a new connection each time
                assert (
                    client.post(
                        gateway.url + "/v1/chat/completions", json=body, headers=AUTH
                    ).status_code
                    == 200
                )
    finally:
        assert gateway.stop() == 0
