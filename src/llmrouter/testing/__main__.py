"""`python -m llmrouter.testing serve`: run local providers in the foreground (for benchmarks).

    python -m llmrouter.testing serve --port 0 --provider glm=openai:zhipu \
        --provider claude=anthropic --latency 0 --fail-rate glm=0.3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence
from typing import cast

from llmrouter.testing.faults import Fault
from llmrouter.testing.provider import Flavor, Wire
from llmrouter.testing.server import LocalProviderServer

__all__ = ["DEFAULT_PROVIDERS", "main", "parse_fail_rate", "parse_provider", "serve"]

DEFAULT_PROVIDERS = ("glm=openai:zhipu", "claude=anthropic", "gpt=openai")


def parse_provider(spec: str) -> tuple[str, Wire, Flavor | None]:
    """`"glm=openai:zhipu"` -> `("glm", "openai", "zhipu")`; the flavour is optional."""
    name, sep, rest = spec.partition("=")
    wire, _, flavor = rest.partition(":")
    if not sep or not name or wire not in ("openai", "anthropic"):
        raise argparse.ArgumentTypeError(
            f"bad provider {spec!r}: use NAME=WIRE[:FLAVOR], WIRE openai or anthropic"
        )
    if flavor and flavor not in ("openai", "zhipu", "anthropic"):
        raise argparse.ArgumentTypeError(f"bad flavor {flavor!r} in {spec!r}")
    return name, cast(Wire, wire), cast(Flavor, flavor) if flavor else None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m llmrouter.testing", description="Local LLM provider stand-ins."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve local providers until SIGINT/SIGTERM")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve_cmd.add_argument(
        "--provider",
        action="append",
        type=parse_provider,
        metavar="NAME=WIRE[:FLAVOR]",
        help=f"repeatable; default: {' '.join(DEFAULT_PROVIDERS)}",
    )
    serve_cmd.add_argument("--latency", type=float, default=0.0, help="seconds per response")
    serve_cmd.add_argument(
        "--fail-rate",
        action="append",
        type=parse_fail_rate,
        default=[],
        metavar="NAME=P",
        help="repeatable; NAME answers 503 with probability P (seeded, deterministic)",
    )
    return parser


def parse_fail_rate(spec: str) -> tuple[str, float]:
    """`"glm=0.3"` -> `("glm", 0.3)`."""
    name, sep, rate = spec.partition("=")
    try:
        value = float(rate)
    except ValueError:
        value = -1.0
    if not sep or not name or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"bad fail rate {spec!r}: use NAME=P with 0 <= P <= 1")
    return name, value


async def serve(
    providers: Sequence[tuple[str, Wire, Flavor | None]],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency: float = 0.0,
    fail_rates: Sequence[tuple[str, float]] = (),
) -> None:
    """Start the server, print its URL and each provider's api_base, wait for a signal."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows event loops
            loop.add_signal_handler(sig, stop.set)
    async with LocalProviderServer(port=port, host=host) as server:
        lines = [f"llmrouter.testing listening on {server.url}"]
        for name, wire, flavor in providers:
            provider = server.add_provider(name, wire=wire, flavor=flavor)
            provider.set_latency(latency)
            lines.append(f"provider {name} {provider.wire}:{provider.flavor} {provider.api_base}")
        for name, rate in fail_rates:
            if name not in server.providers:
                raise ValueError(f"--fail-rate names no provider: {name!r}")
            server.providers[name].fail_rate(rate, Fault.server_error(503), seed=1)
        print("\n".join(lines), flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    providers = args.provider or [parse_provider(spec) for spec in DEFAULT_PROVIDERS]
    try:
        asyncio.run(
            serve(
                providers,
                host=args.host,
                port=args.port,
                latency=args.latency,
                fail_rates=args.fail_rate,
            )
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a second Ctrl-C before the handlers were installed
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
