"""The clients compared, each doing the same workloads against the canned server.

Every contender is opened for a given concurrency ``N`` with a pool of ``N`` keep-alive
connections (the official client has no pool: it opens a session per request), and
exposes the same four operations:

- ``add(i)``: add one activity to ``user:1`` (a JSON POST, the body read back);
- ``read()``: read one page of 25 activities from ``user:1``;
- ``iterate(total)``: walk ``total`` activities of ``user:1``, 100 per page, by ``id_lt``;
- ``upload(path)``: upload a file as a multipart form, streamed from disk.

The SDK parses each answer into its pydantic models; the official client into dicts (its
JSON decoder with date detection); the bare contenders read the body bytes and decode JSON
only where they need a value from it (the iteration's cursor), which makes them the floor.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

import aiohttp
import httpx
import jwt
from httpx_aiohttp import AiohttpTransport

from stream_async import AsyncStreamClient

API_KEY = "bench-key"
API_SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
ACTIVITY: dict[str, Any] = {"actor": "user:1", "verb": "post", "object": "post:1"}
PAGE_SIZE = 100
READ_LIMIT = 25


def _open(file_path: str) -> BinaryIO:
    return open(file_path, "rb")


def _expect(status: int, expected: int, body: bytes = b"-") -> None:
    if status != expected or not body:
        raise RuntimeError(f"unexpected answer: HTTP {status}, {len(body)} bytes")


def _token(resource: str, action: str, feed_id: str = "*") -> str:
    return jwt.encode(
        {"resource": resource, "action": action, "feed_id": feed_id}, API_SECRET, "HS256"
    )


class Contender:
    """One client under test; subclasses fill in the operations they support."""

    name = ""
    label = ""
    supports: frozenset[str] = frozenset({"add", "read", "iterate", "upload"})

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def open(self, concurrency: int) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def add(self, i: int) -> None:
        raise NotImplementedError

    async def read(self) -> None:
        raise NotImplementedError

    async def iterate(self, total: int) -> int:
        raise NotImplementedError

    async def upload(self, file_path: str) -> None:
        raise NotImplementedError


class SDK(Contender):
    """This SDK, ``transport="aiohttp"`` (the recommended install) or ``"httpx"``."""

    def __init__(self, base_url: str, transport: str) -> None:
        super().__init__(base_url)
        self.transport = transport
        self.name = f"sdk-{transport}"
        self.label = f"stream-async ({transport} transport)"
        self.client: AsyncStreamClient | None = None

    async def open(self, concurrency: int) -> None:
        self.client = AsyncStreamClient(
            api_key=API_KEY,
            api_secret=API_SECRET,
            base_url=self.base_url,
            transport="aiohttp" if self.transport == "aiohttp" else "httpx",
            max_connections=concurrency,
            timeout=60,
            upload_timeout=300,
        )
        self.feed = self.client.feed("user", "1")

    async def close(self) -> None:
        assert self.client is not None
        await self.client.aclose()

    async def add(self, i: int) -> None:
        await self.feed.add_activity(ACTIVITY)

    async def read(self) -> None:
        page = await self.feed.get(limit=READ_LIMIT)
        assert len(page.results) == READ_LIMIT

    async def iterate(self, total: int) -> int:
        count = 0
        async for _ in self.feed.iterate(page_size=PAGE_SIZE, max_items=total):
            count += 1
        return count

    async def upload(self, file_path: str) -> None:
        assert self.client is not None
        await self.client.files.upload(file_path)


class Official(Contender):
    """``stream-python``'s ``AsyncStreamClient`` (a new aiohttp session per request)."""

    name = "official"
    label = "stream-python (official, async)"
    supports = frozenset({"add", "read", "iterate"})  # it has no file uploads

    async def open(self, concurrency: int) -> None:
        import stream

        # The official client reaches a local server only through the host "localhost".
        port = self.base_url.rsplit(":", 1)[1]
        self.client = stream.connect(
            API_KEY,
            API_SECRET,
            base_url=f"http://localhost:{port}",
            timeout=60,
            use_async=True,
        )
        self.feed = self.client.feed("user", "1")

    async def close(self) -> None:
        return None

    async def add(self, i: int) -> None:
        await self.feed.add_activity(ACTIVITY)

    async def read(self) -> None:
        page = await self.feed.get(limit=READ_LIMIT)
        assert len(page["results"]) == READ_LIMIT

    async def iterate(self, total: int) -> int:
        count = 0
        cursor: str | None = None
        while count < total:
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if cursor:
                params["id_lt"] = cursor
            page = await self.feed.get(**params)
            results = page["results"]
            count += len(results)
            if not page["next"] or not results:
                break
            cursor = results[-1]["id"]
        return count


