"""Environment references in the config, and scrubbing secrets out of text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from llmrouter.config.limits import DEFAULT_BODY_LIMITS, BodyLimits

__all__ = ["ENV_PATTERN", "Redactor", "ResolvedProvider", "interpolate", "referenced_vars"]

# `${VAR}` or `${VAR:-default}`; defaults are for non-secret fields such as `api_base`.
ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

# Shapes of credentials that must never leave the process even when we did not configure them.
_KEY_SHAPES = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\b(sk|sk-ant|sk-proj|pk)-[A-Za-z0-9_-]{8,}"
)

REDACTED = "[REDACTED]"


def referenced_vars(value: str) -> list[str]:
    """Names of the environment variables a string refers to."""
    return [m.group(1) for m in ENV_PATTERN.finditer(value)]


def interpolate(value: str, env: Mapping[str, str]) -> tuple[str, list[str]]:
    """Replace `${VAR}` / `${VAR:-default}`; return the text and the names that were missing."""
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        missing.append(name)
        return ""

    return ENV_PATTERN.sub(substitute, value), missing


@dataclass(frozen=True)
class ResolvedProvider:
    """A provider with its environment references resolved. The key stays a `SecretStr`."""

    name: str
    api_base: str | None
    api_key: SecretStr | None
    api_key_env: str | None
    region: str | None
    params: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    limits: BodyLimits = DEFAULT_BODY_LIMITS
    """Caps on the answers the native adapters read from this provider."""


class Redactor:
    """Removes known secret values, and anything shaped like a credential, from text."""

    _MIN_SECRET_LEN = 4  # shorter values would shred ordinary words

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted(
            {s for s in secrets if len(s) >= self._MIN_SECRET_LEN}, key=len, reverse=True
        )

    def add(self, secret: str) -> None:
        if len(secret) >= self._MIN_SECRET_LEN and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _KEY_SHAPES.sub(_mask_shape, text)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


def _mask_shape(match: re.Match[str]) -> str:
    bearer = match.group(1)
    return f"{bearer}{REDACTED}" if bearer else REDACTED
