"""The pooled ``httpx.AsyncClient`` behind every :class:`AsyncStreamClient`.

On asyncio, httpcore's connection pool scans every connection for every queued request, so
its cost grows with concurrency; the default client therefore runs httpx over an aiohttp
connection pool (``httpx-aiohttp``, the ``aiohttp`` extra) when that is installed. Under
trio, or without the extra, it uses httpx's own transport. ``transport="aiohttp"`` or
``"httpx"`` picks explicitly.

With the aiohttp transport, the request path skips httpx for plain JSON calls: an
:class:`AiohttpSender` hands the already-encoded URL, headers and body straight to the
same aiohttp session (one pool, one connection limit) and reads the body as bytes; the
httpx client stays in front of it for multipart uploads. Its failures are raised as the
same httpx exceptions the ``httpx-aiohttp`` transport raises, chained to aiohttp's own.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import httpx

from stream_async.errors import StreamConfigurationError

if TYPE_CHECKING:
    import aiohttp

TransportName = Literal["auto", "aiohttp", "httpx"]


def aiohttp_available() -> bool:
    """Whether the ``aiohttp`` extra (httpx-aiohttp) is installed."""
    return importlib.util.find_spec("httpx_aiohttp") is not None


def running_on_asyncio() -> bool:
    """Whether the caller runs in an asyncio task (as opposed to trio)."""
    try:
        return asyncio.current_task() is not None
    except RuntimeError:
        return False


def resolve_transport(choice: TransportName) -> Literal["aiohttp", "httpx"]:
    """The transport ``choice`` means here and now (call it inside the event loop)."""
    if choice == "httpx":
        return "httpx"
    on_asyncio = running_on_asyncio()
    if choice == "aiohttp":
        if not aiohttp_available():
            raise StreamConfigurationError(
                "transport='aiohttp' needs the aiohttp extra: pip install 'stream-async[aiohttp]'"
            )
        if not on_asyncio:
            raise StreamConfigurationError("transport='aiohttp' runs on asyncio only")
        return "aiohttp"
    return "aiohttp" if on_asyncio and aiohttp_available() else "httpx"


def build_http_client(
    transport: Literal["aiohttp", "httpx"], *, max_connections: int
) -> httpx.AsyncClient:
    """A pooled client; timeouts are set per request, so the client's own are off."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    if transport == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        # httpx ignores its own ``limits`` once a transport is given: the aiohttp
        # connector takes the connection limit from the transport instead.
        return httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=None)
    return httpx.AsyncClient(limits=limits, timeout=None)


class RawReply(NamedTuple):
    """What :class:`AiohttpSender` read: status, reason phrase, raw headers and body."""

    status_code: int
    reason: str | None
    raw_headers: tuple[tuple[bytes, bytes], ...]
    content: bytes


def _httpx_error_table() -> list[tuple[type[BaseException], type[httpx.TransportError]]]:
    """aiohttp's exceptions and the httpx ones ``httpx-aiohttp`` raises for them."""
    import aiohttp

    table: list[tuple[type[BaseException], type[httpx.TransportError]]] = [
        (aiohttp.ServerTimeoutError, httpx.TimeoutException),
        (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
        (aiohttp.ClientConnectionError, httpx.ConnectTimeout),
        (aiohttp.ClientConnectorError, httpx.ConnectError),
        (aiohttp.ClientPayloadError, httpx.ReadError),
        (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
        (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    ]
    for name in ("NonHttpUrlClientError", "InvalidUrlClientError"):
        kind = getattr(aiohttp, name, None)
        if kind is not None:
            table.append((kind, httpx.UnsupportedProtocol))
    return table


class AiohttpSender:
    """Sends one encoded request through an aiohttp session and reads the whole body.

    ``url`` must be fully percent-encoded already: it is passed on as is (``encoded=True``),
    so an encoded ``%2E%2E`` or ``%2F`` in an id stays one path segment. ``timeout`` bounds
    the whole exchange, connecting, sending and reading the body included.
    """

    __slots__ = ("_client_error", "_errors", "_last_timeout", "_session", "_timeout", "_url")

    def __init__(self, session: aiohttp.ClientSession) -> None:
        import aiohttp
        import yarl

        self._session = session
        self._timeout = aiohttp.ClientTimeout
        self._url = yarl.URL
        self._client_error = aiohttp.ClientError
        self._errors = _httpx_error_table()
        # Most attempts share one timeout (the client's): reuse its ClientTimeout.
        self._last_timeout = aiohttp.ClientTimeout(total=0.0)

    async def send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        timeout: float,
    ) -> RawReply:
        limits = self._last_timeout
        if limits.total != timeout:
            limits = self._last_timeout = self._timeout(total=timeout, sock_connect=timeout)
        try:
            async with self._session.request(
                method,
                self._url(url, encoded=True),
                headers=headers,
                data=content,
                timeout=limits,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                return RawReply(response.status, response.reason, response.raw_headers, body)
        except self._client_error as exc:
            mapped: type[httpx.TransportError] | None = None
            for source, target in self._errors:
                if isinstance(exc, source) and (mapped is None or issubclass(target, mapped)):
                    mapped = target
            # Anything else (a malformed response, say) is still a transport failure,
            # never a raw aiohttp error.
            raise (mapped or httpx.RemoteProtocolError)(str(exc)) from exc


def aiohttp_sender(client: httpx.AsyncClient) -> AiohttpSender | None:
    """The direct sender over the aiohttp session of a client that :func:`build_http_client`
    made with the aiohttp transport (the session is opened now); ``None`` for any other
    client. Call it inside the event loop."""
    transport: Any = client._transport
    if type(transport).__name__ != "AiohttpTransport":
        return None
    if transport.client is None:
        transport.client = transport.get_client()
    return AiohttpSender(transport.client)