class _Bare(Contender):
    """What bare contenders share: the same URLs, headers and pre-encoded body."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        root = f"{base_url}/api/v1.0/"
        self.feed_url = f"{root}feed/user/1/"
        self.files_url = f"{root}files/"
        common = {"Stream-Auth-Type": "jwt", "Accept": "application/json"}
        self.write_headers = {
            **common,
            "Authorization": _token("feed", "write", "user1"),
            "Content-Type": "application/json",
        }
        self.read_headers = {**common, "Authorization": _token("feed", "read", "user1")}
        self.files_headers = {**common, "Authorization": _token("files", "write")}
        self.body = json.dumps(ACTIVITY, separators=(",", ":")).encode()
        self.add_url = f"{self.feed_url}?api_key={API_KEY}"
        self.read_url = f"{self.feed_url}?api_key={API_KEY}&limit={READ_LIMIT}"

    def page_url(self, cursor: str | None) -> str:
        url = f"{self.feed_url}?api_key={API_KEY}&limit={PAGE_SIZE}"
        return url if cursor is None else f"{url}&id_lt={cursor}"

    async def walk(self, total: int, get: Callable[[str], Awaitable[bytes]]) -> int:
        count = 0
        cursor: str | None = None
        while count < total:
            page = json.loads(await get(self.page_url(cursor)))
            results = page["results"]
            count += len(results)
            if not page["next"] or not results:
                break
            cursor = results[-1]["id"]
        return count


class BareHttpx(_Bare):
    """A pooled ``httpx.AsyncClient`` with httpx's own transport (httpcore)."""

    name = "bare-httpx"
    label = "bare httpx.AsyncClient (httpcore)"

    async def open(self, concurrency: int) -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.client = httpx.AsyncClient(limits=limits, timeout=60)

    async def close(self) -> None:
        await self.client.aclose()

    async def add(self, i: int) -> None:
        response = await self.client.post(
            self.add_url, content=self.body, headers=self.write_headers
        )
        _expect(response.status_code, 200, response.content)

    async def read(self) -> None:
        response = await self.client.get(self.read_url, headers=self.read_headers)
        _expect(response.status_code, 200, response.content)

    async def _get(self, url: str) -> bytes:
        return (await self.client.get(url, headers=self.read_headers)).content

    async def iterate(self, total: int) -> int:
        return await self.walk(total, self._get)

    async def upload(self, file_path: str) -> None:
        with _open(file_path) as f:
            files = {"file": (os.path.basename(file_path), f, "application/octet-stream")}
            response = await self.client.post(
                f"{self.files_url}?api_key={API_KEY}", files=files, headers=self.files_headers
            )
        _expect(response.status_code, 201)


class BareTransport(_Bare):
    """Pre-built ``httpx.Request`` objects sent through a pooled ``httpx.AsyncClient`` over
    ``httpx_aiohttp.AiohttpTransport``: the SDK's transport with no SDK around it."""

    name = "bare-transport"
    label = "bare transport (httpx over aiohttp, pre-built requests)"

    async def open(self, concurrency: int) -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.client = httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=60)
        timeout = dict.fromkeys(("connect", "read", "write", "pool"), 60.0)
        self.prebuilt_add = httpx.Request(
            "POST", self.add_url, headers=self.write_headers, content=self.body
        )
        self.prebuilt_read = httpx.Request("GET", self.read_url, headers=self.read_headers)
        for request in (self.prebuilt_add, self.prebuilt_read):
            request.extensions["timeout"] = timeout

    async def close(self) -> None:
        await self.client.aclose()

    async def add(self, i: int) -> None:
        response = await self.client.send(self.prebuilt_add)
        _expect(response.status_code, 200, response.content)

    async def read(self) -> None:
        response = await self.client.send(self.prebuilt_read)
        _expect(response.status_code, 200, response.content)

    async def _get(self, url: str) -> bytes:
        request = httpx.Request("GET", url, headers=self.read_headers)
        return (await self.client.send(request)).content

    async def iterate(self, total: int) -> int:
        return await self.walk(total, self._get)

    async def upload(self, file_path: str) -> None:
        with _open(file_path) as f:
            files = {"file": (os.path.basename(file_path), f, "application/octet-stream")}
            request = httpx.Request(
                "POST",
                f"{self.files_url}?api_key={API_KEY}",
                headers=self.files_headers,
                files=files,
            )
            response = await self.client.send(request)
        _expect(response.status_code, 201)


class BareAiohttp(_Bare):
    """A pooled ``aiohttp.ClientSession``: the practical limit of a Python client."""

    name = "bare-aiohttp"
    label = "bare aiohttp.ClientSession"

    async def open(self, concurrency: int) -> None:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))

    async def close(self) -> None:
        await self.session.close()

    async def add(self, i: int) -> None:
        async with self.session.post(
            self.add_url, data=self.body, headers=self.write_headers
        ) as response:
            _expect(response.status, 200, await response.read())

    async def read(self) -> None:
        async with self.session.get(self.read_url, headers=self.read_headers) as response:
            _expect(response.status, 200, await response.read())

    async def _get(self, url: str) -> bytes:
        async with self.session.get(url, headers=self.read_headers) as response:
            return await response.read()

    async def iterate(self, total: int) -> int:
        return await self.walk(total, self._get)

    async def upload(self, file_path: str) -> None:
        with _open(file_path) as f:
            form = aiohttp.FormData()
            form.add_field(
                "file",
                f,
                filename=os.path.basename(file_path),
                content_type="application/octet-stream",
            )
            async with self.session.post(
                f"{self.files_url}?api_key={API_KEY}", data=form, headers=self.files_headers
            ) as response:
                _expect(response.status, 201)
                await response.read()


def contenders(base_url: str) -> list[Contender]:
    """Every contender, in the order of the report."""
    return [
        SDK(base_url, "aiohttp"),
        SDK(base_url, "httpx"),
        Official(base_url),
        BareHttpx(base_url),
        BareTransport(base_url),
        BareAiohttp(base_url),
    ]


def by_name(base_url: str, name: str) -> Contender:
    for contender in contenders(base_url):
        if contender.name == name:
            return contender
    raise KeyError(name)
