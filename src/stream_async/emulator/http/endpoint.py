"""How a route runs its handler.

A handler (:mod:`stream_async.emulator.handlers`) is a plain function ``(store, call) ->
(status, body)`` that sees no HTTP types. Its route wrapper (:func:`endpoint`) reads the
request body under the route's size limit (from ``Content-Length`` first, then counting the
bytes as they stream in, before authentication reads anything; beyond it: 413 code 18),
authenticates the request, builds the :class:`~stream_async.emulator.handlers.call.Call`,
then runs a synchronous handler inside one store transaction, without awaiting anything, so
its writes commit together before the answer is sent, or not at all. Coroutine handlers are
the exceptions: Open Graph (it may fetch a page, and only reads) and image uploads and
processing, which decode in a worker thread and then write one row. Errors become Stream
error bodies; an unexpected exception is logged and answered with a Stream-shaped 500.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive

from stream_async.emulator.errors import ApiError, body_too_large, input_error, internal_error
from stream_async.emulator.handlers.call import (
    AsyncHandler,
    Call,
    Handler,
    OpenGraphSource,
    Reply,
    Upload,
)
from stream_async.emulator.http.auth import Access, authenticate
from stream_async.emulator.http.responses import error_reply, reply

if TYPE_CHECKING:
    from stream_async.emulator.http.app import Emulator
    from stream_async.emulator.store import Store

logger = logging.getLogger("stream_async.emulator")


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
    config = emulator.config
    og = OpenGraphSource(
        pages=emulator.og_pages,
        fetch=config.og_fetch or config.og_transport is not None,
        guard=config.og_fetch,
        transport=config.og_transport,
        resolver=config.og_resolver,
    )

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
                query=tuple(request.query_params.multi_items()),
                body=body,
                api_key=emulator.config.api_key,
                feed_groups=emulator.config.feed_groups,
                app_id=emulator.config.app_id,
                user_id=principal.user_id,
                base_url=str(request.base_url),
                uploads=await _uploads(request),
                og=og,
                max_image_pixels=emulator.config.max_image_pixels,
            )
            status_code, payload = await invoke(emulator.store, call)
            return reply(request.scope, status_code, payload)
        except ApiError as error:
            return error_reply(request.scope, error)
        except Exception:
            logger.exception("unexpected error in %s %s", request.method, request.url.path)
            return error_reply(request.scope, internal_error())

    run.__name__ = run.__qualname__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run
