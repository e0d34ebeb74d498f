"""A canned Stream API server for the benchmarks: cheap enough that the client is the
bottleneck.

It runs in its own process on 127.0.0.1, speaks keep-alive HTTP/1.1 over a raw asyncio
protocol (no framework), discards request bodies as they arrive (sized or chunked, so a
200 MB upload never sits in memory) and answers from precomputed bytes:

- ``POST /api/v1.0/feed/...``: one stored activity (what ``add_activity`` returns);
- ``GET /api/v1.0/feed/...`` (and ``enrich/feed``): a page of ``limit`` activities (25 by
  default) below ``id_lt``, from a feed of ``--feed-size`` activities; ``next`` links the
  following page until the feed is exhausted;
- ``POST /api/v1.0/files/``: an uploaded file's URL;
- anything else: a Stream-shaped 404.

Run ``python benchmarks/server.py`` and read the port from the first line of its output.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

FEED_SIZE = 100_000
ACTIVITY_ID_SUFFIX = "-0000-11ef-8080-80004e2f0c1a"
RATE_LIMIT_HEADERS = (
    b"x-ratelimit-limit: 1000\r\nx-ratelimit-remaining: 999\r\nx-ratelimit-reset: 1893456000\r\n"
)


def activity_id(n: int) -> str:
    """The id of the ``n``-th activity (1-based; higher is newer)."""
    return f"{n:08x}{ACTIVITY_ID_SUFFIX}"


def activity(n: int) -> dict[str, object]:
    return {
        "actor": f"user:{n % 97}",
        "foreign_id": f"post:{n}",
        "id": activity_id(n),
        "object": f"post:{n}",
        "origin": None,
        "target": "",
        "time": f"2024-05-{1 + n % 28:02d}T12:{n % 60:02d}:{n % 59:02d}.{n % 999_999:06d}",
        "verb": "post",
        "text": f"activity number {n} with a little text",
    }


def response(status: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n"
        + RATE_LIMIT_HEADERS
        + b"\r\n"
        + body
    )


def json_body(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


ADDED = response(b"200 OK", json_body({**activity(FEED_SIZE + 1), "duration": "1.02ms"}))
UPLOADED = response(
    b"201 Created",
    json_body({"file": "https://cdn.example.test/files/upload.bin", "duration": "9.80ms"}),
)
NOT_FOUND = response(
    b"404 Not Found",
    json_body(
        {
            "detail": "no such route",
            "status_code": 404,
            "code": 16,
            "exception": "DoesNotExistException",
            "duration": "0.01ms",
        }
    ),
)


class Pages:
    """Feed pages by (first activity number, limit), rendered once."""

    def __init__(self, feed_size: int) -> None:
        self.feed_size = feed_size
        self._cache: dict[tuple[int, int], bytes] = {}

    def get(self, request_path: str, query: str) -> bytes:
        params = dict(parse_qsl(query))
        try:
            limit = max(1, min(100, int(params.get("limit", "25"))))
            below = params.get("id_lt")
            top = self.feed_size if below is None else int(below[:8], 16) - 1
        except ValueError:
            return NOT_FOUND
        key = (max(0, top), limit)
        page = self._cache.get(key)
        if page is None:
            page = self._cache[key] = self._render(request_path, *key)
        return page

    def _render(self, request_path: str, top: int, limit: int) -> bytes:
        numbers = range(top, max(0, top - limit), -1)
        last = numbers[-1] if numbers else 0
        following = f"{request_path}?id_lt={activity_id(last)}&limit={limit}" if last > 1 else ""
        body = {"results": [activity(n) for n in numbers], "next": following, "duration": "2ms"}
        return response(b"200 OK", json_body(body))


class CannedProtocol(asyncio.Protocol):
    """One keep-alive connection: parse request heads, discard bodies, answer canned."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.skip = 0  # body bytes still to discard (sized body or current chunk)
        self.chunked = False  # inside a chunked body, between chunks
        self.pending: bytes | None = None  # the answer, sent once the body is consumed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.skip:
            if len(data) <= self.skip:
                self.skip -= len(data)
                if not self.skip and not self.chunked:
                    self._finish()
                return
            data = data[self.skip :]
            self.skip = 0
            if not self.chunked:
                self._finish()
        self.buffer += data
        self._process()

    def _process(self) -> None:
        buffer = self.buffer
        while buffer:
            if self.chunked:
                if not self._chunk():
                    return
                continue
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            self._start(head)
            if self.skip:
                take = min(self.skip, len(buffer))
                del buffer[:take]
                self.skip -= take
                if self.skip:
                    return
            if not self.chunked:
                self._finish()

    def _chunk(self) -> bool:
        """Consume one chunk of a chunked body; ``False`` when more bytes are needed."""
        buffer = self.buffer
        line_end = buffer.find(b"\r\n")
        if line_end < 0:
            return False
        size = int(bytes(buffer[:line_end]).split(b";")[0], 16)
        if size == 0:
            # The last chunk: optional trailers, then an empty line.
            if buffer[line_end + 2 : line_end + 4] == b"\r\n":
                end = line_end + 4
            else:
                trailers = buffer.find(b"\r\n\r\n", line_end)
                if trailers < 0:
                    return False
                end = trailers + 4
            del buffer[:end]
            self.chunked = False
            self._finish()
            return True
        del buffer[: line_end + 2]
        need = size + 2
        take = min(need, len(buffer))
        del buffer[:take]
        self.skip = need - take
        return not self.skip

    def _start(self, head: bytes) -> None:
        request_line, _, headers = head.partition(b"\r\n")
        method, target, _version = request_line.split(b" ", 2)
        lowered = headers.lower()
        self.chunked = b"transfer-encoding: chunked" in lowered
        marker = lowered.find(b"content-length:")
        if marker >= 0 and not self.chunked:
            value_end = lowered.find(b"\r\n", marker)
            self.skip = int(lowered[marker + 15 : value_end if value_end >= 0 else None])
        request_path, _, query = target.decode("latin-1").partition("?")
        self.pending = self._answer(method, request_path, query)

    def _answer(self, method: bytes, request_path: str, query: str) -> bytes:
        if request_path.startswith(("/api/v1.0/feed/", "/api/v1.0/enrich/feed/")):
            if method == b"POST":
                return ADDED
            if method == b"GET":
                return self.pages.get(request_path, query)
        if method == b"POST" and request_path in ("/api/v1.0/files/", "/api/v1.0/images/"):
            return UPLOADED
        return NOT_FOUND

    def _finish(self) -> None:
        if self.pending is not None and self.transport is not None:
            self.transport.write(self.pending)
        self.pending = None


async def serve(port: int, feed_size: int) -> None:
    loop = asyncio.get_running_loop()
    pages = Pages(feed_size)
    server = await loop.create_server(
        lambda: CannedProtocol(pages), "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    sockets = server.sockets
    print(sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def running(feed_size: int = FEED_SIZE) -> Iterator[str]:
    """Start the server in its own process; yield its base URL; stop it."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__)), "--feed-size", str(feed_size)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--feed-size", type=int, default=FEED_SIZE)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.port, args.feed_size))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
