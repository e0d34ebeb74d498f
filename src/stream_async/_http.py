"""The sender seam: one prepared request in, one reply (or one neutral failure) out.

The request path (:mod:`stream_async._transport`) encodes every call once into a
:class:`PreparedRequest` and hands it to a :class:`Sender`, which has one implementation per
backend:

- :class:`AiohttpSender`: the client's own aiohttp session (the default on asyncio when the
  ``aiohttp`` extra is installed). The client creates the session itself and gives the same
  session to its ``httpx.AsyncClient`` through ``httpx_aiohttp.AiohttpTransport(client=...)``,
  so both share one pool and one connection limit;
- :class:`HttpxSender`: a pooled ``httpx.AsyncClient`` (under trio, without the extra,
  ``transport="httpx"``, or a client the user injects);
- :class:`AsgiSender`: an ASGI app driven in process (what :mod:`stream_async.testing` uses).

Each sender maps its own library's exceptions exactly once, into :class:`SendTimeout` or
:class:`SendError`, which say whether the request may have reached the server; the retry
loop decides from those alone. Each reads at most ``max_response_bytes`` of body (counted
after any ``Content-Encoding`` is undone) and never follows a redirect: a 3xx is returned
as it is, and the request path turns it into an error, so the ``Authorization`` header
never goes to another host (httpx's default, and what the anthropic SDK's transport does
with ``follow_redirects=False``).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, Protocol

import anyio
import httpx

from stream_async.errors import StreamConfigurationError

if TYPE_CHECKING:
    import aiohttp

TransportName = Literal["auto", "aiohttp", "httpx"]

DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
"""32 MiB: far above any page the API returns (100 enriched activities are a few hundred KB)."""

RawHeaders = Sequence[tuple[bytes, bytes]]


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


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """One call, encoded once: every attempt sends exactly this.

    ``url`` is complete and percent-encoded (senders pass it on as is); ``content`` is the
    JSON body as bytes, or a multipart upload as an async iterable of bytes that starts
    over on each iteration (its file objects are rewound and streamed on each attempt,
    never read whole; its ``Content-Length`` is in ``headers``); ``timeout`` is
    the per-attempt timeout in seconds (an attempt may get less when the call's total
    deadline is nearer).
    """

    method: str
    url: str
    headers: dict[str, str]
    content: bytes | AsyncIterable[bytes] | None
    timeout: float


class Reply(NamedTuple):
    """What a sender read: status, reason phrase, raw header pairs and the whole body
    (already decompressed)."""

    status_code: int
    reason: str
    headers: RawHeaders
    content: bytes


class SendError(Exception):
    """No usable response: the neutral failure every sender raises for its library's
    connection errors. ``sent`` is false only when the request certainly never reached the
    server (the connection was never made). The library's exception is the ``__cause__``."""

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent


class SendTimeout(SendError):
    """The attempt ran out of time (connecting, sending, waiting or reading)."""


class ResponseTooLarge(SendError):
    """The response body is larger than the sender's ``max_response_bytes``."""

    def __init__(self, *, limit: int, size: int | None) -> None:
        known = "" if size is None else f" (Content-Length {size})"
        super().__init__(
            f"the response body is larger than max_response_bytes={limit}{known}", sent=True
        )
        self.limit = limit


class Sender(Protocol):
    """Sends one prepared request and returns the reply, or raises :class:`SendError`."""

    async def send(self, request: PreparedRequest, timeout: float) -> Reply:
        """One attempt, bounded by ``timeout`` seconds in all."""
        ...


def _declared_size(length: str | None, encoded: bool, limit: int) -> None:
    """Refuse at once a plain body whose ``Content-Length`` is over ``limit``. (An encoded
    body's length says nothing of its decoded size: it is counted as it is read.)"""
    if length is None or encoded:
        return
    length = length.strip()
    if length.isdigit() and int(length) > limit:
        raise ResponseTooLarge(limit=limit, size=int(length))


