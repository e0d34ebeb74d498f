"""The HTTP layer: how a route runs a handler, and what every response carries.

A handler is a plain synchronous function ``(store, call) -> (status, body)``. Its route
wrapper (:func:`endpoint`) reads the request body under the route's size limit (from
``Content-Length`` first, then counting the bytes as they stream in, before authentication
reads anything; beyond it: 413 code 18), authenticates the request, then calls the handler
without awaiting anything else, which is what keeps writes atomic (see
:mod:`stream_async.emulator.store`); after a successful call the emulator persists its state
when it has a data directory. The exceptions are coroutine handlers: Open Graph (it may fetch
a page, and only reads) and image uploads and processing, which decode in a worker thread
and write to the store only after their last await. Bodies get ``duration``; errors become
Stream error bodies; an unexpected exception is logged and answered with a Stream-shaped 500.
:class:`RateLimitHeaders` adds ``x-ratelimit-*`` to every response, errors included, and
answers 429 past the limit when asked to enforce it.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stream_async.emulator.auth import Access, authenticate
from stream_async.emulator.call import Call, OpenGraphSource, Upload
from stream_async.emulator.errors import (
    StreamError,
    body_too_large,
    does_not_exist,
    input_error,
    internal_error,
    not_allowed,
    rate_limited,
)

if TYPE_CHECKING:
    from stream_async.emulator.app import Emulator
    from stream_async.emulator.store import Store

logger = logging.getLogger("stream_async.emulator")

Reply = tuple[int, dict[str, Any]]
Handler = Callable[["Store", Call], Reply]
AsyncHandler = Callable[["Store", Call], Awaitable[Reply]]

STARTED = "stream_async.emulator.started"
"""Scope key holding the ``perf_counter()`` at which the request arrived."""


class StreamJSONResponse(Response):
    """Compact JSON with keys sorted, as the live API sends them.

    Non-ASCII characters are escaped, so any string a request brought in (even a lone
    surrogate, which JSON allows) can be sent back.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialize ``content``."""
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode("ascii")


def _duration(scope: Scope) -> str:
    elapsed = time.perf_counter() - scope.get(STARTED, time.perf_counter())
    return f"{elapsed * 1000:.2f}ms"


def reply(scope: Scope, status_code: int, body: dict[str, Any]) -> Response:
    """A JSON response with ``duration`` added."""
    return StreamJSONResponse({**body, "duration": _duration(scope)}, status_code=status_code)


def error_reply(scope: Scope, error: StreamError) -> Response:
    """The Stream error body of ``error``."""
    return reply(scope, error.status_code, error.body())


async def _uploads(request: Request) -> dict[str, Upload]:
    """The files of a multipart body by field name (none for other bodies)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return {}
    uploads: dict[str, Upload] = {}
    try:
        async with request.form() as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    uploads[name] = Upload(value.filename or "", value.content_type or "", data)
    except HTTPException as exc:
        raise input_error(f"invalid multipart body: {exc.detail}") from None
    return uploads


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises 413 once the request body grows past ``limit`` bytes."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise body_too_large(limit)
        return message

    return limited


async def _read_body(request: Request, limit: int) -> tuple[Request, bytes]:
    """The request (re-wrapped so that every read is counted) and its whole body; 413
    when ``Content-Length`` or the bytes streamed exceed ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise body_too_large(limit)
    limited = Request(request.scope, _limited(request.receive, limit))
    return limited, await limited.body()


def _transactional(handler: Handler | AsyncHandler) -> AsyncHandler:
    """``handler`` as a coroutine; a synchronous one runs inside one store transaction
    (coroutine handlers write with single statements, after their last await)."""
    if inspect.iscoroutinefunction(handler):
        return cast("AsyncHandler", handler)
    synchronous = cast("Handler", handler)

    async def invoke(store: Store, call: Call) -> Reply:
        with store.transaction():
            return synchronous(store, call)

    return invoke


def endpoint(
    emulator: Emulator, handler: Handler | AsyncHandler, access: Access, body_limit: int
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap ``handler`` as a Starlette endpoint guarded by ``access``, reading at most
    ``body_limit`` bytes of body (before authenticating)."""

    invoke = _transactional(handler)

    async def run(request: Request) -> Response:
        try:
            request, body = await _read_body(request, body_limit)
            feed_id = None
            if access.feed_scoped:
                feed_id = request.path_params["feed_slug"] + request.path_params["user_id"]
            principal = authenticate(
                config=emulator.config,
                api_key=request.query_params.get("api_key"),
                authorization=request.headers.get("authorization"),
                method=request.method,
                access=access,
                feed_id=feed_id,
            )
            call = Call(
                path=request.url.path,
                path_params=request.path_params,
                query=request.query_params,
                body=body,
                api_key=emulator.config.api_key,
                feed_groups=emulator.config.feed_groups,
                app_id=emulator.config.app_id,
                user_id=principal.user_id,
                base_url=str(request.base_url),
                uploads=await _uploads(request),
                og=OpenGraphSource(
                    pages=emulator.og_pages,
                    fetch=emulator.config.og_fetch or emulator.config.og_transport is not None,
                    guard=emulator.config.og_fetch,
                    transport=emulator.config.og_transport,
                    resolver=emulator.config.og_resolver,
                ),
                max_image_pixels=emulator.config.max_image_pixels,
            )
            status_code, payload = await invoke(emulator.store, call)
            return reply(request.scope, status_code, payload)
        except StreamError as error:
            return error_reply(request.scope, error)
        except Exception:
            logger.exception("unexpected error in %s %s", request.method, request.url.path)
            return error_reply(request.scope, internal_error())

    run.__name__ = run.__qualname__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


async def http_error(request: Request, exc: Exception) -> Response:
    """Routing failures as Stream errors: unknown path 404 code 16, wrong method 405 code 17."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = not_allowed("Method Not Allowed", status_code=405)
    else:
        error = does_not_exist(f"{request.method} {request.url.path} not found")
    return error_reply(request.scope, error)


class RateLimitHeaders:
    """ASGI middleware: stamps the arrival time and adds ``x-ratelimit-*`` to every response.

    The emulator counts requests per one-minute window and reports them against ``limit``.
    ``x-ratelimit-reset`` is the window's end in Unix seconds. With ``enforce``, a request
    past the limit is answered 429 (code 9) with ``Retry-After``, the whole seconds until the
    window ends (at least 1), without reaching the app.
    """

    def __init__(self, app: ASGIApp, *, limit: int, enforce: bool) -> None:
        self.app = app
        self.limit = limit
        self.enforce = enforce
        self._window = 0
        self._count = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[STARTED] = time.perf_counter()
        now = int(time.time())
        window = now // 60
        if window != self._window:
            self._window, self._count = window, 0
        self._count += 1
        reset = (window + 1) * 60
        headers = [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(max(0, self.limit - self._count)).encode()),
            (b"x-ratelimit-reset", str(reset).encode()),
        ]
        if self.enforce and self._count > self.limit:
            headers.append((b"retry-after", str(max(1, reset - now)).encode()))
            response = error_reply(scope, rate_limited(self.limit))
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
