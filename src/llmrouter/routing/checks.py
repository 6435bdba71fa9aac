"""Answer checks: a whole answer that parsed but cannot be used is a fault of its model
(`InvalidResponseError`, the `invalid_response` row of the fault policy), so the route falls
back instead of handing it to the caller.

- `json_problem`: a request with a JSON `response_format` got content that is not JSON, or
  does not validate against the requested schema (the `jsonschema` library, imported on
  first use);
- a route's `answer_check: package.module:function`, imported when the Router is built, called
  as `function(request, answer)`; it returns a reason (a string) or None.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from llmrouter.request import CompletionRequest
from llmrouter.types import ChatCompletion

__all__ = ["AnswerCheck", "CheckLoadError", "json_problem", "load_check"]

AnswerCheck = Callable[[CompletionRequest, ChatCompletion], "str | None"]


class CheckLoadError(Exception):
    """A route's `answer_check` cannot be imported (the Router makes it a ConfigError)."""


def load_check(path: str) -> AnswerCheck:
    """Import `package.module:function`."""
    module_name, _, attr = path.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attr)
    except Exception as exc:  # any failure of user code is a config problem
        raise CheckLoadError(f"cannot load check {path!r}: {type(exc).__name__}: {exc}") from None
    if not callable(found):
        raise CheckLoadError(f"check {path!r} is not callable")
    return found  # type: ignore[no-any-return]


def json_problem(response_format: Any, answer: ChatCompletion) -> str | None:
    """Why the answer's content does not meet a JSON `response_format`, or None."""
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind not in ("json_object", "json_schema"):
        return None
    for choice in answer.choices:
        message = choice.message
        if message.tool_calls or message.refusal or choice.finish_reason == "length":
            continue  # a tool call, a refusal or a cut-off answer is judged elsewhere
        try:
            value = json.loads(message.content or "")
        except ValueError:
            return "the answer is not valid JSON"
        if kind == "json_schema":
            problem = _schema_problem(response_format.get("json_schema"), value)
            if problem is not None:
                return problem
    return None


def _schema_problem(spec: Any, value: Any) -> str | None:
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    if not isinstance(schema, Mapping):
        return None
    import jsonschema

    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(value)
    )
    if error is None:
        return None
    # The validator's name, not its message: the message quotes the answer's values.
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    return f"the answer does not match the requested schema ({error.validator!r} at {where})"
