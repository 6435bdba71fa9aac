"""Headless Chromium (Debian's `chromium` package) for tests that open a page as a person
would, with the network unreachable, and a small PNG reader for its screenshots.

CI installs chromium (.ci/run); there a missing binary fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

# Every flag that keeps Chromium off the network, plus a resolver and a proxy that lead nowhere.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
)


def chromium() -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


def run_chromium(page: Path, *extra: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="llmrouter-chromium-") as profile:
        return subprocess.run(
            [chromium(), *OFFLINE_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def dump_dom(page: Path) -> str:
    """The DOM after the page loaded, as Chromium serialises it."""
    done = run_chromium(page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    pixels: bytes  # RGB, row by row

    def count(self, rgb: tuple[int, int, int], tolerance: int = 8) -> int:
        r0, g0, b0 = rgb
        data = self.pixels
        return sum(
            1
            for i in range(0, len(data), 3)
            if abs(data[i] - r0) <= tolerance
            and abs(data[i + 1] - g0) <= tolerance
            and abs(data[i + 2] - b0) <= tolerance
        )


def screenshot(page: Path, width: int = 1280, height: int = 1400) -> Image:
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "shot.png"
        done = run_chromium(page, f"--screenshot={target}", f"--window-size={width},{height}")
        assert done.returncode == 0 and target.exists(), done.stderr[-2000:]
        return read_png(target.read_bytes())


def _unfilter(kind: int, row: bytearray, prior: bytes | bytearray, bpp: int) -> None:
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        up = prior[i]
        corner = prior[i - bpp] if i >= bpp else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            row[i] = (row[i] + pred) & 0xFF


def read_png(data: bytes) -> Image:
    """8-bit RGB or RGBA, non-interlaced: what Chromium writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, "unsupported PNG"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    prior = bytearray(stride)
    rgb = bytearray()
    for y in range(height):
        start = y * (stride + 1)
        row = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], row, prior, channels)
        for x in range(0, stride, channels):
            rgb += row[x : x + 3]
        prior = row
    return Image(width, height, bytes(rgb))
