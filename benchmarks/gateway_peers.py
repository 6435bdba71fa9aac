"""The two peers `gateway.py` measures the gateway against, each in its own process:

- `backend`: a minimal aiohttp server answering `POST /v1/chat/completions` with a canned
  OpenAI answer (JSON, or 12 SSE events when `"stream": true`): the stand-in backend every
  proxy forwards to, cheap enough not to be the bottleneck;
- `floor`: a minimal aiohttp pass-through proxy (body in, the same body to the backend over a
  pooled session, the answer streamed back chunk by chunk): the least any Python proxy pays.

    python benchmarks/gateway_peers.py backend --port 0
    python benchmarks/gateway_peers.py floor --port 0 --upstream http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from aiohttp import ClientSession, TCPConnector, web

ANSWER = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello from the bench backend."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20},
    }
).encode()


def _chunk(delta: dict[str, object], finish: str | None = None, usage: object = None) -> bytes:
    choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}]
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "bench",
        "choices": choices,
    }
    if usage:
        body["usage"] = usage
    return b"data: " + json.dumps(body).encode() + b"\n\n"


WORDS = ["Hello ", "from ", "the ", "bench ", "backend, ", "streamed ", "word ", "by ", "word."]
EVENTS = b"".join(
    [
        _chunk({"role": "assistant", "content": ""}),
        *(_chunk({"content": word}) for word in WORDS),
        _chunk({}, finish="stop"),
        _chunk({}, usage={"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21}),
        b"data: [DONE]\n\n",
    ]
)
SSE = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


async def backend(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    if b'"stream":true' in body.replace(b" ", b""):
        response = web.StreamResponse(headers=SSE)
        await response.prepare(request)
        await response.write(EVENTS)
        await response.write_eof()
        return response
    return web.Response(body=ANSWER, content_type="application/json")


def floor_app(upstream: str) -> web.Application:
    app = web.Application()
    sessions: list[ClientSession] = []

    async def start(_: web.Application) -> None:
        sessions.append(ClientSession(connector=TCPConnector(limit=1000)))

    async def stop(_: web.Application) -> None:
        await sessions[0].close()

    async def proxy(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        async with sessions[0].post(
            upstream + request.path, data=body, headers={"Content-Type": "application/json"}
        ) as upstream_response:
            response = web.StreamResponse(
                status=upstream_response.status,
                headers={"Content-Type": upstream_response.headers.get("Content-Type", "")},
            )
            await response.prepare(request)
            async for piece in upstream_response.content.iter_any():
                await response.write(piece)
            await response.write_eof()
            return response

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/v1/chat/completions", proxy)
    return app


async def serve(app: web.Application, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=2048)
    await site.start()
    print(f"listening on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["backend", "floor"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", default="")
    args = parser.parse_args()
    if args.role == "backend":
        app = web.Application()
        app.router.add_post("/v1/chat/completions", backend)
    else:
        app = floor_app(args.upstream.rstrip("/"))
    try:
        asyncio.run(serve(app, args.port))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
