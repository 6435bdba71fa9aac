"""Subcommands of the `llmrouter` command, one module each (listed in `llmrouter.cli`)."""
