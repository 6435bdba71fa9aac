"""The conversion as a whole: parse, convert each part, validate, render with notes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from llmrouter.config.yaml_source import YamlDocument, parse_yaml
from llmrouter.errors import ConfigError
from llmrouter.migrate.models import convert_model_list
from llmrouter.migrate.notes import Notes, env_ref
from llmrouter.migrate.routes import convert_routes
from llmrouter.migrate.settings import (
    Settings,
    convert_breaker,
    convert_cache,
    convert_state,
)

__all__ = ["Migration", "migrate_data", "migrate_text"]


@dataclass
class Migration:
    """An llmrouter config converted from litellm, and what did not carry over."""

    source: str
    config: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Why the result does not validate yet (e.g. no usable model), if it does not."""

    def to_yaml(self) -> str:
        """The config as YAML, the notes as comments above it."""
        head = [f"# Converted from {self.source} by `llmrouter migrate`.", "#"]
        if self.notes:
            head.append("# Not carried over as it was (check each before deploying):")
            head += [f"#   {note}" for note in self.notes]
        else:
            head.append("# Every setting had an equivalent.")
        if self.problems:
            head += ["#", "# This config does not validate yet:"]
            head += [f"#   {problem}" for problem in self.problems]
        body = yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(head) + "\n\n" + body


def migrate_text(text: str, source: str = "<litellm config>") -> Migration:
    """Convert litellm YAML text; `source` names it in notes (`file:line`)."""
    return _convert(parse_yaml(text, source))


def migrate_data(data: Mapping[str, Any], source: str = "<litellm config>") -> Migration:
    """Convert a litellm config already parsed (for example a Router's keyword arguments)."""
    return _convert(YamlDocument(source=source, data=data))


def _convert(doc: YamlDocument) -> Migration:
    if not isinstance(doc.data, Mapping):
        raise ConfigError([f"{doc.source}: a litellm config is a mapping with a model_list"])
    notes = Notes(doc)
    settings = Settings(doc.data, notes)
    models = convert_model_list(doc.data.get("model_list"), notes, _credentials(doc.data))
    config: dict[str, Any] = {"providers": models.providers, "models": models.models}
    routes = convert_routes(models, settings, notes)
    if routes:
        config["routes"] = routes
    for key, part in (
        ("cache", convert_cache(settings, notes)),
        ("state", convert_state(settings)),
        ("circuit_breaker", convert_breaker(settings)),
    ):
        if part is not None:
            config[key] = part
    settings.leftovers(notes)
    return Migration(doc.source, config, notes.lines(), _problems(config))


def _credentials(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`credential_list` entries by name, their values with `os.environ/` resolved."""
    out: dict[str, dict[str, Any]] = {}
    for item in data.get("credential_list") or []:
        if isinstance(item, Mapping) and isinstance(item.get("credential_values"), Mapping):
            values = {k: env_ref(v)[0] for k, v in item["credential_values"].items()}
            out[str(item.get("credential_name"))] = values
    return out


def _problems(config: Mapping[str, Any]) -> list[str]:
    from llmrouter.config.loader import load_dict

    try:
        load_dict(config, source="<converted>")
    except ConfigError as exc:
        return exc.problems
    return []
