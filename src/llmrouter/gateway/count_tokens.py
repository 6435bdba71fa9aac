"""`POST /v1/messages/count_tokens`: an estimate of the prompt's tokens, not a tokenizer's
count. The Messages body is translated as for `/v1/messages` and measured by llmrouter's own
estimator (characters / 4 over text, tool calls and tool schemas, 4 per message, 765 per
image; see `llmrouter.routing.estimate`). The answer is `{"input_tokens": N}` with the header
`x-llmrouter-estimate: chars/4`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmrouter.gateway.messages_request import parse_messages_request
from llmrouter.request import CompletionRequest
from llmrouter.routing.estimate import estimate_request

__all__ = ["ESTIMATE_HEADER", "count_tokens"]

ESTIMATE_HEADER = {"x-llmrouter-estimate": "chars/4"}


def count_tokens(body: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[str, int]:
    """The model named and the estimated input tokens of a count_tokens body."""
    if isinstance(body, Mapping) and "max_tokens" not in body:
        body = {**body, "max_tokens": 1}  # count_tokens bodies carry no max_tokens
    inbound = parse_messages_request(body, headers)
    request = CompletionRequest.build(inbound.model, inbound.messages, params=inbound.params)
    return inbound.model, estimate_request(request).prompt_tokens
