"""The request log: the emulator's last requests, for the inspector's log page.

:class:`RequestRecorder` is ASGI middleware that appends one :class:`LogEntry` per API request
(the inspector's own pages and the ``/`` redirect are not recorded) to a :class:`RequestLog`,
a ring buffer that keeps the newest :data:`CAPACITY` entries.

An entry keeps the method, the path (without the query string), the status, the duration and
the token's scope: its ``resource``, ``action``, ``feed_id`` and ``user_id`` claims as the
client sent them. The claims are read without checking the signature (the response says
whether the token was accepted); the token itself is never kept. For an error (status 400 and
above) the entry keeps the Stream error body the client received.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

import jwt
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stream_async.emulator.store.time import utcnow

CAPACITY = 200
"""Entries the log keeps; older ones are dropped."""

MAX_ERROR_BODY = 16384
"""Bytes of an error body kept at most."""

ROOT = "/inspector"
"""Where the inspector's pages live; the log leaves them out."""

SCOPE_CACHE = 256
"""Token scopes remembered at most (all are forgotten when it is full)."""

_CLAIMS = ("resource", "action", "feed_id", "user_id")


@dataclass(frozen=True)
class TokenScope:
    """What a request's token claimed (each claim None when absent); ``note`` says why
    there are no claims: ``"no token"`` or ``"unreadable token"`` (else "")."""

    resource: str | None = None
    action: str | None = None
    feed_id: str | None = None
    user_id: str | None = None
    note: str = ""

    @property
    def kind(self) -> str:
        """``server`` (a ``resource`` or ``action`` claim), ``user``, or "" without claims."""
        if self.note:
            return ""
        return "server" if self.resource is not None or self.action is not None else "user"


@dataclass(frozen=True)
class LogEntry:
    """One request: ``number`` counts requests since the start; ``error`` is the error body
    as indented JSON (or as text when it is not JSON), "" for a success."""

    number: int
    at: datetime
    method: str
    path: str
    status: int
    duration_ms: float
    scope: TokenScope
    error: str


class RequestLog:
    """A ring buffer of the newest ``capacity`` requests."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._entries: deque[LogEntry] = deque(maxlen=capacity)
        self._numbers = itertools.count(1)

    def next_number(self) -> int:
        """The number of the next request."""
        return next(self._numbers)

    def add(self, entry: LogEntry) -> None:
        """Keep ``entry``, dropping the oldest one when full."""
        self._entries.append(entry)

    def newest_first(self) -> tuple[LogEntry, ...]:
        """The kept entries, newest first."""
        return tuple(reversed(self._entries))


NO_TOKEN = TokenScope(note="no token")


def token_scope(authorization: str | None) -> TokenScope:
    """The claims of the JWT in an ``Authorization`` header value (``Bearer`` optional)."""
    token = (authorization or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if not token:
        return NO_TOKEN
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return TokenScope(note="unreadable token")
    resource, action, feed_id, user_id = (
        None if claims.get(name) is None else str(claims[name]) for name in _CLAIMS
    )
    return TokenScope(resource, action, feed_id, user_id)


def _error_text(body: bytes) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return body.decode("utf-8", errors="replace")


class RequestRecorder:
    """ASGI middleware: records every API request into ``log``.

    Apps send the same few tokens again and again, so the scope of each is remembered (up to
    :data:`SCOPE_CACHE` of them) under a BLAKE2 digest of the header value, never the value
    itself: decoding a JWT on every request would cost the API more than the rest of the log.
    """

    def __init__(self, app: ASGIApp, *, log: RequestLog) -> None:
        self.app = app
        self.log = log
        self._scopes: dict[bytes, TokenScope] = {}

    def _scope(self, authorization: bytes | None) -> TokenScope:
        if authorization is None:
            return NO_TOKEN
        digest = hashlib.blake2b(authorization, digest_size=16).digest()
        scope = self._scopes.get(digest)
        if scope is None:
            if len(self._scopes) >= SCOPE_CACHE:
                self._scopes.clear()
            scope = self._scopes[digest] = token_scope(authorization.decode("latin-1"))
        return scope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection, recording it when it is an API request."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path in ("/", ROOT) or path.startswith(f"{ROOT}/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        number, at = self.log.next_number(), utcnow()
        authorization = next(
            (value for name, value in scope["headers"] if name == b"authorization"), None
        )
        status = 500
        error = bytearray()

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status >= 400:
                room = MAX_ERROR_BODY - len(error)
                error.extend(message.get("body", b"")[:room])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            self.log.add(
                LogEntry(
                    number=number,
                    at=at,
                    method=scope["method"],
                    path=path,
                    status=status,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    scope=self._scope(authorization),
                    error=_error_text(bytes(error)) if status >= 400 else "",
                )
            )
