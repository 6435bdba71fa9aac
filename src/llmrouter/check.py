"""`llmrouter check`: validate a config and show what it will do, without calling anyone."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from llmrouter._table import render_table
from llmrouter.config.loader import LoadedConfig, load_file
from llmrouter.errors import ConfigError
from llmrouter.pricing import price_for

__all__ = ["EXIT_BROKEN", "EXIT_MISSING_ENV", "EXIT_OK", "CheckReport", "run_check"]

EXIT_OK = 0
EXIT_MISSING_ENV = 1
EXIT_BROKEN = 2


@dataclass
class CheckReport:
    text: str
    exit_code: int
    warnings: list[str] = field(default_factory=list)


def run_check(path: str, env: Mapping[str, str] | None = None) -> CheckReport:
    """Validate `path`; the report's text is what the CLI prints."""
    try:
        loaded = load_file(path)
    except ConfigError as exc:
        return CheckReport(text=str(exc), exit_code=EXIT_BROKEN)
    env = os.environ if env is None else env
    sections = [f"{path}: valid", _routes(loaded), _models(loaded), _providers(loaded, env)]
    warnings = _price_warnings(loaded)
    missing = loaded.missing_env(env)
    if missing:
        lines = [f"  {var}  ({where})" for var, where in missing]
        sections.append("Missing environment variables (set them before serving traffic):")
        sections.append("\n".join(lines))
    if warnings:
        sections.append("Warnings:\n" + "\n".join(f"  {w}" for w in warnings))
    return CheckReport(
        text="\n\n".join(sections),
        exit_code=EXIT_MISSING_ENV if missing else EXIT_OK,
        warnings=warnings,
    )


def _routes(loaded: LoadedConfig) -> str:
    config = loaded.config
    rows = [
        (
            name,
            route.strategy,
            " -> ".join(route.models),
            route.retries,
            f"{route.timeout_s:g}",
            f"{route.attempt_timeout_s:g}" if route.attempt_timeout_s else "-",
        )
        for name, route in config.routes.items()
    ]
    if not rows:
        return "Routes: none (call models by name)"
    headers = ("route", "strategy", "models (fallback order)", "retries", "timeout_s", "attempt_s")
    return "Routes\n" + render_table(headers, rows)


def _money(value: float | None) -> str:
    return "?" if value is None else f"{value:.4g}"


def _models(loaded: LoadedConfig) -> str:
    rows = []
    for name, model in loaded.config.models.items():
        price = price_for(model)
        rows.append(
            (
                name,
                model.provider,
                model.model,
                _money(price.input_per_mtok),
                _money(price.output_per_mtok),
                f"{price.context_window:,}" if price.context_window else "?",
                price.source,
            )
        )
    headers = ("model", "provider", "litellm model", "in $/Mtok", "out $/Mtok", "context", "price")
    return "Models\n" + render_table(headers, rows)


def _providers(loaded: LoadedConfig, env: Mapping[str, str]) -> str:
    rows = []
    for name, provider in loaded.config.providers.items():
        var = provider.api_key_env
        key_state = "-" if var is None else f"{var} ({'set' if var in env else 'MISSING'})"
        rows.append((name, provider.api_base or "(adapter default)", key_state, provider.region))
    return "Providers\n" + render_table(("provider", "api_base", "api key", "region"), rows)


def _price_warnings(loaded: LoadedConfig) -> list[str]:
    out = []
    for name, model in loaded.config.models.items():
        price = price_for(model)
        path = ("models", name)
        where = loaded.locate(path).describe(path)
        if not price.known:
            out.append(
                f"{where}: no price for {model.model!r}; cost_usd will be 0. "
                "Set input_cost_per_mtok and output_cost_per_mtok."
            )
        if price.context_window is None:
            out.append(f"{where}: context window of {model.model!r} unknown; set context_window.")
    return out
