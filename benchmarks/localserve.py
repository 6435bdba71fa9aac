"""Local providers in their own process for the benchmarks: `python -m llmrouter.testing serve`."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator, Sequence


@contextlib.contextmanager
def serve(providers: Sequence[str], extra: Sequence[str] = ()) -> Iterator[dict[str, str]]:
    """Start `serve --provider P ...`; yield each provider's api_base by name."""
    cmd = [sys.executable, "-m", "llmrouter.testing", "serve", "--port", "0"]
    for spec in providers:
        cmd += ["--provider", spec]
    process = subprocess.Popen([*cmd, *extra], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        bases: dict[str, str] = {}
        while len(bases) < len(providers):
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the local provider did not start")
            if line.startswith("provider "):
                bases[line.split()[1]] = line.split()[-1]
        yield bases
    finally:
        process.terminate()
        process.wait(timeout=10)
