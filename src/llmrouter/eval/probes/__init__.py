"""The bundled probe set: benign questions on medicine, law, security, history and politics
that a careful model should answer. Run it across vendors to compare refusal and content
filter rates on day one (`llmrouter eval --probes ...`); your own traffic stays the main test.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["probe_set_path"]


def probe_set_path() -> Path:
    """The path of the bundled probe set (`safety-probes.jsonl`)."""
    return Path(str(resources.files(__name__).joinpath("safety-probes.jsonl")))
