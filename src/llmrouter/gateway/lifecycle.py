"""Running one gateway process: load the config, warm the router up, listen, and on SIGTERM
(or SIGINT) stop accepting, let requests and streams in flight finish for up to the drain
timeout, cancel what is left, and close the router."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from dataclasses import dataclass

from aiohttp import web

from llmrouter.config.loader import LoadedConfig, load_file
from llmrouter.gateway.app import LIFECYCLE_KEY, build_app
from llmrouter.gateway.metrics import GatewayMetrics
from llmrouter.gateway.settings import GatewaySettings
from llmrouter.router import Router

__all__ = ["ServeOptions", "load_settings", "serve_forever", "tune_gc"]


@dataclass(frozen=True)
class ServeOptions:
    """The `llmrouter serve` command line."""

    config: str
    host: str = "127.0.0.1"
    port: int = 4000
    workers: int = 1
    no_auth: bool = False
    drain_timeout_s: float | None = None
    access_log: bool = True
    reuse_port: bool = False


def load_settings(options: ServeOptions) -> tuple[LoadedConfig, GatewaySettings]:
    """The config and the gateway settings; raises `ConfigError`."""
    loaded = load_file(options.config)
    settings = GatewaySettings.from_config(
        loaded, os.environ, no_auth=options.no_auth, drain_timeout_s=options.drain_timeout_s
    )
    return loaded, settings


def configure_logging(access_log: bool) -> None:
    """Access lines (JSON) and llmrouter's warnings on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("llmrouter.gateway.access")
    access.handlers[:] = [handler]
    access.setLevel(logging.INFO if access_log else logging.WARNING)
    access.propagate = False
    root = logging.getLogger("llmrouter")
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
        root.setLevel(logging.WARNING)


GC_YOUNG_THRESHOLD = 50_000
"""Net allocations between two collections of the youngest generation (Python's default is
700)."""


def tune_gc() -> None:
    """What the warm process holds stays for its life: it is moved out of the collector's
    sight (`gc.freeze`), and the youngest generation is collected less often (a request's
    objects die by reference counting long before). With Python's defaults the collector took
    about a sixth of the gateway's CPU under load, scanning requests in flight again and
    again (docs/gateway.md, "Performance")."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


async def serve_forever(options: ServeOptions, worker: int = 0) -> None:
    """Serve until SIGTERM or SIGINT, then drain and return."""
    loaded, settings = load_settings(options)
    metrics = GatewayMetrics()
    router = Router(loaded, callbacks=[metrics.callbacks])
    app = build_app(router, settings, metrics)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=settings.drain_timeout_s,
        handler_cancellation=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not on Windows event loops
            loop.add_signal_handler(sig, stop.set)
    await runner.setup()
    try:
        await router.__aenter__()
        tune_gc()
        site = web.TCPSite(runner, options.host, options.port, reuse_port=options.reuse_port)
        await site.start()
        port = runner.addresses[0][1]
        app[LIFECYCLE_KEY].ready = True
        print(
            f"llmrouter serve: worker {worker} (pid {os.getpid()}) listening on "
            f"http://{options.host}:{port}",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()
        app[LIFECYCLE_KEY].draining = True
        _ignore_further_sigterm()
    finally:
        await runner.cleanup()  # stops listening, drains for up to shutdown_timeout
        await router.aclose()


def _ignore_further_sigterm() -> None:
    """A process manager may repeat SIGTERM while we drain; the drain is bounded by its
    timeout, so a repeat must not kill the process midway (or, once the event loop has
    closed and restored the default action, in its last cleanup). SIGKILL still works, and
    SIGINT stays a way to stop at once."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
