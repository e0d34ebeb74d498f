"""Real loopback servers for tests, and an ASGI app that records what it receives."""

from __future__ import annotations

import json
from typing import Any

import anyio

from stream_async.testing import free_port, serve_asgi

serve = serve_asgi

__all__ = ["Recorder", "free_port", "serve"]


class Recorder:
    """An ASGI app that records each request (method, raw path, query, headers, body) and
    answers with ``status``, ``headers`` and ``body``, after ``delay`` seconds."""

    def __init__(
        self,
        status: int = 200,
        headers: list[tuple[bytes, bytes]] | None = None,
        body: bytes = json.dumps({"results": [], "next": "", "duration": "1ms"}).encode(),
    ) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0
        self.status = status
        self.headers = [(b"content-type", b"application/json")] if headers is None else headers
        self.body = body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        self.requests.append(
            {
                "method": scope["method"],
                "raw_path": scope["raw_path"],
                "query": scope["query_string"],
                "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
                "body": b"".join(chunks),
            }
        )
        if self.delay:
            await anyio.sleep(self.delay)
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})
