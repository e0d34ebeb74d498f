"""Serving uploads back: ``GET /uploads/<token>/<file name>``, without credentials."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from stream_async.emulator.errors import does_not_exist
from stream_async.emulator.handlers.files import DEFAULT_CONTENT_TYPE, INERT_TYPES
from stream_async.emulator.http.responses import error_reply


async def serve(request: Request) -> Response:
    """GET uploads/<token>/<file name>: an upload's bytes (no credentials needed).

    Always with ``X-Content-Type-Options: nosniff``; a declared type outside
    :data:`INERT_TYPES` is served as ``application/octet-stream`` with
    ``Content-Disposition: attachment``, so an upload never runs as a page of this origin.
    """
    stored = request.app.state.emulator.store.file(request.path_params["token"])
    if stored is None or stored.filename != request.path_params["filename"]:
        return error_reply(request.scope, does_not_exist(f"{request.url.path} not found"))
    headers = {"X-Content-Type-Options": "nosniff"}
    kind = stored.content_type
    if kind.partition(";")[0].strip().lower() not in INERT_TYPES:
        kind = DEFAULT_CONTENT_TYPE
        name = quote(stored.filename, safe="")
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return Response(stored.data, media_type=kind, headers=headers)
