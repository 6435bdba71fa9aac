"""The HTTP layer of the native adapters: one pooled aiohttp session per adapter, and the one
boundary where aiohttp's exceptions and non-2xx answers become classified provider errors.

Why aiohttp: on this project's benchmark (`benchmarks/run.py`) the same POST costs 3.7-5.4x
more client CPU through `httpx.AsyncClient` than through an `aiohttp.ClientSession`, and
httpx serves a fifth to a tenth of the requests per second at concurrency 100.

Timeouts (`ProviderCall.timeout_s`):
- a non-streamed call: the total time of the attempt (connect, send, wait, read the body);
- a streamed call: connecting (pool wait included) and then every read, the response headers
  included, must each finish within `timeout_s`; the stream as a whole is bounded by the
  router's deadline (`RouterStream`), not by one attempt's timeout.
Cancelling a call closes its connection at once (it is never returned to the pool half-read).

Nothing here logs, and no exception text carries request headers: the API key lives only in
the headers handed to aiohttp, and aiohttp's own exceptions never leave this module.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import TYPE_CHECKING, Any

import pydantic_core

from llmrouter.errors import BadRequestError, MalformedResponseError, ProviderError
from llmrouter.faults import RawFault, TransportFailure, classify
from llmrouter.providers.base import ProviderCall

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "HttpClient",
    "PooledProvider",
    "Redact",
    "dumps",
    "encode_body",
    "fault",
    "finish_stream",
    "join_url",
    "loads",
    "malformed",
    "not_a_stream",
    "read_body",
    "read_error_body",
    "too_large",
    "transport_fault",
]

Redact = Callable[[str], str]

DEFAULT_MAX_CONNECTIONS = 1000
"""Pool size of one adapter. LLM calls last seconds, so many run at once."""

_LINGER_S = 5.0
"""How long a finished stream waits for the end of its HTTP body before the connection is
closed instead of going back to the pool."""


def loads(data: bytes) -> Any:
    """Parse JSON (pydantic-core's parser: ~5x faster than `json.loads` on an SSE event, within
    0.1-0.4 us of orjson, and already installed; see benchmarks/README.md). Raises ValueError."""
    return pydantic_core.from_json(data)


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON. Raises ValueError for values JSON cannot hold."""
    return pydantic_core.to_json(payload)


def encode_body(call: ProviderCall, body: Any) -> bytes:
    """The request body as JSON; a parameter JSON cannot hold is the caller's bad request."""
    try:
        return dumps(body)
    except ValueError as exc:
        raise BadRequestError(
            f"the request cannot be sent as JSON: {type(exc).__name__}",
            model=call.deployment.name,
            provider=call.deployment.provider_name,
        ) from None


def join_url(api_base: str, route: str) -> str:
    """`api_base` + `/` + `route`, unless `api_base` already ends with `route`."""
    base = api_base.rstrip("/")
    return base if base.endswith("/" + route) else f"{base}/{route}"


def fault(call: ProviderCall, raw: RawFault, redact: Redact) -> ProviderError:
    """Classify `raw` for this call with its vendor's error codes (the message is scrubbed by
    `redact`)."""
    deployment = call.deployment
    return classify(
        raw,
        model=deployment.name,
        provider=deployment.provider_name,
        redact=redact,
        codes=deployment.ref.vendor.error_codes,
    )


def transport_fault(exc: BaseException, *, started: bool) -> RawFault:
    """What an aiohttp (or OS) exception means. `started`: the response headers had arrived,
    so a dropped connection is a connection closed mid-body, not a failure to connect."""
    import aiohttp  # already loaded: the exception came from it

    failure: TransportFailure
    if isinstance(exc, asyncio.TimeoutError):  # aiohttp's timeouts subclass it
        failure = "timeout"
    elif isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)) or (
        started and isinstance(exc, (aiohttp.ClientConnectionError, OSError))
    ):
        failure = "closed"
    else:
        failure = "connect"
    text = str(exc)
    message = f"{type(exc).__name__}: {text}" if text else ""
    return RawFault(transport=failure, message=message)


