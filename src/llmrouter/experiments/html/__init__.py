"""The self-contained HTML report of `llmrouter report --html`."""

from llmrouter.experiments.html.page import render_report, write_report

__all__ = ["render_report", "write_report"]
