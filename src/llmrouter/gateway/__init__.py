"""`llmrouter serve`: the Router behind HTTP, speaking OpenAI Chat Completions, OpenAI
Responses and Anthropic Messages (docs/gateway.md).

    app = build_app(router, settings, metrics)   # an aiohttp application

Modules: `app` (endpoints), `handler` (the shared request path), one frontend per inbound
format (`chat`, `responses*`, `messages*`), `keys` and `aliases`, `problems` (error kinds and
statuses), `catalog` (/v1/models), `count_tokens`, `metrics`, `access_log`, `lifecycle`
(one process, graceful shutdown) and `workers` (several processes on one port).
"""

from llmrouter.gateway.app import build_app
from llmrouter.gateway.lifecycle import ServeOptions
from llmrouter.gateway.metrics import GatewayMetrics
from llmrouter.gateway.settings import GatewaySettings

__all__ = ["GatewayMetrics", "GatewaySettings", "ServeOptions", "build_app"]
