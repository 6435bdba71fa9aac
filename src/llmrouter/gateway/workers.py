"""`--workers N`: N gateway processes listening on one port (SO_REUSEPORT: the kernel spreads
connections across them). The parent only starts them, passes SIGTERM / SIGINT on, and waits;
each worker drains on its own. Linux and macOS only."""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import socket
from dataclasses import replace
from types import FrameType

from llmrouter.gateway.lifecycle import ServeOptions, configure_logging, serve_forever

__all__ = ["run_worker", "run_workers"]


def run_worker(options: ServeOptions, worker: int = 0) -> None:
    """One gateway process, in the foreground."""
    configure_logging(options.access_log)
    asyncio.run(serve_forever(options, worker))


def _reserve_port(host: str, port: int) -> tuple[socket.socket, int]:
    """A socket bound (not listening) with SO_REUSEPORT: it fixes the port for every worker."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock, int(sock.getsockname()[1])


def run_workers(options: ServeOptions) -> int:
    """Start `options.workers` processes and wait for all of them; the worst exit code."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise OSError("--workers > 1 needs SO_REUSEPORT (Linux, macOS)")
    reserved, port = _reserve_port(options.host, options.port)
    shared = replace(options, port=port, reuse_port=True)
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=run_worker, args=(shared, i), name=f"llmrouter-worker-{i}")
        for i in range(options.workers)
    ]

    def forward(signum: int, frame: FrameType | None) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker drains

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        reserved.close()
    return max((p.exitcode or 0) for p in processes)
