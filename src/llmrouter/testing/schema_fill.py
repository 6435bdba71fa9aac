"""A deterministic instance of a JSON schema: what a local provider puts in tool arguments and
structured answers, so they validate against the schema the request gave.

Covers the subset that function and structured-output schemas use (`type`, `properties`,
`required`, `enum`, `const`, `items`, `minItems`, `anyOf` / `oneOf` / `allOf`, `$ref` into
`$defs` / `definitions`, string `format`, `minLength` / `maxLength`, number bounds). Every
property is filled, optional ones included, so strict schemas (all keys required) pass too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["instance_for"]

_MAX_DEPTH = 8
_FORMATS: dict[str, str] = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
}


def instance_for(schema: Any, text: str) -> Any:
    """A value valid against `schema`; string fields carry `text` (the request's prompt)."""
    root = schema if isinstance(schema, Mapping) else {}
    return _Filler(root, text).fill(root, 0)


class _Filler:
    def __init__(self, root: Mapping[str, Any], text: str) -> None:
        self.root = root
        self.text = text

    def fill(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return None if depth > _MAX_DEPTH else {}
        if "$ref" in schema:
            return self.fill(self._resolve(str(schema["$ref"])), depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                return self.fill(_first_non_null(options), depth + 1)
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self.fill(part, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
        return self._typed(schema, _type_of(schema), depth)

    def _typed(self, schema: Mapping[str, Any], kind: str, depth: int) -> Any:
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            count = max(int(schema.get("minItems") or 0), 1)
            if isinstance(schema.get("maxItems"), int):
                count = min(count, schema["maxItems"])
            return [self.fill(schema.get("items") or {}, depth + 1) for _ in range(count)]
        if kind == "string":
            return self._string(schema)
        if kind in ("integer", "number"):
            return _number(schema, integer=kind == "integer")
        if kind == "boolean":
            return True
        return None

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        return {str(name): self.fill(sub, depth + 1) for name, sub in properties.items()}

    def _string(self, schema: Mapping[str, Any]) -> str:
        fmt = schema.get("format")
        value = _FORMATS.get(fmt, self.text) if isinstance(fmt, str) else self.text
        low = schema.get("minLength")
        if isinstance(low, int) and len(value) < low:
            value = value + "x" * (low - len(value))
        high = schema.get("maxLength")
        if isinstance(high, int):
            value = value[:high]
        return value

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return {}
        node: Any = self.root
        for part in ref[2:].split("/"):
            if not isinstance(node, Mapping):
                return {}
            node = node.get(part.replace("~1", "/").replace("~0", "~"))
        return node if isinstance(node, Mapping) else {}


def _first_non_null(options: list[Any]) -> Any:
    for option in options:
        if not (isinstance(option, Mapping) and option.get("type") == "null"):
            return option
    return options[0]


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if kinds else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    value: float = 1
    low = schema.get("minimum")
    if isinstance(low, (int, float)):
        value = max(value, low)
    exclusive = schema.get("exclusiveMinimum")
    if isinstance(exclusive, (int, float)) and value <= exclusive:
        value = exclusive + 1
    high = schema.get("maximum")
    if isinstance(high, (int, float)):
        value = min(value, high)
    return int(value) if integer else float(value)
