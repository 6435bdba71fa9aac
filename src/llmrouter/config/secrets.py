"""Environment references in the config, and scrubbing secrets out of text."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from llmrouter.config.limits import DEFAULT_BODY_LIMITS, BodyLimits

__all__ = ["ENV_PATTERN", "Redactor", "ResolvedProvider", "interpolate"]

# `${VAR}` or `${VAR:-default}`; defaults are for non-secret fields such as `api_base`.
ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

# Shapes of credentials that must never leave the process even when we did not configure them.
_KEY_SHAPES = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\b(sk|sk-ant|sk-proj|pk)-[A-Za-z0-9_-]{8,}"
)

REDACTED = "[REDACTED]"


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
    """Removes known secret values, and anything shaped like a credential, from text.

    A secret is found verbatim and, when it is at least 12 characters long, in the altered
    forms providers and gateways echo it in: in any letter case, split by whitespace or line
    breaks, percent-encoded (URL-encoded) character by character, and base64-encoded (standard
    or URL-safe alphabet) on its own or inside a longer value such as `user:key` of Basic auth,
    where the whole base64 token is removed. Time is linear in the text.
    """

    _MIN_SECRET_LEN = 4  # shorter values would shred ordinary words
    _MIN_FUZZY_LEN = 12  # altered forms of shorter values would match ordinary text

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self._spelled: list[re.Pattern[str]] = []
        self._encoded: list[str] = []
        for secret in secrets:
            self._add(secret)

    def _add(self, secret: str) -> None:
        if len(secret) < self._MIN_SECRET_LEN or secret in self._secrets:
            return
        self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)
        if len(secret) >= self._MIN_FUZZY_LEN:
            self._spelled.append(_spelled_forms(secret))
            self._encoded = sorted({*self._encoded, *_base64_cores(secret)}, key=len)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern in self._spelled:
            text = pattern.sub(REDACTED, text)
        for core in self._encoded:
            if core in text:
                text = _remove_tokens_with(text, core)
        return _KEY_SHAPES.sub(_mask_shape, text)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


_GAP = r"(?:\s|\\[nrt])*"
"""What may split an echoed key: whitespace, or its escape in a JSON or log string."""


def _spelled_forms(secret: str) -> re.Pattern[str]:
    """`secret` in any case, split by whitespace, with any character percent-encoded."""
    chars = [f"(?:{re.escape(c)}|%{ord(c):02x})" if ord(c) < 128 else re.escape(c) for c in secret]
    return re.compile(r"(?i:" + _GAP.join(chars) + ")")


def _base64_cores(secret: str) -> set[str]:
    """The part of base64(... + secret + ...) that is the same whatever comes before and
    after: for each of the three alignments, the encoding minus its edge characters."""
    raw = secret.encode()
    cores: set[str] = set()
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * shift + raw).decode()
            head = (shift * 4 + 2) // 3  # characters touched by the padding bytes in front
            core = text[head : len(text) - 4]  # the last group depends on what follows
            if len(core) >= 8:
                cores.add(core)
    return cores


_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-=")


def _remove_tokens_with(text: str, core: str) -> str:
    """Replace each base64 token of `text` that contains `core` (a literal) by REDACTED."""
    out: list[str] = []
    done = 0
    start = text.find(core)
    while start != -1:
        left, right = start, start + len(core)
        while left > done and text[left - 1] in _B64_CHARS:
            left -= 1
        while right < len(text) and text[right] in _B64_CHARS:
            right += 1
        out += (text[done:left], REDACTED)
        done = right
        start = text.find(core, done)
    return "".join(out) + text[done:]


def _mask_shape(match: re.Match[str]) -> str:
    bearer = match.group(1)
    return f"{bearer}{REDACTED}" if bearer else REDACTED