class HttpClient:
    """A lazily created, pooled `aiohttp.ClientSession` bound to the running event loop.

    The session is made on the first request (an adapter can be built outside a loop) and
    remade if the adapter is later used from another loop. `aclose()` closes it.
    """

    def __init__(self, *, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._keeper: AsyncGenerator[None, None] | None = None
        self._proxies: dict[str, str | None] = {}

    def __repr__(self) -> str:
        state = "open" if self.open else "idle"
        return f"HttpClient({state}, max_connections={self._max_connections})"

    @property
    def open(self) -> bool:
        """Whether a session (and its pooled connections) is open."""
        return self._session is not None and not self._session.closed

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and not session.closed:
            if self._loop is loop:
                return session
            _abandon(session, self._loop)  # made in a loop that is gone (or another one)
        import aiohttp  # on first use: it would add ~100 ms to `import llmrouter`

        connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0)
        session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None),
            auto_decompress=True,
            raise_for_status=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # no state shared between tenants
            trust_env=False,  # proxies are resolved once per origin below, not per request
        )
        self._session, self._loop = session, loop
        self._keeper = _close_when_the_loop_ends(session)
        return session

    def _proxy(self, url: str) -> str | None:
        """The proxy from HTTP(S)_PROXY / NO_PROXY for `url`'s origin, looked up once."""
        scheme, _, rest = url.partition("://")
        origin = f"{scheme}://{rest.split('/', 1)[0]}"
        if origin not in self._proxies:
            import urllib.request  # once per origin; it costs ~4 ms to import

            host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
            proxies = urllib.request.getproxies_environment()
            proxy = proxies.get(scheme.lower()) or proxies.get("all")
            if proxy and urllib.request.proxy_bypass(host):
                proxy = None
            self._proxies[origin] = proxy or None
        return self._proxies[origin]

    async def post(
        self,
        call: ProviderCall,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        redact: Redact,
        *,
        stream: bool,
    ) -> aiohttp.ClientResponse:
        """POST `body`; return the 2xx response with its body unread. Every failure (transport
        or non-2xx answer) is raised as a classified `ProviderError`."""
        import aiohttp

        session = self._open()
        t = call.timeout_s
        timeout = (
            aiohttp.ClientTimeout(total=None, connect=t, sock_read=t)
            if stream
            else aiohttp.ClientTimeout(total=t)
        )
        try:
            resp = await session.post(
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy(url),
                allow_redirects=False,
            )
        except Exception as exc:  # the translation boundary for everything before headers
            raise fault(call, transport_fault(exc, started=False), redact) from None
        if 200 <= resp.status < 300:
            return resp
        text = (await read_error_body(resp, call, redact)).decode("utf-8", "replace")
        headers_seen = {k.lower(): v for k, v in resp.headers.items()}
        raise fault(call, RawFault(resp.status, text, headers_seen), redact)

    @staticmethod
    def warm_up() -> None:
        """Import aiohttp now (the router calls this in a thread when it starts)."""
        import aiohttp  # noqa: F401

    async def aclose(self) -> None:
        """Close the session and its pooled connections."""
        session, self._session = self._session, None
        keeper, self._keeper = self._keeper, None
        if session is not None and not session.closed:
            await session.close()
        if keeper is not None and self._loop is asyncio.get_running_loop():
            await keeper.aclose()


def _abandon(session: aiohttp.ClientSession, loop: asyncio.AbstractEventLoop | None) -> None:
    """Let go of a session of another event loop without awaiting anything in this one (a
    loop ended by `asyncio.run` has already closed it: see `_close_when_the_loop_ends`)."""
    if loop is not None and not loop.is_closed():
        loop.call_soon_threadsafe(lambda: loop.create_task(session.close()))


