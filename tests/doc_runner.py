"""Run the python blocks of one docs page against local stand-in providers (see
tests/doc_blocks.py). Usage: python doc_runner.py PAGE, in a working directory holding the
example config (and the page's blocks marked `save=FILE`, written there first); prints one
JSON line per failed block and exits 1 if any failed."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_blocks import ROOT, Block, blocks
from llmrouter.testing import LocalProvider, LocalProviderServer

FIXTURES = {"router", "messages", "glm", "claude"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def guard_network() -> None:
    """No connection leaves the machine: resolving any other host fails at once."""
    original = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in _LOOPBACK and not name.startswith("127."):
            raise OSError(f"docs blocks may not reach the network ({name})")
        return original(host, *args, **kwargs)

    socket.getaddrinfo = loopback_only  # type: ignore[assignment]


class StandIns:
    """A local GLM-like, Claude-like and OpenAI-like provider on a loop in its own thread, so
    blocks can call asyncio.run themselves."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = LocalProviderServer()
        self.glm: LocalProvider = self.server.add_provider("glm", wire="openai", flavor="zhipu")
        self.claude: LocalProvider = self.server.add_provider("claude", wire="anthropic")
        self.gpt: LocalProvider = self.server.add_provider("gpt", wire="openai")
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(30)

    def env(self) -> dict[str, str]:
        return {
            "ZHIPU_API_BASE": self.glm.api_base,
            "ZHIPU_API_KEY": "docs-key-zhipu",
            "ANTHROPIC_API_BASE": self.claude.api_base,
            "ANTHROPIC_API_KEY": "docs-key-anthropic",
            "OPENAI_API_BASE": self.gpt.api_base,
            "OPENAI_API_KEY": "docs-key-openai",
            "OPENAI_EU_API_BASE": self.gpt.api_base,
            "OPENAI_EU_API_KEY": "docs-key-openai-eu",
        }

    def reset(self) -> None:
        for provider in (self.glm, self.claude, self.gpt):
            provider.clear_faults()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)


def fixture_functions(namespace: dict[str, Any], filename: str) -> list[Callable[..., Any]]:
    """The block's own top-level `async def`s whose parameters are all stand-in names."""
    out = []
    for value in namespace.values():
        code = getattr(value, "__code__", None)
        if not inspect.iscoroutinefunction(value) or code is None or code.co_filename != filename:
            continue
        params = set(inspect.signature(value).parameters)
        if params and params <= FIXTURES:
            out.append(value)
    return out


async def call_with_fixtures(function: Callable[..., Any], stand_ins: StandIns) -> None:
    from llmrouter import Router

    params = set(inspect.signature(function).parameters)
    async with Router.from_yaml("llmrouter.yaml") as router:
        values = {
            "router": router,
            "messages": [{"role": "user", "content": "Summarise this contract."}],
            "glm": stand_ins.glm,
            "claude": stand_ins.claude,
        }
        await function(**{name: values[name] for name in params})


def run_block(block: Block, stand_ins: StandIns) -> None:
    filename = f"<{block.where}>"
    code = compile(block.code, filename, "exec")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(code, namespace)
    for function in fixture_functions(namespace, filename):
        stand_ins.reset()
        asyncio.run(call_with_fixtures(function, stand_ins))


def main() -> int:
    page = ROOT / sys.argv[1]
    guard_network()
    stand_ins = StandIns()
    os.environ.update(stand_ins.env())
    failed = 0
    for block in blocks(page):
        if "save=" in block.args:
            Path(block.args.split("save=")[1].split()[0]).write_text(block.code)
    try:
        for block in blocks(page):
            if block.lang != "python" or block.mode == "compile":
                continue
            stand_ins.reset()
            try:
                run_block(block, stand_ins)
            except BaseException:  # a block that exits or raises is a failed block
                failed += 1
                print(
                    "DOCFAIL " + json.dumps({"where": block.where, "error": traceback.format_exc()})
                )
    finally:
        stand_ins.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
