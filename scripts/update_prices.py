"""Regenerate llmrouter's own price file from the price map bundled with litellm.

    .venv/bin/python scripts/update_prices.py            # rewrite src/llmrouter/data/prices.json
    .venv/bin/python scripts/update_prices.py --check    # exit 1 if the file is out of date

The file holds the entries of litellm's `model_prices_and_context_window_backup.json` whose
`litellm_provider` is one of the vendors llmrouter serves natively, unchanged (litellm's own
field names, `cache_creation_input_token_cost` included), with the litellm version they came
from. So a bare `pip install llmrouter` prices those vendors without litellm installed; the
long tail is priced from litellm's map when `llmrouter[litellm]` is installed. litellm is
read from its package files, never imported, and nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

PROVIDERS = ("openai", "anthropic", "zai", "deepseek", "moonshot")
SOURCE_FILE = "model_prices_and_context_window_backup.json"
TARGET = Path(__file__).resolve().parent.parent / "src" / "llmrouter" / "data" / "prices.json"


def litellm_map() -> tuple[str, dict[str, Any]]:
    spec = importlib.util.find_spec("litellm")
    if spec is None or spec.origin is None:
        sys.exit("litellm is not installed: pip install 'llmrouter[litellm]' (or make install)")
    path = Path(spec.origin).parent / SOURCE_FILE
    return importlib.metadata.version("litellm"), json.loads(path.read_text(encoding="utf-8"))


def extract(version: str, table: dict[str, Any]) -> dict[str, Any]:
    models = {
        name: entry
        for name, entry in sorted(table.items())
        if isinstance(entry, dict) and entry.get("litellm_provider") in PROVIDERS
    }
    return {
        "about": (
            "Prices and context windows for the vendors llmrouter serves natively: the entries "
            "of litellm's bundled price map for these providers, in its field format. "
            "Regenerate with scripts/update_prices.py."
        ),
        "litellm_version": version,
        "providers": list(PROVIDERS),
        "models": models,
    }


def render(data: dict[str, Any]) -> str:
    """One model per line, so an update reads as a diff of the entries that changed."""
    head = {k: v for k, v in data.items() if k != "models"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "models": {']
    entries = [
        f"{json.dumps(name)}: {json.dumps(entry, sort_keys=True, ensure_ascii=False)}"
        for name, entry in data["models"].items()
    ]
    lines.append(",\n".join(entries))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    version, table = litellm_map()
    text = render(extract(version, table))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date (litellm {version}); run {sys.argv[0]}")
            return 1
        print(f"{args.out} matches litellm {version}")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    count = len(json.loads(text)["models"])
    print(f"wrote {args.out}: {count} models from litellm {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
