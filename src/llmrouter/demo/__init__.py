"""`llmrouter demo`: the shipped example config against local GLM-like and Claude-like providers.

Shows, offline and without keys: requests served, a provider failing and the fallback taking
over, a rate limit honoured, a 400 and a content filter that are not retried, streams (with a
fallback before the first chunk and an interruption after it), and every request's attempts.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TextIO

from llmrouter.testing import LocalProvider, LocalProviderServer

__all__ = ["LocalExample", "example_config_path", "local_example", "run_demo"]

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_BROKEN = 2


def example_config_path() -> Path:
    """The example config shipped with the package (same file as examples/llmrouter.yaml)."""
    return Path(str(resources.files("llmrouter.demo") / "llmrouter.yaml"))


@dataclass(frozen=True)
class LocalExample:
    """Local stand-ins for the example config's providers, and the env that points at them."""

    server: LocalProviderServer
    glm: LocalProvider
    claude: LocalProvider
    env: dict[str, str]


@asynccontextmanager
async def local_example() -> AsyncIterator[LocalExample]:
    """Start a GLM-like (OpenAI wire, Zhipu flavour) and a Claude-like (Anthropic wire) local
    provider; `env` makes the example config's `${..._API_BASE}` references point at them."""
    async with LocalProviderServer() as server:
        glm = server.add_provider("glm", wire="openai", flavor="zhipu")
        claude = server.add_provider("claude", wire="anthropic")
        env = {
            "ZHIPU_API_BASE": glm.api_base,
            "ZHIPU_API_KEY": "local-demo-key-zhipu",
            "ANTHROPIC_API_BASE": claude.api_base,
            "ANTHROPIC_API_KEY": "local-demo-key-anthropic",
        }
        yield LocalExample(server=server, glm=glm, claude=claude, env=env)


def _config_problems(path: Path, env: dict[str, str]) -> list[str]:
    """Why `path` cannot run the scenes: it does not load (file, schema, `${VAR}` references),
    or lacks what they need (models `glm` and `claude`, a route `chat`)."""
    from llmrouter.config.loader import load_file
    from llmrouter.errors import ConfigError

    try:
        loaded = load_file(path)
        loaded.resolve_providers(env)
    except ConfigError as exc:
        return [str(exc)]
    config = loaded.config
    problems = [f"no model named {m!r}" for m in ("glm", "claude") if m not in config.models]
    if "chat" not in config.routes:
        problems.append("no route named 'chat'")
    if problems:
        problems = [f"{path} does not have the example's shape: " + ", ".join(problems)]
    return problems


async def run_demo(
    config: str | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run every scene; 0 when each behaved as the fault policy says, 1 when one did not, 2
    when the config cannot be used (the problem goes to `err`, no traceback)."""
    from llmrouter.demo.scenes import Scenes
    from llmrouter.router import Router
    from llmrouter.terminal import Style, Terminal

    term, errors = Terminal(out or sys.stdout), Terminal(err or sys.stderr)
    path = Path(config) if config else example_config_path()
    async with local_example() as local:
        problems = _config_problems(path, local.env)
        if problems:
            errors.print(f"llmrouter demo: {'; '.join(problems)}", style=Style.BAD)
            return EXIT_BROKEN
        term.print(f"llmrouter demo: {path} against local providers at {local.server.url}")
        scenes = Scenes(
            lambda: Router.from_yaml(path, env=local.env), local.glm, local.claude, term
        )
        await scenes.play()
        scenes.summary()
        term.print("")
        term.print(
            f"Upstream requests: glm {local.glm.request_count}, claude {local.claude.request_count}"
        )
    if not scenes.all_as_expected:
        term.print("Some scenes did not behave as the fault policy says.", style=Style.BAD)
        return EXIT_UNEXPECTED
    return EXIT_OK