def _close_when_the_loop_ends(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """An async generator, started now, whose `finally` closes `session`: `asyncio.run` (and
    `asyncio.Runner`) finalize every async generator of their loop before closing it, so a
    Router reused across `asyncio.run` calls releases each loop's connections in that loop."""

    async def keeper() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if not session.closed:
                await session.close()

    generator = keeper()
    with contextlib.suppress(StopIteration):
        generator.asend(None).send(None)  # runs to the `yield`; the loop now tracks it
    return generator


async def read_body(resp: aiohttp.ClientResponse, call: ProviderCall, redact: Redact) -> bytes:
    """The whole body, at most the provider's `limits.response_bytes` once inflated (more is a
    `MalformedResponseError` with code `response_too_large`, and nothing past the cap is read).
    The connection goes back to the pool when the body was read to the end and is closed on
    any failure or cancellation."""
    limit = call.deployment.provider.limits.response_bytes
    declared = resp.content_length  # the wire size: a compressed body may inflate past it
    if declared is not None and declared > limit and not resp.headers.get("Content-Encoding"):
        resp.close()
        raise too_large(call, "answer", limit)
    parts, size = await _read_at_most(resp, call, redact, limit)
    if size > limit:
        raise too_large(call, "answer", limit)
    return parts[0] if len(parts) == 1 else b"".join(parts)


async def read_error_body(
    resp: aiohttp.ClientResponse, call: ProviderCall, redact: Redact
) -> bytes:
    """The first `limits.error_bytes` of an error answer, enough to classify it; a longer one
    is cut there and its connection closed rather than drained."""
    limit = call.deployment.provider.limits.error_bytes
    parts, _ = await _read_at_most(resp, call, redact, limit)
    return b"".join(parts)[:limit]


async def _read_at_most(
    resp: aiohttp.ClientResponse, call: ProviderCall, redact: Redact, limit: int
) -> tuple[list[bytes], int]:
    """The inflated body's pieces and their size, reading no further once past `limit` (the
    connection is then closed; at the end of the body it goes back to the pool)."""
    parts: list[bytes] = []
    size = 0
    content = resp.content
    try:
        while size <= limit:
            chunk = await content.readany()
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
    except BaseException as exc:
        resp.close()
        if isinstance(exc, Exception):
            raise fault(call, transport_fault(exc, started=True), redact) from None
        raise
    if size > limit:
        resp.close()
    else:
        resp.release()
    return parts, size


def too_large(call: ProviderCall, what: str, limit: int) -> ProviderError:
    """A 2xx answer (or one SSE event) past its cap: malformed, and never read further."""
    deployment = call.deployment
    return MalformedResponseError(
        f"the {what} exceeded {_size(limit)} once decompressed; llmrouter stopped reading "
        "(raise providers.<name>.limits if it is legitimate, see docs/limits.md)",
        model=deployment.name,
        provider=deployment.provider_name,
        status_code=200,
        code="response_too_large",
    )


def _size(limit: int) -> str:
    return f"{limit / (1 << 20):g} MiB" if limit >= 1 << 20 else f"{limit / 1024:g} KiB"


def malformed(call: ProviderCall, redact: Redact, what: str) -> ProviderError:
    """A 2xx answer (or SSE event) that is not what the wire format promises. The offending
    text is left out: it may quote the conversation."""
    raw = RawFault(status=200, malformed=True, message=f"unparseable {what}")
    return fault(call, raw, redact)


async def not_a_stream(
    resp: aiohttp.ClientResponse, call: ProviderCall, redact: Redact
) -> ProviderError:
    """A streamed request answered 2xx with one JSON body instead of events (some gateways do
    that for errors): an error object is classified, anything else is malformed."""
    data = await read_body(resp, call, redact)
    try:
        payload = loads(data)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and (payload.get("error") or payload.get("type") == "error"):
        return fault(call, RawFault(body=data.decode("utf-8", "replace")), redact)
    return malformed(call, redact, "JSON body where an event stream was expected")


def finish_stream(resp: aiohttp.ClientResponse, complete: bool) -> None:
    """Release a streamed response. A stream that ended cleanly keeps its connection for reuse:
    aiohttp pools it as soon as the end of the body arrives (usually already there); a broken
    or abandoned one is closed now, so the server sees the client go at once."""
    if not complete:
        resp.close()
    elif resp.content.is_eof():
        resp.release()
    else:  # the body's last bytes are still on their way: give them a moment
        asyncio.get_running_loop().call_later(_LINGER_S, resp.close)


class PooledProvider:
    """What both native adapters share: a redactor, one pooled `HttpClient`, and its lifecycle."""

    def __init__(self, redact: Redact, *, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> None:
        self._redact = redact
        self._http = HttpClient(max_connections=max_connections)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http!r})"

    @property
    def open(self) -> bool:
        """Whether the adapter holds an open connection pool."""
        return self._http.open

    def warm_up(self) -> None:
        """Import the HTTP client now rather than on the first request."""
        self._http.warm_up()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()
