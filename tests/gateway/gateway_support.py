"""`llmrouter serve` in a subprocess over loopback, with local stand-in providers behind it
running in a thread of the test process (so tests script faults and read what arrived)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import yaml

from llmrouter.testing import LocalProvider, LocalProviderServer

T = TypeVar("T")

GATEWAY_KEY = "gw-key-full-3c1f9a7e0b"
LIMITED_KEY = "gw-key-limited-8d2e4b6a1c"
PROVIDER_KEY = "sk-upstream-provider-5e7d9c1b3a"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StandIns:
    """A `LocalProviderServer` on its own event loop thread: glm (Zhipu flavour of the OpenAI
    wire), claude (Anthropic wire), gpt (OpenAI)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = LocalProviderServer()
        self.run(self.server.start())
        self.glm: LocalProvider = self.server.add_provider("glm", wire="openai", flavor="zhipu")
        self.claude: LocalProvider = self.server.add_provider("claude", wire="anthropic")
        self.gpt: LocalProvider = self.server.add_provider("gpt", wire="openai")

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def reset(self) -> None:
        for provider in self.server.providers.values():
            provider.reset()
            provider.set_latency(0.0)
            provider.set_reply(None)
            provider.set_tool_call(None)

    def close(self) -> None:
        self.run(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()

    def providers_config(self) -> dict[str, Any]:
        return {
            "zhipu": {"api_base": self.glm.api_base, "api_key": "${UPSTREAM_KEY}"},
            "anthropic": {"api_base": self.claude.api_base, "api_key": "${UPSTREAM_KEY}"},
            "openai": {"api_base": self.gpt.api_base, "api_key": "${UPSTREAM_KEY}"},
        }


def gateway_config(stand_ins: StandIns, **extra: Any) -> dict[str, Any]:
    """Routes over every wire; a full key and a limited one; Claude Code's names -> coding."""
    config: dict[str, Any] = {
        "providers": stand_ins.providers_config(),
        "models": {
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
            "gpt": {"provider": "openai", "model": "openai/gpt-4o-mini"},
        },
        "routes": {
            "chat": {"models": ["glm", "claude"], "timeout_s": 20},
            "coding": {"models": ["claude", "glm"], "timeout_s": 20},
            "glm-only": {"models": ["glm"], "timeout_s": 20, "retries": 0},
            "claude-only": {"models": ["claude"], "timeout_s": 20, "retries": 0},
            "gpt-only": {"models": ["gpt"], "timeout_s": 20, "retries": 0},
        },
        "circuit_breaker": {"enabled": False},
        "data_policy": {"default_class": "public", "classes": {"public": {}, "internal": {}}},
        "gateway": {
            "keys": [
                {"key": "${GW_KEY_FULL}", "tenant": "acme"},
                {
                    "key": "${GW_KEY_LIMITED}",
                    "tenant": "beta",
                    "routes": ["chat"],
                    "data_classes": ["internal", "public"],
                },
            ],
            "model_aliases": {"claude-*": "coding", "gpt-*": "gpt-only", "codex-*": "glm-only"},
        },
    }
    config.update(extra)
    return config


GATEWAY_ENV = {
    "GW_KEY_FULL": GATEWAY_KEY,
    "GW_KEY_LIMITED": LIMITED_KEY,
    "UPSTREAM_KEY": PROVIDER_KEY,
}


class Gateway:
    """One `llmrouter serve` subprocess."""

    def __init__(
        self,
        config: dict[str, Any],
        *args: str,
        env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="llmrouter-gw-"))
        self.config_path = self.dir / "llmrouter.yaml"
        self.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.dir / "stderr.log"
        self._log = self.log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "llmrouter.cli",
            "serve",
            str(self.config_path),
            "--port",
            str(self.port),
            *args,
        ]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **GATEWAY_ENV, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def wait_ready(self, timeout: float = 60.0) -> Gateway:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"llmrouter serve exited {self.process.returncode}: {self.log()}"
                )
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"llmrouter serve did not become ready: {self.log()}")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> int:
        self.terminate()
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=5)
        self._log.close()
        return code
