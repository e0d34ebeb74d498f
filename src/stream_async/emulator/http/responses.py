"""Responses: Stream's JSON (compact, keys sorted, ``duration`` added) and its error bodies,
for handler results, errors and routing failures alike."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from stream_async.emulator.errors import ApiError, does_not_exist, not_allowed

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


def error_reply(scope: Scope, error: ApiError) -> Response:
    """The Stream error body of ``error``."""
    return reply(scope, error.status_code, error.body())


async def http_error(request: Request, exc: Exception) -> Response:
    """Routing failures as Stream errors: unknown path 404 code 16, wrong method 405 code 17."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = not_allowed("Method Not Allowed", status_code=405)
    else:
        error = does_not_exist(f"{request.method} {request.url.path} not found")
    return error_reply(request.scope, error)
