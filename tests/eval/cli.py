"""Run the `llmrouter` command in a subprocess while the stand-ins serve in the test's loop."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass

from scripted import ENV


@dataclass
class Completed:
    code: int
    out: str
    err: str


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return {**env, **ENV, "COLUMNS": "160", **extra}


async def start_cli(*args: str, **extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "llmrouter.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=cli_env(**extra),
    )


async def run_cli(*args: str, timeout: float = 120, **extra: str) -> Completed:
    process = await start_cli(*args, **extra)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return Completed(process.returncode, out.decode(), err.decode())
