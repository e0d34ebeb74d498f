"""THE request path: build -> sign -> send -> map errors -> parse.

Resources describe a call (method, service, path, scope, query, body, result model); this
module encodes it once (full URL string, headers, bytes body) and sends it:

- over the aiohttp transport (the default on asyncio), plain JSON calls go straight to the
  aiohttp session (:class:`~stream_async._http.AiohttpSender`), with no ``httpx.Request``
  or ``httpx.Response`` built unless an error needs one;
- otherwise (httpx's own transport, an injected client, multipart uploads) it builds one
  ``httpx.Request`` directly and hands it to the pooled client's ``send()``, which skips
  httpx's URL merging and query encoding.

The response body is parsed once, from bytes, into the result model.

At DEBUG, the ``stream_async`` logger gets one line per call: method, path (no query
string), status, duration, retries taken and rate-limit remaining; never a token, a
header value other than that count, or a body. ``STREAM_ASYNC_LOG=debug`` in the
environment, read at import, sends those lines to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import anyio
import httpcore
import httpx
from pydantic import ValidationError

from stream_async._auth import Scope, Signer
from stream_async._http import (
    AiohttpSender,
    RawReply,
    TransportName,
    aiohttp_sender,
    build_http_client,
    resolve_transport,
    running_on_asyncio,
)
from stream_async._logging import configure_logging
from stream_async._serialization import dumps
from stream_async._version import __version__
from stream_async.errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    InvalidResponseError,
    RateLimit,
    StreamError,
    error_from_response,
    retry_after_seconds,
)
from stream_async.models._base import RawResponse, StreamResponse

R = TypeVar("R", bound=StreamResponse)

USER_AGENT = f"stream-async-python-{__version__}"

QueryValue = str | int | float | bool | Iterable[str] | None

logger = logging.getLogger("stream_async")
logger.addHandler(logging.NullHandler())

configure_logging()


_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_.~:@-]+")
"""What ``quote(segment, safe=":@")`` leaves as it is: no need to call it."""


_PATHS: dict[tuple[str, ...], str] = {}
_PATHS_KEPT = 4096
"""Recently joined paths (a feed's calls repeat theirs); emptied when full."""


def path(*segments: str) -> str:
    """Join path segments, each percent-encoded (``/`` included), with a trailing slash.

    ``.`` and ``..`` are encoded too, so no id can walk up the path.
    """
    joined = _PATHS.get(segments)
    if joined is not None:
        return joined
    parts = []
    for segment in segments:
        encoded = segment if _PLAIN_SEGMENT.fullmatch(segment) else quote(segment, safe=":@")
        if encoded in (".", ".."):
            encoded = encoded.replace(".", "%2E")
        parts.append(encoded)
    joined = "/".join(parts) + "/"
    if len(_PATHS) >= _PATHS_KEPT:
        _PATHS.clear()
    _PATHS[segments] = joined
    return joined


def _fill_headers(headers: httpx.Headers, raw: Iterable[tuple[bytes, bytes]]) -> None:
    """Fill an empty ``httpx.Headers`` with raw byte pairs the way its constructor would,
    without its per-item type checks (what it stores for bytes: name, lowered name, value)."""
    headers._list = [(name, name.lower(), value) for name, value in raw]


def _headers_filled_like_httpx() -> bool:
    """Whether :func:`_fill_headers` matches this httpx's constructor (checked once)."""
    sample = [(b"Content-Type", b"application/json"), (b"X-A", b"1"), (b"x-a", b"2")]
    filled = httpx.Headers()
    _fill_headers(filled, sample)
    built = httpx.Headers(sample)
    return (
        filled.raw == built.raw == sample
        and filled.multi_items() == built.multi_items()
        and filled.get_list("x-a") == ["1", "2"]
        and filled == built
    )


_FAST_HEADERS = _headers_filled_like_httpx()


def _query_value(value: str | int | float | bool | Iterable[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return ",".join(value)


class HttpPool:
    """The one pooled ``httpx.AsyncClient``, shared by a client and its ``with_options``
    copies, with the client-wide concurrency limit and rate-limit pause.

    The HTTP client is created on first use, inside the event loop, so the transport can
    follow the running async library; an injected client is used as is and never closed
    here.
    """

    __slots__ = (
        "_client",
        "_closed",
        "_limiter",
        "_max_concurrency",
        "_max_connections",
        "_owned",
        "_pause",
        "_paused_until",
        "_transport",
        "sender",
    )

    def __init__(
        self,
        http_client: httpx.AsyncClient | None,
        *,
        transport: TransportName,
        max_connections: int,
        max_concurrency: int | None = None,
        pause_on_rate_limit: bool = False,
    ) -> None:
        self._client = http_client
        self._owned = http_client is None
        self._transport: TransportName = transport
        self._max_connections = max_connections
        self._max_concurrency = max_concurrency
        self._limiter: anyio.CapacityLimiter | _AsyncioSlots | None = None
        self.sender: AiohttpSender | None = None
        """Set when this pool's own client runs over aiohttp: plain calls skip httpx."""
        self._pause = pause_on_rate_limit
        self._paused_until = 0.0
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def transport_name(self) -> str | None:
        """``"aiohttp"`` or ``"httpx"`` once the pool exists; ``"custom"`` when injected."""
        if not self._owned:
            return "custom"
        if self._client is None:
            return None
        return (
            "aiohttp" if type(self._client._transport).__name__ == "AiohttpTransport" else "httpx"
        )

    def get(self) -> httpx.AsyncClient:
        if self._closed:
            raise ClientClosedError("this AsyncStreamClient is closed; create a new one")
        if self._client is None:
            client = build_http_client(
                resolve_transport(self._transport), max_connections=self._max_connections
            )
            self.sender = aiohttp_sender(client)
            self._client = client
        return self._client

    def limiter(self) -> AbstractAsyncContextManager[Any]:
        """A slot under the client-wide concurrency limit, held for one attempt."""
        if self._max_concurrency is None:
            return contextlib.nullcontext()
        if self._limiter is None:
            self._limiter = (
                _AsyncioSlots(self._max_concurrency)
                if running_on_asyncio()
                else anyio.CapacityLimiter(self._max_concurrency)
            )
        return self._limiter

    @property
    def in_flight(self) -> int:
        """Attempts holding a slot right now."""
        return 0 if self._limiter is None else self._limiter.borrowed_tokens

    def note_rate_limit(self, headers: httpx.Headers) -> None:
        """With ``pause_on_rate_limit``, remember when an exhausted window resets."""
        if not self._pause:
            return
        limit = RateLimit.from_headers(headers)
        if limit is not None and limit.remaining <= 0 and limit.reset is not None:
            self._paused_until = max(self._paused_until, limit.reset.timestamp())

    async def wait_for_rate_limit(self) -> None:
        """With ``pause_on_rate_limit``, wait until an exhausted window has reset."""
        if self._paused_until:
            delay = self._paused_until - time.time()
            if delay > 0:
                await _sleep(delay)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.sender = None
        client, self._client = self._client, None
        if client is not None and self._owned:
            await client.aclose()


class _AsyncioSlots:
    """The concurrency limit on asyncio: a FIFO semaphore that takes a free slot without
    a trip through the event loop (anyio's limiter yields on every acquisition)."""

    __slots__ = ("_semaphore", "borrowed_tokens")

    def __init__(self, total: int) -> None:
        self._semaphore = asyncio.Semaphore(total)
        self.borrowed_tokens = 0

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()
        self.borrowed_tokens += 1

    async def __aexit__(self, *exc_info: object) -> None:
        self.borrowed_tokens -= 1
        self._semaphore.release()


@dataclass(frozen=True, slots=True)
class Policy:
    """How calls are timed and retried; ``with_options`` swaps it for a copy.

    ``timeout`` bounds each attempt; ``total_timeout`` bounds the whole call, retries and
    waits included (``None``: only ``max_retries`` bounds it). Waits between attempts grow
    exponentially from ``backoff_base`` up to ``backoff_cap`` seconds, with full jitter.
    """

    timeout: float
    max_retries: int = 2
    total_timeout: float | None = 30.0
    retry_non_idempotent: bool = False
    backoff_base: float = 0.5
    backoff_cap: float = 8.0


_sleep = anyio.sleep
"""The wait between attempts (a module attribute so tests can record or skip waits)."""

_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def never_sent(exc: BaseException) -> bool:
    """Whether a failed attempt certainly never reached the server.

    Decided from the underlying transport's own exception, not the httpx class: the
    aiohttp transport reports a refused connection and a connection dropped after the
    server read the request alike, as ``httpx.ConnectTimeout``.
    """
    aiohttp = sys.modules.get("aiohttp")
    for link in _chain(exc):
        if isinstance(link, (httpx.PoolTimeout, httpcore.ConnectError, httpcore.ConnectTimeout)):
            return True
        if aiohttp is not None and isinstance(
            link, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
        ):
            return True
    return False


class _Reply:
    """One response, read whole: what the retry loop, the parser and the errors need."""

    __slots__ = ("content", "status_code")

    status_code: int
    content: bytes

    @property
    def headers(self) -> httpx.Headers:
        raise NotImplementedError

    def response(self) -> httpx.Response:
        """The response as an ``httpx.Response`` (what errors carry)."""
        raise NotImplementedError

    def rate_limit_remaining(self) -> str | None:
        value: str | None = self.headers.get("x-ratelimit-remaining")
        return value


class _HttpxReply(_Reply):
    __slots__ = ("_response",)

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status_code = response.status_code
        self.content = response.content

    @property
    def headers(self) -> httpx.Headers:
        return self._response.headers

    def response(self) -> httpx.Response:
        return self._response


class _DirectReply(_Reply):
    """A response read by :class:`AiohttpSender`; httpx objects are built only on demand."""

    __slots__ = ("_content_sent", "_headers", "_method", "_raw", "_request_headers", "_url")

    def __init__(
        self,
        raw: RawReply,
        method: str,
        url: str,
        request_headers: dict[str, str],
        content_sent: bytes | None,
    ) -> None:
        self._raw = raw
        self._method = method
        self._url = url
        self._request_headers = request_headers
        self._content_sent = content_sent
        self._headers: httpx.Headers | None = None
        self.status_code = raw.status_code
        self.content = raw.content

    @property
    def headers(self) -> httpx.Headers:
        if self._headers is None:
            if _FAST_HEADERS:
                self._headers = httpx.Headers()
                _fill_headers(self._headers, self._raw.raw_headers)
            else:  # pragma: no cover - an httpx that stores its headers differently
                self._headers = httpx.Headers(list(self._raw.raw_headers))
        return self._headers

    def rate_limit_remaining(self) -> str | None:
        for name, value in self._raw.raw_headers:
            if name.lower() == b"x-ratelimit-remaining":
                return value.decode("latin-1")
        return None

    def response(self) -> httpx.Response:
        raw = self._raw
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if raw.reason:
            extensions["reason_phrase"] = raw.reason.encode()
        # aiohttp has decoded any content-encoding already.
        kept = [(k, v) for k, v in raw.raw_headers if k.lower() != b"content-encoding"]
        request = httpx.Request(
            self._method, self._url, headers=self._request_headers, content=self._content_sent
        )
        return httpx.Response(
            raw.status_code,
            headers=kept,
            content=raw.content,
            request=request,
            extensions=extensions,
        )


class Transport:
    """Signs, sends, retries and parses requests for one client configuration."""

    __slots__ = (
        "_encoded_roots",
        "_header_map",
        "_headers",
        "_key_query",
        "_signer",
        "_token",
        "api_key",
        "policy",
        "pool",
        "roots",
    )

    def __init__(
        self,
        *,
        api_key: str,
        signer: Signer | None,
        user_token: str | None,
        roots: Mapping[str, str],
        policy: Policy,
        pool: HttpPool,
    ) -> None:
        self.api_key = api_key
        self._signer = signer
        self._token = user_token
        self.roots = dict(roots)
        # What the direct path sends as is: each root percent-encoded once.
        self._encoded_roots = {name: str(httpx.URL(root)) for name, root in self.roots.items()}
        self._key_query = urlencode([("api_key", api_key)])
        self.policy = policy
        self.pool = pool
        self._headers = [
            ("Stream-Auth-Type", "jwt"),
            ("X-Stream-Client", USER_AGENT),
            ("Accept", "application/json"),
        ]
        self._header_map = dict(self._headers)

    def __repr__(self) -> str:
        return f"Transport(api_key={self.api_key!r}, roots={self.roots!r})"

    @property
    def client_side(self) -> bool:
        """Whether requests are signed with a user token rather than the API secret."""
        return self._signer is None

    @property
    def timeout(self) -> float:
        return self.policy.timeout

    def copy(self, *, policy: Policy) -> Transport:
        return Transport(
            api_key=self.api_key,
            signer=self._signer,
            user_token=self._token,
            roots=self.roots,
            policy=policy,
            pool=self.pool,
        )

    def _token_for(self, scope: Scope, method: str) -> str:
        if self._signer is not None:
            return self._signer.for_request(scope, method)
        assert self._token is not None
        return self._token

    def _query(self, params: Mapping[str, QueryValue] | None) -> str:
        query = self._key_query
        if params:
            pairs = [(k, _query_value(v)) for k, v in params.items() if v is not None]
            if pairs:
                query = f"{query}&{urlencode(pairs)}"
        return query

    def _build(
        self,
        method: str,
        relative_path: str,
        scope: Scope,
        service: str,
        params: Mapping[str, QueryValue] | None,
        body: Any,
        files: Mapping[str, Any] | None,
    ) -> httpx.Request:
        url = f"{self.roots[service]}{relative_path}?{self._query(params)}"
        headers = [("Authorization", self._token_for(scope, method)), *self._headers]
        content: bytes | None = None
        if body is not None:
            content = dumps(body)
            headers.append(("Content-Type", "application/json"))
        return httpx.Request(method, url, headers=headers, content=content, files=files)

    def _encode(
        self,
        method: str,
        relative_path: str,
        scope: Scope,
        service: str,
        params: Mapping[str, QueryValue] | None,
        body: Any,
    ) -> tuple[str, dict[str, str], bytes | None]:
        """URL, headers and body as the direct path sends them."""
        url = f"{self._encoded_roots[service]}{relative_path}?{self._query(params)}"
        headers = {"Authorization": self._token_for(scope, method), **self._header_map}
        content: bytes | None = None
        if body is not None:
            content = dumps(body)
            headers["Content-Type"] = "application/json"
        return url, headers, content

    async def request(
        self,
        method: str,
        relative_path: str,
        *,
        cast: type[R],
        scope: Scope,
        service: str = "api",
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        files: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        idempotent: bool | None = None,
    ) -> R:
        """Send one call and return its parsed result, or raise the SDK's error for it.

        ``body`` is sent as JSON; ``files`` (httpx's ``files`` mapping, whose file objects
        are streamed, never read whole) as a multipart form instead. ``timeout`` overrides
        the per-attempt timeout. ``idempotent`` says whether the call may be repeated
        safely (default: by HTTP method); only such calls are retried after a failure that
        may have reached the server.
        """
        log = logger.isEnabledFor(logging.DEBUG)
        begun = time.perf_counter() if log else 0.0
        policy = self.policy
        attempt_limit = policy.timeout if timeout is None else timeout
        safe = (method in _IDEMPOTENT_METHODS if idempotent is None else idempotent) or (
            policy.retry_non_idempotent
        )
        shown = f"{service}/{relative_path}"
        pool = self.pool
        http = pool.get()
        sender = pool.sender
        request: httpx.Request | None = None
        clock: Callable[[], float]
        if sender is not None and files is None:
            # Encoded once; every attempt sends the same bytes.
            url, headers, content = self._encode(
                method, relative_path, scope, service, params, body
            )
            clock = time.monotonic  # asyncio's clock: aiohttp runs on asyncio only
        else:
            request = self._build(method, relative_path, scope, service, params, body, files)
            clock = anyio.current_time
        # A call's total deadline never cuts one attempt short of its own timeout
        # (uploads have a longer per-attempt timeout than the default total).
        total = None if policy.total_timeout is None else max(policy.total_timeout, attempt_limit)
        started: float | None = None
        retries = 0
        reply: _Reply | None = None
        while True:
            async with pool.limiter():
                if pool._paused_until:
                    await pool.wait_for_rate_limit()
                now = clock()
                if started is None:
                    started = now
                limit = attempt_limit
                if total is not None:
                    limit = min(limit, max(0.0, started + total - now))
                error: StreamError
                wait: float | None = None
                try:
                    if request is None:
                        assert sender is not None
                        raw = await sender.send(method, url, headers, content, limit)
                        reply = _DirectReply(raw, method, url, headers, content)
                    else:
                        reply = await _send_httpx(http, request, limit)
                except (
                    TimeoutError,
                    asyncio.TimeoutError,
                    httpx.TimeoutException,
                    httpx.RequestError,
                    OSError,
                ) as exc:
                    reply = None
                    sent = not never_sent(exc)
                    error = _connection_error(exc, method, shown, limit, sent and not safe)
                    retryable = not sent or safe
                    error.__cause__ = exc
                else:
                    if pool._pause:
                        pool.note_rate_limit(reply.headers)
                    status = reply.status_code
                    if status < 400:
                        if not log:
                            return _parse(reply, cast, method, shown, retries)
                        try:
                            result = _parse(reply, cast, method, shown, retries)
                        except StreamError as invalid:
                            _log_call(method, shown, begun, retries, reply, invalid)
                            raise
                        _log_call(method, shown, begun, retries, reply, None)
                        return result
                    error = error_from_response(reply.response(), method=method, path=shown)
                    retryable = status in _RETRY_STATUSES and (status == 429 or safe)
                    if status == 429:
                        wait = retry_after_seconds(reply.headers)
                    elif status in _RETRY_STATUSES and not safe:
                        error.may_have_been_applied = True
            remaining = None if total is None else started + total - clock()
            if retryable and retries < policy.max_retries:
                delay = _backoff(policy, retries) if wait is None else wait
                if remaining is None or delay < remaining:
                    retries += 1
                    await _sleep(delay)
                    continue
            error.retries_taken = retries
            if log:
                _log_call(method, shown, begun, retries, reply, error)
            raise error


async def _send_httpx(http: httpx.AsyncClient, request: httpx.Request, limit: float) -> _Reply:
    """One attempt through the httpx client, bounded by httpx's timeouts and a deadline."""
    request.extensions["timeout"] = {"connect": limit, "read": limit, "write": limit, "pool": limit}
    with anyio.fail_after(limit):
        return _HttpxReply(await http.send(request))


def _log_call(
    method: str,
    shown: str,
    begun: float,
    retries: int,
    reply: _Reply | None,
    error: StreamError | None,
) -> None:
    """The DEBUG line of one call; nothing in it comes from a header but the rate-limit
    count, and nothing from a body."""
    duration_ms = (time.perf_counter() - begun) * 1000
    status = None if reply is None else reply.status_code
    remaining = None if reply is None else reply.rate_limit_remaining()
    if remaining is not None and not remaining.strip().isdigit():
        remaining = None  # only ever a count
    fields = {
        "stream_method": method,
        "stream_path": shown,
        "stream_status": status,
        "stream_duration_ms": round(duration_ms, 3),
        "stream_retries": retries,
        "stream_rate_limit_remaining": remaining,
        "stream_error": None if error is None else type(error).__name__,
    }
    if error is None:
        logger.debug(
            "%s %s %s %.1fms retries=%d rate_limit_remaining=%s",
            method,
            shown,
            status,
            duration_ms,
            retries,
            "-" if remaining is None else remaining.strip(),
            extra=fields,
        )
    else:
        logger.debug(
            "%s %s %s %.1fms retries=%d rate_limit_remaining=%s error=%s",
            method,
            shown,
            "-" if status is None else status,
            duration_ms,
            retries,
            "-" if remaining is None else remaining.strip(),
            type(error).__name__,
            extra=fields,
        )


def _backoff(policy: Policy, retries: int) -> float:
    """Full jitter: a random wait up to the exponential step, capped."""
    return random.uniform(0, min(policy.backoff_cap, policy.backoff_base * 2**retries))


def _connection_error(
    exc: BaseException, method: str, shown: str, limit: float, maybe_applied: bool
) -> APIConnectionError:
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError, httpx.TimeoutException)):
        error: APIConnectionError = APITimeoutError(
            f"request timed out after {limit:g}s", method=method, path=shown
        )
    else:
        error = APIConnectionError(
            f"connection failed: {type(exc).__name__}: {exc}", method=method, path=shown
        )
    error.may_have_been_applied = maybe_applied
    return error


def _parse(reply: _Reply, cast: type[R], method: str, shown: str, retries: int) -> R:
    try:
        result = cast.model_validate_json(reply.content)
    except ValidationError as exc:
        raise InvalidResponseError(
            f"HTTP {reply.status_code} on {method} {shown}: the body is not a valid "
            f"{cast.__name__} ({exc.error_count()} errors: {exc.errors()[0]['msg']})",
            status_code=reply.status_code,
            response=reply.response(),
        ) from exc
    raw = RawResponse(reply.status_code, reply.headers)
    private = result.__pydantic_private__
    if private is None:  # pragma: no cover - every response model has private attributes
        result._raw, result._retries = raw, retries
    else:
        private["_raw"] = raw
        private["_retries"] = retries
    return result
