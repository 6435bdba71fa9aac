"""`llmrouter migrate LITELLM_YAML`: convert a litellm Router or proxy config."""

from __future__ import annotations

import argparse
import sys

NAME = "migrate"
HELP = "convert a litellm config (model_list, router_settings, ...) to an llmrouter config"
DESCRIPTION = (
    "Prints the converted config on standard output (llmrouter migrate litellm.yaml > "
    "llmrouter.yaml), with a comment for every setting that has no equivalent; the same notes "
    "go to standard error. Exit codes: 0 converted, 1 converted but the result does not "
    "validate yet (e.g. no usable model), 2 unreadable input."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="path to the litellm config (YAML)")
    parser.add_argument(
        "--quiet", action="store_true", help="do not repeat the notes on standard error"
    )


def run(args: argparse.Namespace) -> int:
    from llmrouter.errors import ConfigError
    from llmrouter.migrate import migrate_text

    try:
        with open(args.config, encoding="utf-8") as file:
            migration = migrate_text(file.read(), source=args.config)
    except OSError as exc:
        print(f"llmrouter migrate: cannot read {args.config}: {exc.strerror}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"llmrouter migrate: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(migration.to_yaml())
    if not args.quiet:
        for note in migration.notes:
            print(f"note: {note}", file=sys.stderr)
        for problem in migration.problems:
            print(f"problem: {problem}", file=sys.stderr)
    return 1 if migration.problems else 0