async def _read_capped(chunks: AsyncIterable[bytes], limit: int) -> bytes:
    """The whole body, given as decoded chunks, failing as soon as it passes ``limit``."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise ResponseTooLarge(limit=limit, size=None)
    return bytes(body)


_NO_DEFAULT_CONTENT_TYPE = ("Content-Type",)


class AiohttpSender:
    """Sends through an aiohttp session and reads the body as bytes.

    The URL is passed on as is (``encoded=True``), so an encoded ``%2E%2E`` or ``%2F`` in an
    id stays one path segment. ``timeout`` bounds the whole exchange, connecting, sending
    and reading the body included. Redirects are never followed.

    aiohttp's exceptions map as follows (subclasses before their bases): a connect timeout
    is a timeout never sent; any other aiohttp or asyncio timeout, a timeout that may have
    been sent; ``ClientConnectorError`` (refused, DNS, TLS, proxy) and an invalid or
    non-HTTP URL, a connection error never sent; every other ``ClientError`` or ``OSError``
    (disconnected, reset, malformed or truncated response), a connection error that may
    have been sent.
    """

    __slots__ = ("_aiohttp", "_last_timeout", "_limit", "_session", "_url")

    def __init__(self, session: aiohttp.ClientSession, *, max_response_bytes: int) -> None:
        import aiohttp
        import yarl

        self._aiohttp = aiohttp
        self._session = session
        self._url = yarl.URL
        self._limit = max_response_bytes
        # Most attempts share one timeout (the client's): reuse its ClientTimeout.
        self._last_timeout = aiohttp.ClientTimeout(total=0.0)

    async def send(self, request: PreparedRequest, timeout: float) -> Reply:
        limits = self._last_timeout
        if limits.total != timeout:
            limits = self._last_timeout = self._aiohttp.ClientTimeout(
                total=timeout, sock_connect=timeout
            )
        try:
            async with self._session.request(
                request.method,
                self._url(request.url, encoded=True),
                headers=request.headers,
                data=request.content,
                # a write without a body carries no Content-Type (aiohttp's default would be
                # application/octet-stream); every body's own type is in ``headers``
                skip_auto_headers=_NO_DEFAULT_CONTENT_TYPE,
                timeout=limits,
                allow_redirects=False,
            ) as response:
                length = response.content_length
                if length is None or "Content-Encoding" in response.headers:
                    body = await _read_capped(response.content.iter_any(), self._limit)
                elif length > self._limit:
                    raise ResponseTooLarge(limit=self._limit, size=length)
                else:
                    body = await response.read()
                return Reply(response.status, response.reason or "", response.raw_headers, body)
        except (self._aiohttp.ClientError, OSError, asyncio.TimeoutError, TimeoutError) as exc:
            raise aiohttp_failure(exc) from exc


def aiohttp_failure(exc: BaseException) -> SendError:
    """The neutral failure for one of aiohttp's (or asyncio's) exceptions."""
    import aiohttp

    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return SendTimeout(message, sent=False)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):  # distinct before Python 3.11
        return SendTimeout(message, sent=True)
    if isinstance(
        exc, (aiohttp.ClientConnectorError, aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)
    ):
        return SendError(message, sent=False)
    return SendError(message, sent=True)


class HttpxSender:
    """Sends through a pooled ``httpx.AsyncClient`` (its own transport, or whatever an
    injected client carries), streaming the body so that its size can be capped.

    Each attempt gets httpx's four timeouts set to ``timeout`` and is also bounded as a
    whole (a body that trickles in byte by byte still stops). Redirects are not followed,
    even on an injected client that follows them by default.

    httpx's exceptions map as follows: ``ConnectTimeout`` and ``PoolTimeout`` are
    timeouts never sent, any other ``TimeoutException`` (and the whole-attempt deadline) a
    timeout that may have been sent; ``ConnectError`` and ``UnsupportedProtocol``
    connection errors never sent; every other ``RequestError`` (a broken connection, a
    protocol or decoding error) or ``OSError`` a connection error that may have been sent.
    The classes are taken at their word: an injected client over ``httpx-aiohttp`` reports
    every aiohttp connection error, even one after the request went out, as
    ``ConnectTimeout``; the client's own aiohttp pool is sent through
    :class:`AiohttpSender` instead, which sees aiohttp's own exceptions.
    """

    __slots__ = ("_client", "_limit")

    def __init__(self, client: httpx.AsyncClient, *, max_response_bytes: int) -> None:
        self._client = client
        self._limit = max_response_bytes

    async def send(self, request: PreparedRequest, timeout: float) -> Reply:
        outgoing = _httpx_request(request, timeout)
        try:
            with anyio.fail_after(timeout):
                response = await self._client.send(outgoing, stream=True, follow_redirects=False)
                try:
                    return await _httpx_reply(response, self._limit)
                finally:
                    await response.aclose()
        except (httpx.RequestError, OSError, TimeoutError) as exc:
            raise httpx_failure(exc) from exc


def _httpx_request(request: PreparedRequest, timeout: float) -> httpx.Request:
    return httpx.Request(
        request.method,
        request.url,
        headers=request.headers,
        content=request.content,
        extensions={
            "timeout": {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        },
    )


async def _httpx_reply(response: httpx.Response, limit: int) -> Reply:
    headers = response.headers
    _declared_size(headers.get("Content-Length"), "Content-Encoding" in headers, limit)
    body = await _read_capped(response.aiter_bytes(), limit)
    return Reply(response.status_code, response.reason_phrase, headers.raw, body)


def httpx_failure(exc: BaseException) -> SendError:
    """The neutral failure for one of httpx's exceptions (or the attempt's deadline)."""
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return SendTimeout(message, sent=False)
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return SendTimeout(message, sent=True)
    if isinstance(exc, (httpx.ConnectError, httpx.UnsupportedProtocol)):
        return SendError(message, sent=False)
    return SendError(message, sent=True)


class AsgiSender:
    """Drives an ASGI app in process, through ``httpx.ASGITransport`` (no sockets).

    An exception raised by the app is what a real server's crash looks like to a client: a
    connection error after the request was sent. Bounded by ``timeout`` like the others,
    and capped at ``max_response_bytes`` once the app has answered.
    """

    __slots__ = ("_limit", "_transport")

    def __init__(self, app: Any, *, max_response_bytes: int) -> None:
        self._transport = httpx.ASGITransport(app=app)
        self._limit = max_response_bytes

    async def send(self, request: PreparedRequest, timeout: float) -> Reply:
        try:
            with anyio.fail_after(timeout):
                response = await self._transport.handle_async_request(
                    _httpx_request(request, timeout)
                )
                try:
                    return await _httpx_reply(response, self._limit)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise SendTimeout(f"{type(exc).__name__}: {exc}", sent=True) from exc
        except ResponseTooLarge:
            raise
        except Exception as exc:
            raise SendError(f"the app raised {type(exc).__name__}: {exc}", sent=True) from exc


def build_http_client(
    transport: Literal["aiohttp", "httpx"], *, max_connections: int
) -> tuple[httpx.AsyncClient, aiohttp.ClientSession | None]:
    """The client's own pooled ``httpx.AsyncClient``, and the aiohttp session under it when
    ``transport`` is ``"aiohttp"`` (call it inside the event loop). Timeouts are set per
    request, so the client's own are off; closing the httpx client closes the session."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    if transport == "httpx":
        return httpx.AsyncClient(limits=limits, timeout=None), None
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=max_connections,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=httpx.create_ssl_context(),
        ),
        # The API sets no cookies; none are kept from one call to the next.
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    return httpx.AsyncClient(transport=AiohttpTransport(client=session), timeout=None), session
