"""Rate limits: every response reports them in ``x-ratelimit-*`` headers; on request they are
enforced (429, code 9, with ``Retry-After``)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stream_async.emulator.errors import rate_limited
from stream_async.emulator.http.responses import STARTED, error_reply


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
