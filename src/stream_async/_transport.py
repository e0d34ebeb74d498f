"""THE request path: encode -> sign -> send -> classify -> retry -> parse.

Resources describe a call (method, service, path, scope, query, body or files, result
model); :meth:`Transport.prepare` encodes it once into an immutable
:class:`~stream_async._http.PreparedRequest` (full percent-encoded URL, headers, JSON bytes
or a multipart stream, per-attempt timeout), and every attempt hands that same request to
the pool's one :class:`~stream_async._http.Sender` (aiohttp, httpx or an in-process ASGI
app). A sender returns status, headers and body bytes, or raises the SDK's neutral
:class:`~stream_async._http.SendError` (timeout or not; sent or never sent); the retry loop
decides from those and from the status alone, never from an HTTP library's classes. No
``httpx.Request`` or ``httpx.Response`` is built on the way unless an error needs one.

Bounds: no wait (backoff, ``Retry-After``, ``x-ratelimit-reset``, ``pause_on_rate_limit``)
runs past the call's ``total_timeout``, nor past 60 s without one; time queued for a
concurrency slot counts against ``total_timeout``; any 3xx is an error.

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
import time
import warnings
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlencode

import anyio
import httpx
from pydantic import ValidationError

from stream_async._auth import Scope, Signer
from stream_async._http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AiohttpSender,
    HttpxSender,
    PreparedRequest,
    RawHeaders,
    Reply,
    ResponseTooLarge,
    Sender,
    SendError,
    SendTimeout,
    TransportName,
    build_http_client,
    resolve_transport,
    running_on_asyncio,
)
from stream_async._logging import configure_logging
from stream_async._ratelimit import reset_time, retry_after_seconds
from stream_async._serialization import dumps
from stream_async._version import __version__
from stream_async.errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    InvalidResponseError,
    ResponseTooLargeError,
    StreamAPIError,
    StreamError,
    error_from_response,
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


def _query_value(value: str | int | float | bool | Iterable[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return ",".join(value)


MAX_UNBOUNDED_WAIT: Final = 60.0
"""With ``total_timeout=None``, the longest wait the SDK takes between attempts (a server's
``Retry-After``, a backoff) or before one (``pause_on_rate_limit``); the anthropic SDK
honours a ``Retry-After`` of at most 60 s too."""


class HttpPool:
    """The one pooled ``httpx.AsyncClient`` and its sender, shared by a client and its
    ``with_options`` copies, with the client-wide concurrency limit and rate-limit pause.

    The HTTP client is created on first use, inside the event loop, so the transport can
    follow the running async library: on aiohttp, the pool creates the aiohttp session,
    hands it to ``httpx_aiohttp.AiohttpTransport(client=...)`` for its ``httpx.AsyncClient``
    and sends through it with :class:`~stream_async._http.AiohttpSender`; otherwise it sends
    through the ``httpx.AsyncClient`` with :class:`~stream_async._http.HttpxSender`. An
    injected client is used as is and never closed here. A pool garbage-collected while its
    own client is still open warns with ``ResourceWarning`` and closes the sockets.
    """

    __slots__ = (
        "__weakref__",
        "_client",
        "_closed",
        "_limiter",
        "_max_concurrency",
        "_max_connections",
        "_name",
        "_owned",
        "_pause",
        "_paused_until",
        "_sender",
        "_session",
        "_transport",
        "max_response_bytes",
    )

    def __init__(
        self,
        http_client: httpx.AsyncClient | None,
        *,
        transport: TransportName,
        max_connections: int,
        max_concurrency: int,
        pause_on_rate_limit: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._client = http_client
        self._owned = http_client is None
        self._session: Any = None
        self._transport: TransportName = transport
        self._max_connections = max_connections
        self._max_concurrency = max_concurrency
        self.max_response_bytes = max_response_bytes
        self._limiter: anyio.CapacityLimiter | _AsyncioSlots | None = None
        self._sender: Sender | None = None
        self._name: str | None = None if http_client is None else "custom"
        self._pause = pause_on_rate_limit
        self._paused_until = 0.0
        self._closed = False

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        if self._closed or not self._owned or self._client is None:
            return
        _warn(
            "an AsyncStreamClient was garbage-collected unclosed; use `async with` or "
            "`await client.aclose()`",
            ResourceWarning,
            source=self,
        )
        session, self._session = self._session, None
        if session is not None:
            _close_session_now(session)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def transport_name(self) -> str | None:
        """``"aiohttp"`` or ``"httpx"`` once the pool exists; ``"custom"`` for an injected
        client; ``"asgi"`` for an in-process app (:mod:`stream_async.testing`)."""
        return self._name

    def attach(self, sender: Sender, name: str) -> None:
        """Send through ``sender`` (named ``name``) instead of an HTTP client of its own:
        how :mod:`stream_async.testing` drives an ASGI app in process."""
        self._owned = False
        self._sender = sender
        self._name = name

    def get(self) -> httpx.AsyncClient:
        """The pooled ``httpx.AsyncClient`` (created now if needed)."""
        self.sender()
        assert self._client is not None
        return self._client

    def sender(self) -> Sender:
        """The sender every attempt goes through; raises ``ClientClosedError`` once the
        pool is closed."""
        sender = self._sender
        if sender is None:
            if self._closed:
                raise ClientClosedError("this AsyncStreamClient is closed; create a new one")
            sender = self._sender = self._open()
        return sender

    def _open(self) -> Sender:
        limit = self.max_response_bytes
        if self._client is not None:
            return HttpxSender(self._client, max_response_bytes=limit)
        name = resolve_transport(self._transport)
        self._client, self._session = build_http_client(name, max_connections=self._max_connections)
        self._name = name
        if self._session is not None:
            return AiohttpSender(self._session, max_response_bytes=limit)
        return HttpxSender(self._client, max_response_bytes=limit)

    def limiter(self) -> anyio.CapacityLimiter | _AsyncioSlots:
        """The client-wide concurrency limit: one slot is held per attempt."""
        limiter = self._limiter
        if limiter is None:
            limiter = self._limiter = (
                _AsyncioSlots(self._max_concurrency)
                if running_on_asyncio()
                else anyio.CapacityLimiter(self._max_concurrency)
            )
        return limiter

    def note_rate_limit(self, headers: RawHeaders) -> None:
        """With ``pause_on_rate_limit``, remember when an exhausted window resets (headers
        that are not plain counts are ignored)."""
        remaining = _raw_header(headers, b"x-ratelimit-remaining")
        if remaining is None or remaining.strip() != b"0":
            return
        reset = reset_time(httpx.Headers(list(headers)))
        if reset is not None:
            self._paused_until = max(self._paused_until, reset.timestamp())

    def pause(self) -> float:
        """Seconds until an exhausted rate-limit window resets (0 when none is)."""
        return max(0.0, self._paused_until - time.time()) if self._paused_until else 0.0

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._sender = None
        self._session = None
        client, self._client = self._client, None
        if client is not None and self._owned:
            await client.aclose()


def _close_session_now(session: Any) -> None:
    """Close an abandoned aiohttp session's sockets without awaiting anything: detach its
    connector (the session then counts as closed and keeps quiet) and start closing the
    connector, which closes every transport at once; what is left to wait for runs on the
    loop if it still runs."""
    connector = session.connector
    session.detach()
    if connector is None:  # pragma: no cover - a session always has one until detached
        return
    with contextlib.suppress(RuntimeError):
        steps = connector.close().__await__()
        with contextlib.suppress(StopIteration):
            next(steps)
        steps.close()


class _AsyncioSlots:
    """The concurrency limit on asyncio: a FIFO semaphore that takes a free slot without
    a trip through the event loop (anyio's limiter yields on every acquisition)."""

    __slots__ = ("_semaphore",)

    def __init__(self, total: int) -> None:
        self._semaphore = asyncio.Semaphore(total)

    async def acquire_within(self, timeout: float | None) -> None:
        semaphore = self._semaphore
        if timeout is None or not semaphore.locked():
            await semaphore.acquire()
        else:
            await asyncio.wait_for(semaphore.acquire(), timeout)

    def release(self) -> None:
        self._semaphore.release()


async def _acquire_within(
    limiter: anyio.CapacityLimiter | _AsyncioSlots, timeout: float | None
) -> None:
    """Take a slot within ``timeout`` seconds (``None``: however long it takes), else
    raise ``TimeoutError`` (``asyncio.TimeoutError`` on asyncio before Python 3.11)."""
    if isinstance(limiter, _AsyncioSlots):
        await limiter.acquire_within(timeout)
    else:
        with anyio.fail_after(timeout):
            await limiter.acquire()


@dataclass(frozen=True, slots=True)
class Policy:
    """How calls are timed and retried; ``with_options`` swaps it for a copy.

    ``timeout`` bounds each attempt; ``total_timeout`` bounds the whole call, retries,
    waits and time queued for a concurrency slot included (``None``: only ``max_retries``
    bounds it, and no single wait over 60 s is taken). Waits between attempts grow
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


class _Form:
    """A multipart form as an async iterable of bytes that starts over on each iteration
    (httpx's own stream is a sync iterable too: given as ``content=``, httpx would take it
    for a sync body, which an ``AsyncClient`` refuses)."""

    __slots__ = ("_stream",)

    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()


@dataclass(slots=True)
class _Call:
    """What the retry loop's steps share about one call."""

    request: PreparedRequest
    shown: str
    safe: bool
    budget: float | None
    """Seconds the whole call may take (``None``: no limit)."""
    deadline: float | None
    retries: int = 0


class Transport:
    """Encodes, signs, sends, retries and parses requests for one client configuration.

    :meth:`request` runs the retry loop as small named steps: :meth:`prepare` (the one
    encoder), :meth:`_attempt` (one attempt through the sender), :func:`_failure_error` and
    :func:`_status_error` (classify an outcome), :func:`_retry_delay` (how long to wait, or
    give up).
    """

    __slots__ = (
        "_header_map",
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
        # Each root percent-encoded once: senders pass URLs on as they are.
        self.roots = {name: str(httpx.URL(root)) for name, root in roots.items()}
        self._key_query = urlencode([("api_key", api_key)])
        self.policy = policy
        self.pool = pool
        self._header_map = {
            "Stream-Auth-Type": "jwt",
            "X-Stream-Client": USER_AGENT,
            "Accept": "application/json",
        }

    def __repr__(self) -> str:
        return f"Transport(api_key={self.api_key!r}, roots={self.roots!r})"

    @property
    def client_side(self) -> bool:
        """Whether requests are signed with a user token rather than the API secret."""
        return self._signer is None

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

    def _query(
        self,
        params: Mapping[str, QueryValue] | None,
        extra: Mapping[str, QueryValue] | None = None,
    ) -> str:
        query = self._key_query
        if extra:
            params = {**(params or {}), **extra}
        if params:
            pairs = [(k, _query_value(v)) for k, v in params.items() if v is not None]
            if pairs:
                query = f"{query}&{urlencode(pairs)}"
        return query

    def prepare(
        self,
        method: str,
        relative_path: str,
        *,
        scope: Scope,
        service: str = "api",
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        files: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, QueryValue] | None = None,
    ) -> PreparedRequest:
        """The one encoder: a call as every attempt sends it.

        ``body`` becomes JSON bytes; ``files`` (httpx's ``files`` mapping) a multipart form,
        encoded by httpx's public ``Request(files=...)``, whose stream rewinds and streams
        its file objects on each attempt, with its ``Content-Type`` boundary and its
        ``Content-Length`` when every part's size is known (chunked otherwise).
        ``extra_query`` joins ``params`` (replacing a key of the same name);
        ``extra_headers`` replace the SDK's headers of the same name, in any case (the
        caller has refused the signing headers).
        """
        url = f"{self.roots[service]}{relative_path}?{self._query(params, extra_query)}"
        headers = {"Authorization": self._token_for(scope, method), **self._header_map}
        if extra_headers:
            replaced = {name.lower() for name in extra_headers}
            headers = {k: v for k, v in headers.items() if k.lower() not in replaced}
            headers.update(extra_headers)
        content: bytes | AsyncIterable[bytes] | None = None
        if files is not None:
            form = httpx.Request(method, url, files=files)
            headers["Content-Type"] = form.headers["Content-Type"]
            length = form.headers.get("Content-Length")
            if length is not None:  # else (a file of unknown size) it is sent chunked
                headers["Content-Length"] = length
            assert isinstance(form.stream, httpx.AsyncByteStream)
            content = _Form(form.stream)
        elif body is not None:
            content = dumps(body)
            headers["Content-Type"] = "application/json"
        return PreparedRequest(
            method, url, headers, content, self.policy.timeout if timeout is None else timeout
        )

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
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, QueryValue] | None = None,
    ) -> R:
        """Send one call and return its parsed result, or raise the SDK's error for it.

        ``body`` is sent as JSON; ``files`` (httpx's ``files`` mapping, whose file objects
        are streamed, never read whole) as a multipart form instead. ``timeout`` overrides
        the per-attempt timeout. ``idempotent`` says whether the call may be repeated
        safely (default: by HTTP method); only such calls are retried after a failure that
        may have reached the server. ``max_retries`` replaces the policy's for this call;
        ``extra_headers`` and ``extra_query`` go to :meth:`prepare`.
        """
        log = logger.isEnabledFor(logging.DEBUG)
        begun = time.perf_counter() if log else 0.0
        policy = self.policy
        if max_retries is not None:
            policy = replace(policy, max_retries=max_retries)
        sender = self.pool.sender()
        request = self.prepare(
            method,
            relative_path,
            scope=scope,
            service=service,
            params=params,
            body=body,
            files=files,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        # A call's total deadline never cuts one attempt short of its own timeout
        # (uploads have a longer per-attempt timeout than the default total).
        total = policy.total_timeout
        budget = None if total is None else max(total, request.timeout)
        call = _Call(
            request,
            f"{service}/{relative_path}",
            (method in _IDEMPOTENT_METHODS if idempotent is None else idempotent)
            or policy.retry_non_idempotent,
            budget,
            None if budget is None else time.monotonic() + budget,
        )
        while True:
            reply: Reply | None = None
            wait: float | None = None
            error: StreamError
            try:
                reply = await self._attempt(sender, call)
            except _AttemptFailed as failed:
                error, retryable = _failure_error(failed, call)
            else:
                if reply.status_code < 300:
                    return _success(reply, cast, call, log, begun)
                error, retryable, wait = _status_error(reply, call)
            delay = _retry_delay(policy, call, retryable, wait)
            if delay is None:
                error.retries_taken = call.retries
                if log:
                    _log_call(request.method, call.shown, begun, call.retries, reply, error)
                raise error
            call.retries += 1
            await _sleep(delay)

    async def _attempt(self, sender: Sender, call: _Call) -> Reply:
        """One attempt: wait out a rate-limit pause that fits the deadline, take a
        concurrency slot within the deadline, send within the attempt's time."""
        pool = self.pool
        deadline = call.deadline
        if pool._paused_until:
            pause = pool.pause()
            left = MAX_UNBOUNDED_WAIT if deadline is None else deadline - time.monotonic()
            if 0 < pause < left:
                await _sleep(pause)
        limiter = pool.limiter()
        waited = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            await _acquire_within(limiter, waited)
        except (TimeoutError, asyncio.TimeoutError) as exc:  # distinct before Python 3.11
            raise _AttemptFailed(
                SendTimeout("no slot came free under max_concurrency", sent=False),
                call.budget or 0.0,
            ) from exc
        try:
            limit = call.request.timeout
            if deadline is not None:
                limit = min(limit, max(0.0, deadline - time.monotonic()))
            try:
                reply = await sender.send(call.request, limit)
            except SendError as failure:
                raise _AttemptFailed(failure, limit) from failure.__cause__
        finally:
            limiter.release()
        if pool._pause:
            pool.note_rate_limit(reply.headers)
        return reply


class _AttemptFailed(Exception):
    """An attempt's :class:`SendError` and the time the attempt had."""

    def __init__(self, failure: SendError, limit: float) -> None:
        super().__init__(str(failure))
        self.failure = failure
        self.limit = limit


def _failure_error(failed: _AttemptFailed, call: _Call) -> tuple[APIConnectionError, bool]:
    """The SDK error for a failed attempt, and whether it may be retried: a request that
    never reached the server always may; one that may have, only when the call is safe to
    repeat; a too-large response never (the server answered)."""
    failure = failed.failure
    method = call.request.method
    error: APIConnectionError
    if isinstance(failure, ResponseTooLarge):
        error = ResponseTooLargeError(
            str(failure), method=method, path=call.shown, limit=failure.limit
        )
        retryable = False
    else:
        if isinstance(failure, SendTimeout):
            before_sending = "" if failure.sent else f" before sending ({failure})"
            error = APITimeoutError(
                f"request timed out after {failed.limit:g}s{before_sending}",
                method=method,
                path=call.shown,
            )
        else:
            error = APIConnectionError(
                f"connection failed: {failure}", method=method, path=call.shown
            )
        retryable = not failure.sent or call.safe
    error.may_have_been_applied = failure.sent and not call.safe
    error.__cause__ = failed.__cause__ or failure
    return error, retryable


def _status_error(reply: Reply, call: _Call) -> tuple[StreamAPIError, bool, float | None]:
    """The SDK error for an answer of 300 or more, whether it may be retried, and the wait
    the server asked for (on 429 only)."""
    status = reply.status_code
    error = error_from_response(
        _response(reply, call.request), method=call.request.method, path=call.shown
    )
    if status not in _RETRY_STATUSES:
        return error, False, None
    if status == 429:  # the API did not apply it: retried for any call
        assert error.response is not None
        return error, True, retry_after_seconds(error.response.headers)
    if not call.safe:
        error.may_have_been_applied = True
    return error, call.safe, None


def _retry_delay(policy: Policy, call: _Call, retryable: bool, wait: float | None) -> float | None:
    """How long to wait before the next attempt, or ``None`` to give up: when the error is
    not retryable, the retries are spent, or the wait (the server's, else backoff) would
    run past the call's deadline (without one, past 60 s)."""
    if not retryable or call.retries >= policy.max_retries:
        return None
    delay = _backoff(policy, call.retries) if wait is None else wait
    if call.deadline is None:
        return delay if delay <= MAX_UNBOUNDED_WAIT else None
    return delay if delay < call.deadline - time.monotonic() else None


def _backoff(policy: Policy, retries: int) -> float:
    """Full jitter: a random wait up to the exponential step, capped."""
    return random.uniform(0, min(policy.backoff_cap, policy.backoff_base * 2**retries))


def _raw_header(headers: RawHeaders, name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _response(reply: Reply, request: PreparedRequest) -> httpx.Response:
    """The reply as an ``httpx.Response`` (what errors carry), built only when one is
    needed. The sender has undone any content-encoding already."""
    extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
    if reply.reason:
        extensions["reason_phrase"] = reply.reason.encode()
    kept = [(k, v) for k, v in reply.headers if k.lower() != b"content-encoding"]
    content = request.content if isinstance(request.content, bytes) else None
    return httpx.Response(
        reply.status_code,
        headers=kept,
        content=reply.content,
        request=httpx.Request(
            request.method, request.url, headers=request.headers, content=content
        ),
        extensions=extensions,
    )


def _success(reply: Reply, cast: type[R], call: _Call, log: bool, begun: float) -> R:
    if not log:
        return _parse(reply, cast, call)
    try:
        result = _parse(reply, cast, call)
    except StreamError as invalid:
        _log_call(call.request.method, call.shown, begun, call.retries, reply, invalid)
        raise
    _log_call(call.request.method, call.shown, begun, call.retries, reply, None)
    return result


def _log_call(
    method: str,
    shown: str,
    begun: float,
    retries: int,
    reply: Reply | None,
    error: StreamError | None,
) -> None:
    """The DEBUG line of one call; nothing in it comes from a header but the rate-limit
    count, and nothing from a body."""
    duration_ms = (time.perf_counter() - begun) * 1000
    status = None if reply is None else reply.status_code
    raw = None if reply is None else _raw_header(reply.headers, b"x-ratelimit-remaining")
    remaining = None if raw is None else raw.decode("latin-1").strip()
    if remaining is not None and not remaining.isdigit():
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
            "-" if remaining is None else remaining,
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
            "-" if remaining is None else remaining,
            type(error).__name__,
            extra=fields,
        )


def _parse(reply: Reply, cast: type[R], call: _Call) -> R:
    try:
        result = cast.model_validate_json(reply.content)
    except ValidationError as exc:
        raise InvalidResponseError(
            f"HTTP {reply.status_code} on {call.request.method} {call.shown}: the body is not "
            f"a valid {cast.__name__} ({exc.error_count()} errors: {exc.errors()[0]['msg']})",
            response=_response(reply, call.request),
            method=call.request.method,
            path=call.shown,
        ) from exc
    raw = RawResponse(reply.status_code, reply.headers)
    private = result.__pydantic_private__
    if private is None:  # pragma: no cover - every response model has private attributes
        result._raw, result._retries = raw, call.retries
    else:
        private["_raw"] = raw
        private["_retries"] = call.retries
    return result
