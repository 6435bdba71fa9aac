"""`llmrouter serve CONFIG`: the Router behind HTTP (Chat Completions, Responses, Messages)."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmrouter.gateway.lifecycle import ServeOptions

NAME = "serve"
HELP = "serve the routes over HTTP: OpenAI Chat Completions, Responses and Anthropic Messages"
DESCRIPTION = (
    "Run the gateway (docs/gateway.md). Inbound keys come from `gateway.keys`; without keys "
    "the server refuses to start unless --no-auth and a loopback --host. Exit codes: 0 after "
    "a graceful shutdown, 2 for a broken config or refused options."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="path to llmrouter.yaml")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4000, help="port (default 4000; 0: any)")
    parser.add_argument(
        "--workers", type=int, default=1, help="processes sharing the port (SO_REUSEPORT)"
    )
    parser.add_argument(
        "--no-auth", action="store_true", help="accept requests without a key (loopback only)"
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="on SIGTERM, how long requests in flight may finish (default gateway.drain_timeout_s)",
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="no JSON access line per request"
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        print(
            "llmrouter serve: the gateway needs its extra: pip install 'llmrouter[gateway]'",
            file=sys.stderr,
        )
        return 2
    from llmrouter.errors import ConfigError
    from llmrouter.gateway.lifecycle import ServeOptions, load_settings
    from llmrouter.gateway.workers import run_worker, run_workers

    options = ServeOptions(
        config=args.config,
        host=args.host,
        port=args.port,
        workers=args.workers,
        no_auth=args.no_auth,
        drain_timeout_s=args.drain_timeout,
        access_log=not args.no_access_log,
    )
    problem = _refusal(options)
    if problem is None:
        try:
            _, settings = load_settings(options)
        except ConfigError as exc:
            problem = str(exc)
        else:
            if settings.keys is not None and len(settings.keys) == 0:
                problem = (
                    "no inbound keys: add `gateway.keys` to the config, or run with --no-auth "
                    "on a loopback --host (127.0.0.1)"
                )
    if problem is not None:
        print(f"llmrouter serve: {problem}", file=sys.stderr)
        return 2
    if options.workers == 1:
        run_worker(options)
        return 0
    return run_workers(options)


def _refusal(options: ServeOptions) -> str | None:
    if options.no_auth and not is_loopback(options.host):
        return f"--no-auth is only allowed on a loopback --host, not {options.host!r}"
    if options.workers < 1:
        return "--workers must be at least 1"
    return None
