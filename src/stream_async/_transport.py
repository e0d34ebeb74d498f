"""THE request path: build -> sign -> send -> map errors -> parse.

Resources describe a call (method, service, path, scope, query, body, result model); this
module turns it into one ``httpx.Request`` built directly (full URL string, header list,
bytes body) and hands it to the pooled client's ``send()``, which skips httpx's URL merging
and query encoding. The response is parsed once, from bytes, into the result model.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import anyio
import httpcore
import httpx
from pydantic import ValidationError

from stream_async._auth import Scope, Signer
from stream_async._http import TransportName, build_http_client, resolve_transport
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


def path(*segments: str) -> str:
    """Join path segments, each percent-encoded (``/`` included), with a trailing slash.

    ``.`` and ``..`` are encoded too, so no id can walk up the path.
    """
    parts = []
    for segment in segments:
        encoded = quote(segment, safe=":@")
        if encoded in (".", ".."):
            encoded = encoded.replace(".", "%2E")
        parts.append(encoded)
    return "/".join(parts) + "/"


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
        self._limiter: anyio.CapacityLimiter | None = None
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
            self._client = build_http_client(
                resolve_transport(self._transport), max_connections=self._max_connections
            )
        return self._client

    def limiter(self) -> AbstractAsyncContextManager[Any]:
        """A slot under the client-wide concurrency limit, held for one attempt."""
        if self._max_concurrency is None:
            return contextlib.nullcontext()
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._max_concurrency)
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
        client, self._client = self._client, None
        if client is not None and self._owned:
            await client.aclose()


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


class Transport:
    """Signs, sends, retries and parses requests for one client configuration."""

    __slots__ = ("_headers", "_signer", "_token", "api_key", "policy", "pool", "roots")

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
        self.policy = policy
        self.pool = pool
        self._headers = [
            ("Stream-Auth-Type", "jwt"),
            ("X-Stream-Client", USER_AGENT),
            ("Accept", "application/json"),
        ]

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
        pairs = [("api_key", self.api_key)]
        if params:
            pairs.extend((k, _query_value(v)) for k, v in params.items() if v is not None)
        url = f"{self.roots[service]}{relative_path}?{urlencode(pairs)}"
        headers = [("Authorization", self._token_for(scope, method)), *self._headers]
        content: bytes | None = None
        if body is not None:
            content = dumps(body)
            headers.append(("Content-Type", "application/json"))
        return httpx.Request(method, url, headers=headers, content=content, files=files)

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
        policy = self.policy
        attempt_limit = policy.timeout if timeout is None else timeout
        safe = (method in _IDEMPOTENT_METHODS if idempotent is None else idempotent) or (
            policy.retry_non_idempotent
        )
        shown = f"{service}/{relative_path}"
        pool = self.pool
        http = pool.get()
        request = self._build(method, relative_path, scope, service, params, body, files)
        # A call's total deadline never cuts one attempt short of its own timeout
        # (uploads have a longer per-attempt timeout than the default total).
        total = None if policy.total_timeout is None else max(policy.total_timeout, attempt_limit)
        started: float | None = None
        retries = 0
        while True:
            async with pool.limiter():
                await pool.wait_for_rate_limit()
                now = anyio.current_time()
                if started is None:
                    started = now
                limit = attempt_limit
                if total is not None:
                    limit = min(limit, max(0.0, started + total - now))
                request.extensions["timeout"] = dict.fromkeys(
                    ("connect", "read", "write", "pool"), limit
                )
                error: StreamError
                wait: float | None = None
                try:
                    with anyio.fail_after(limit):
                        response = await http.send(request)
                except (TimeoutError, httpx.TimeoutException, httpx.RequestError, OSError) as exc:
                    sent = not never_sent(exc)
                    error = _connection_error(exc, method, shown, limit, sent and not safe)
                    retryable = not sent or safe
                    error.__cause__ = exc
                else:
                    pool.note_rate_limit(response.headers)
                    if response.status_code < 400:
                        return _parse(response, cast, method, shown, retries)
                    error = error_from_response(response, method=method, path=shown)
                    status = response.status_code
                    retryable = status in _RETRY_STATUSES and (status == 429 or safe)
                    if status == 429:
                        wait = retry_after_seconds(response.headers)
                    elif status in _RETRY_STATUSES and not safe:
                        error.may_have_been_applied = True
            remaining = None if total is None else started + total - anyio.current_time()
            if retryable and retries < policy.max_retries:
                delay = _backoff(policy, retries) if wait is None else wait
                if remaining is None or delay < remaining:
                    retries += 1
                    await _sleep(delay)
                    continue
            error.retries_taken = retries
            raise error


def _backoff(policy: Policy, retries: int) -> float:
    """Full jitter: a random wait up to the exponential step, capped."""
    return random.uniform(0, min(policy.backoff_cap, policy.backoff_base * 2**retries))


def _connection_error(
    exc: BaseException, method: str, shown: str, limit: float, maybe_applied: bool
) -> APIConnectionError:
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        error: APIConnectionError = APITimeoutError(
            f"request timed out after {limit:g}s", method=method, path=shown
        )
    else:
        error = APIConnectionError(
            f"connection failed: {type(exc).__name__}: {exc}", method=method, path=shown
        )
    error.may_have_been_applied = maybe_applied
    return error


def _parse(response: httpx.Response, cast: type[R], method: str, shown: str, retries: int) -> R:
    try:
        result = cast.model_validate_json(response.content)
    except ValidationError as exc:
        raise InvalidResponseError(
            f"HTTP {response.status_code} on {method} {shown}: the body is not a valid "
            f"{cast.__name__} ({exc.error_count()} errors: {exc.errors()[0]['msg']})",
            status_code=response.status_code,
            response=response,
        ) from exc
    result._raw = RawResponse(response.status_code, response.headers)
    result._retries = retries
    return result
