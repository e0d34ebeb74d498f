"""THE request path: build -> sign -> send -> map errors -> parse.

Resources describe a call (method, service, path, scope, query, body, result model); this
module turns it into one ``httpx.Request`` built directly (full URL string, header list,
bytes body) and hands it to the pooled client's ``send()``, which skips httpx's URL merging
and query encoding. The response is parsed once, from bytes, into the result model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import anyio
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
    error_from_response,
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
    copies. It is created on first use, inside the event loop, so the transport can follow
    the running async library; an injected client is used as is and never closed here."""

    __slots__ = ("_client", "_closed", "_max_connections", "_owned", "_transport")

    def __init__(
        self,
        http_client: httpx.AsyncClient | None,
        *,
        transport: TransportName,
        max_connections: int,
    ) -> None:
        self._client = http_client
        self._owned = http_client is None
        self._transport: TransportName = transport
        self._max_connections = max_connections
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

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        client, self._client = self._client, None
        if client is not None and self._owned:
            await client.aclose()


class Transport:
    """Signs, sends and parses requests for one client configuration."""

    __slots__ = ("_headers", "_signer", "_token", "api_key", "pool", "roots", "timeout")

    def __init__(
        self,
        *,
        api_key: str,
        signer: Signer | None,
        user_token: str | None,
        roots: Mapping[str, str],
        timeout: float,
        pool: HttpPool,
    ) -> None:
        self.api_key = api_key
        self._signer = signer
        self._token = user_token
        self.roots = dict(roots)
        self.timeout = timeout
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

    def copy(self, *, timeout: float) -> Transport:
        return Transport(
            api_key=self.api_key,
            signer=self._signer,
            user_token=self._token,
            roots=self.roots,
            timeout=timeout,
            pool=self.pool,
        )

    def _token_for(self, scope: Scope, method: str) -> str:
        if self._signer is not None:
            return self._signer.for_request(scope, method)
        assert self._token is not None
        return self._token

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
    ) -> R:
        """Send one call and return its parsed result, or raise the SDK's error for it.

        ``body`` is sent as JSON; ``files`` (httpx's ``files`` mapping, whose file objects
        are streamed, never read whole) as a multipart form instead.
        """
        http = self.pool.get()
        pairs = [("api_key", self.api_key)]
        if params:
            pairs.extend((k, _query_value(v)) for k, v in params.items() if v is not None)
        url = f"{self.roots[service]}{relative_path}?{urlencode(pairs)}"
        headers = [("Authorization", self._token_for(scope, method)), *self._headers]
        content: bytes | None = None
        if body is not None:
            content = dumps(body)
            headers.append(("Content-Type", "application/json"))
        limit = self.timeout if timeout is None else timeout
        request = httpx.Request(
            method,
            url,
            headers=headers,
            content=content,
            files=files,
            extensions={
                "timeout": {"connect": limit, "read": limit, "write": limit, "pool": limit}
            },
        )
        shown = f"{service}/{relative_path}"
        try:
            with anyio.fail_after(limit):
                response = await http.send(request)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise APITimeoutError(
                f"request timed out after {limit:g}s", method=method, path=shown
            ) from exc
        except (httpx.RequestError, OSError) as exc:
            raise APIConnectionError(
                f"connection failed: {type(exc).__name__}: {exc}", method=method, path=shown
            ) from exc
        if response.status_code >= 400:
            raise error_from_response(response, method=method, path=shown)
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
        return result
