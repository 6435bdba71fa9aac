"""Caps on what the native adapters read from a provider: the YAML shape
(`providers.<name>.limits`) and the frozen values the adapters use.

Every cap counts bytes after decompression, so a gzip bomb is stopped at the cap, not at its
size on the wire. docs/limits.md states each default and what happens when it is hit.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DEFAULT_BODY_LIMITS", "BodyLimits", "LimitsConfig"]

_MIB = 1 << 20
_KIB = 1 << 10


@dataclass(frozen=True)
class BodyLimits:
    """Byte caps of one provider's answers."""

    response_bytes: int = 64 * _MIB
    """One non-streamed answer (also a JSON body sent where a stream was asked for)."""
    stream_bytes: int = 256 * _MIB
    """One streamed answer, all its events together."""
    event_bytes: int = 16 * _MIB
    """One server-sent event (the bytes between two blank lines)."""
    error_bytes: int = 64 * _KIB
    """How much of an error answer (non-2xx) is read to classify it; the rest is not read."""


DEFAULT_BODY_LIMITS = BodyLimits()


class LimitsConfig(BaseModel):
    """`limits:` of a provider: caps in MiB (`error_kb` in KiB), finite and positive."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    response_mb: float = Field(default=64, gt=0, le=4096, allow_inf_nan=False)
    stream_mb: float = Field(default=256, gt=0, le=16384, allow_inf_nan=False)
    event_mb: float = Field(default=16, gt=0, le=4096, allow_inf_nan=False)
    error_kb: float = Field(default=64, gt=0, le=16384, allow_inf_nan=False)

    def body_limits(self) -> BodyLimits:
        return BodyLimits(
            response_bytes=max(1, int(self.response_mb * _MIB)),
            stream_bytes=max(1, int(self.stream_mb * _MIB)),
            event_bytes=max(1, int(self.event_mb * _MIB)),
            error_bytes=max(1, int(self.error_kb * _KIB)),
        )
