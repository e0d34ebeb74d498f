"""A recording loopback server: a real HTTP server (Starlette served by uvicorn on
127.0.0.1) that records every request it receives and answers with scripted replies.

Tests read what crossed the wire (method, raw path, query pairs in order, headers, body
bytes) from :attr:`RecordingServer.requests`; :meth:`RecordingServer.script` queues the
replies, answered in order, then :data:`DEFAULT_REPLY` once the queue is empty.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tests.servers import serve


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: bytes
    """The path exactly as sent, still percent-encoded, without the query."""
    query: list[tuple[str, str]]
    """The decoded query pairs, in the order they were sent (repeated keys kept)."""
    headers: Headers
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def claims(self, secret: str) -> dict[str, Any]:
        """The verified claims of the JWT in the ``Authorization`` header."""
        decoded: dict[str, Any] = jwt.decode(
            self.headers["authorization"], secret, algorithms=["HS256"]
        )
        return decoded


@dataclass(frozen=True)
class Reply:
    """A scripted answer: ``status``, a JSON ``json`` body (or raw ``body`` bytes), and
    extra ``headers``."""

    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        if self.body is not None:
            content = self.body
            media_type = None
        else:
            content = json.dumps({"duration": "1ms"} if self.json is None else self.json).encode()
            media_type = "application/json"
        return Response(content, self.status, headers=self.headers, media_type=media_type)


DEFAULT_REPLY = Reply()
"""``200 {"duration": "1ms"}``: what an unscripted request gets."""

Responder = Reply | Callable[[Recorded], Reply]


class RecordingServer:
    """The ASGI app that records and answers; serve it with :func:`recording_server`."""

    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[Recorded] = []
        self._replies: deque[Responder] = deque()
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget recorded requests and unanswered scripted replies."""
        with self._lock:
            self.requests.clear()
            self._replies.clear()

    def script(self, *replies: Responder) -> None:
        """Answer the next requests with ``replies``, in order: each a :class:`Reply`, or a
        function of the recorded request that returns one."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def last(self) -> Recorded:
        """The most recent request (fails the test when there was none)."""
        assert self.requests, "no request reached the server"
        return self.requests[-1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        recorded = Recorded(
            method=request.method,
            path=scope.get("raw_path") or scope["path"].encode(),
            query=list(request.query_params.multi_items()),
            headers=Headers(raw=list(scope["headers"])),
            body=await request.body(),
        )
        with self._lock:
            self.requests.append(recorded)
            responder = self._replies.popleft() if self._replies else DEFAULT_REPLY
        reply = responder if isinstance(responder, Reply) else responder(recorded)
        await reply.response()(scope, receive, send)


@contextmanager
def recording_server() -> Iterator[RecordingServer]:
    """A :class:`RecordingServer` listening on a free loopback port until the block ends."""
    app = RecordingServer()
    with serve(app) as base_url:
        app.base_url = base_url
        yield app
