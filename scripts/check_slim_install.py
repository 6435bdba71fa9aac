"""Prove the bare install: `pip install .` into a fresh venv, its size, and the native path.

    python3 scripts/check_slim_install.py [--keep DIR] [--limit-mb 100]

Creates a venv in a temporary directory, installs this checkout without extras (pip fetches
the dependencies from the package index, or its local cache), prints the size of what was
installed and the distributions, then runs `scripts/slim_smoke.py` inside it: native requests
answered and priced from llmrouter's own price file, without litellm. Exits 1 when the
installed packages exceed the limit or the smoke test fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The venv's own installer tooling, present in every venv before anything is installed.
TOOLING = ("pip", "setuptools", "wheel", "_distutils_hack", "distutils-precedence.pth")


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        sys.exit(f"no site-packages under {venv}")
    return found[0]


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def installed_bytes(site: Path) -> tuple[int, int]:
    """Bytes of everything installed, and of the venv's own installer tooling in it."""
    total = tree_bytes(site)
    tooling = sum(
        tree_bytes(p)
        for p in site.iterdir()
        if p.name.split("-")[0] in TOOLING or p.name in TOOLING
    )
    return total, tooling


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the venv here and keep it")
    parser.add_argument("--limit-mb", type=float, default=100.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        venv = args.keep or Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        python = venv / "bin" / "python"
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, str(ROOT)], check=True)
        site = site_packages(venv)
        total, tooling = installed_bytes(site)
        freeze = subprocess.run(
            [str(python), "-m", "pip", "list", "--format=freeze", "--exclude-editable"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        ours = (total - tooling) / 1e6
        print(f"distributions installed: {len(freeze)}")
        print("  " + ", ".join(freeze))
        print(f"site-packages: {total / 1e6:.1f} MB, pip/setuptools {tooling / 1e6:.1f} MB of it")
        print(f"llmrouter and its dependencies: {ours:.1f} MB (limit {args.limit_mb:g} MB)")
        smoke = subprocess.run([str(python), str(ROOT / "scripts" / "slim_smoke.py")])
        if ours > args.limit_mb:
            print(f"FAIL: {ours:.1f} MB is over the {args.limit_mb:g} MB limit", file=sys.stderr)
            return 1
        return smoke.returncode


if __name__ == "__main__":
    sys.exit(main())
