"""Fault injection over real loopback sockets: retries, deadlines, lost responses and
connection hygiene, on the default (aiohttp) transport and on httpx's own."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.testing import new_emulator, serve_asgi, serve_emulator
from tests.support.slots import assert_all_slots_free

pytestmark = [pytest.mark.socket, pytest.mark.asyncio]

Scope = dict[str, Any]
ASGI = Callable[..., Any]
TRANSPORTS = ["aiohttp", "httpx"]
NEW = {"actor": "a", "verb": "v", "object": "o"}
KEYED = {**NEW, "foreign_id": "post:1", "time": "2024-01-01T00:00:00"}
API_KEY = "fault-key"
API_SECRET = "fault-secret-fault-secret-fault-secret-0123"
PAGE = json.dumps({"results": [], "next": "", "duration": "1ms"}).encode()


class Script:
    """An ASGI app that answers each request with the next scripted behaviour and counts
    the requests that reached it."""

    def __init__(self, *steps: Callable[[Scope, Any, Any], Any]) -> None:
        self.steps = list(steps)
        self.hits = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        step = self.steps[min(self.hits, len(self.steps) - 1)]
        self.hits += 1
        await step(scope, receive, send)


def status(code: int, body: bytes = PAGE, headers: list[tuple[bytes, bytes]] = ()) -> Any:  # type: ignore[assignment]
    async def step(scope: Scope, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": code, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})

    return step


async def drop(scope: Scope, receive: Any, send: Any) -> None:
    """Start a response, send half of it, then break the connection."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]}
    )
    await send({"type": "http.response.body", "body": b'{"results"', "more_body": True})
    raise RuntimeError("connection dropped on purpose")


async def hang(scope: Scope, receive: Any, send: Any) -> None:
    await anyio.sleep(3)


async def trickle(scope: Scope, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for _ in range(60):
        await send({"type": "http.response.body", "body": b" ", "more_body": True})
        await anyio.sleep(0.05)
    await send({"type": "http.response.body", "body": PAGE})


@pytest.fixture
def serve() -> Iterator[Callable[[Script], str]]:
    stack: list[Any] = []

    def start(app: Script) -> str:
        cm = serve_asgi(app)
        stack.append(cm)
        return cm.__enter__()

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


def client(url: str, transport: Any, **options: Any) -> AsyncStreamClient:
    return AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=url,
        transport=transport,
        **options,
    )


async def assert_no_leaks(sdk: AsyncStreamClient, slots: int = 100) -> None:
    """Nothing holds one of the ``slots`` (the client's ``max_concurrency``, by default
    ``max_connections``, 100), and the pool holds no connection in use."""
    await assert_all_slots_free(sdk, slots)
    if sdk.transport_name == "aiohttp":
        session = sdk._pool._session
        assert not session.connector._acquired
    else:
        http = sdk._pool._client
        assert http is not None
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert all((not c.is_closed() and c.is_idle()) or c.is_closed() for c in pool.connections)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_server_errors_then_success(serve: Any, transport: str) -> None:
    app = Script(status(500), status(502), status(503), status(200))
    url = serve(app)
    async with client(url, transport, max_retries=3) as sdk:
        with pytest.raises(errors.InternalServerError):
            await sdk.feed("user", "1").get()  # 500 is not retried
        assert app.hits == 1
        page = await sdk.feed("user", "1").get()
        assert page.retries_taken == 2
        assert app.hits == 4
        await assert_no_leaks(sdk)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_rate_limited_then_success(
    serve: Any, transport: str, retry_waits: list[float]
) -> None:
    app = Script(status(429, b'{"code":9,"detail":"slow"}', [(b"retry-after", b"1")]), status(200))
    url = serve(app)
    async with client(url, transport) as sdk:
        page = await sdk.feed("user", "1").get()
    assert (page.retries_taken, app.hits, retry_waits) == (1, 2, [1.0])


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_html_502_page_is_typed(serve: Any, transport: str) -> None:
    app = Script(status(502, b"<html><h1>502 Bad Gateway</h1></html>"))
    url = serve(app)
    async with client(url, transport, max_retries=1) as sdk:
        with pytest.raises(errors.InternalServerError, match="502") as info:
            await sdk.feed("user", "1").get()
        assert info.value.retries_taken == 1
        assert app.hits == 2
        await assert_no_leaks(sdk)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_truncated_json_is_typed(serve: Any, transport: str) -> None:
    url = serve(Script(status(200, b'{"results": [')))
    async with client(url, transport) as sdk:
        with pytest.raises(errors.InvalidResponseError):
            await sdk.feed("user", "1").get()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_dropped_response_to_a_plain_add_is_sent_once(serve: Any, transport: str) -> None:
    app = Script(drop)
    url = serve(app)
    async with client(url, transport) as sdk:
        with pytest.raises(errors.APIConnectionError) as info:
            await sdk.feed("user", "1").add_activity(NEW)
        assert app.hits == 1
        assert info.value.may_have_been_applied
        assert info.value.retries_taken == 0
        await assert_no_leaks(sdk)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_dropped_read_is_retried(serve: Any, transport: str) -> None:
    app = Script(drop, status(200))
    url = serve(app)
    async with client(url, transport) as sdk:
        page = await sdk.feed("user", "1").get()
        assert (page.retries_taken, app.hits) == (1, 2)
        await assert_no_leaks(sdk)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_response_that_never_comes_keeps_the_deadline(serve: Any, transport: str) -> None:
    app = Script(hang)
    url = serve(app)
    async with client(url, transport, timeout=0.3, total_timeout=1.0) as sdk:
        started = time.monotonic()
        with pytest.raises(errors.APITimeoutError) as info:
            await sdk.feed("user", "1").get()
        elapsed = time.monotonic() - started
        assert info.value.retries_taken >= 1
        assert elapsed < 2 * 1.0  # generous: twice the total deadline
        await assert_no_leaks(sdk)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_trickling_body_keeps_the_deadline(serve: Any, transport: str) -> None:
    url = serve(Script(trickle))
    async with client(url, transport, timeout=0.5, max_retries=0) as sdk:
        started = time.monotonic()
        with pytest.raises(errors.APITimeoutError):
            await sdk.feed("user", "1").get()
        assert time.monotonic() - started < 2 * 0.5


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_refused_connection_is_retried_even_for_writes(transport: str) -> None:
    from stream_async.testing import free_port

    async with client(f"http://127.0.0.1:{free_port()}", transport) as sdk:
        with pytest.raises(errors.APIConnectionError) as info:
            await sdk.feed("user", "1").add_activity(NEW)
    assert info.value.retries_taken == 2
    assert not info.value.may_have_been_applied


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_cancelled_call_returns_its_connection(serve: Any, transport: str) -> None:
    app = Script(hang, status(200))
    url = serve(app)
    async with client(url, transport, timeout=10) as sdk:
        with anyio.move_on_after(0.3) as scope:
            await sdk.feed("user", "1").get()
        assert scope.cancelled_caught
        await assert_no_leaks(sdk)
        page = await sdk.feed("user", "1").get()  # the pool still works
        assert page.retries_taken == 0


class CommitThenDrop:
    """The emulator, except that the first write's response is lost after it was applied."""

    def __init__(self, app: ASGI) -> None:
        self.app = app
        self.dropped = False

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or self.dropped:
            await self.app(scope, receive, send)
            return
        self.dropped = True

        async def swallow(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                raise RuntimeError("response lost after the write was applied")
            await send(message)

        await self.app(scope, receive, swallow)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_lost_response_after_commit_leaves_exactly_one_activity(transport: str) -> None:
    emulator = new_emulator()
    app = CommitThenDrop(emulator.app)
    with serve_asgi(app) as url:
        async with AsyncStreamClient(
            api_key=emulator.config.api_key,
            api_secret=emulator.config.api_secret,
            base_url=url,
            transport=transport,  # type: ignore[arg-type]
        ) as sdk:
            added = await sdk.feed("user", "1").add_activity(KEYED)
            assert app.dropped
            assert added.retries_taken == 1
            page = await sdk.feed("user", "1").get()
    assert [a.id for a in page.results] == [added.id]


async def test_emulator_over_socket_survives_concurrent_writers() -> None:
    with serve_emulator() as server:
        async with server.client(max_concurrency=50) as sdk:
            feed = sdk.feed("user", "many")
            async with anyio.create_task_group() as tg:
                for i in range(300):
                    tg.start_soon(feed.add_activity, {**NEW, "object": str(i)})
            ids = {a.id async for a in feed.iterate(page_size=100)}
            assert len(ids) == 300
            await assert_no_leaks(sdk, 50)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_disconnect_after_the_server_read_the_request_is_sent_once(transport: str) -> None:
    """No response byte at all, after the server read the request: the SDK knows the request
    went out (unlike a refused connection) and does not repeat it."""
    import asyncio

    reads = 0

    async def read_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal reads
        data = await reader.read(65536)
        if data:
            reads += 1
        writer.close()

    server = await asyncio.start_server(read_then_close, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with client(f"http://127.0.0.1:{port}", transport) as sdk:
            with pytest.raises(errors.APIConnectionError) as info:
                await sdk.feed("user", "1").add_activity(NEW)
            assert info.value.may_have_been_applied
            assert reads == 1
            await assert_no_leaks(sdk)
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_garbage_instead_of_http_is_a_connection_error(transport: str) -> None:
    import asyncio

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with client(f"http://127.0.0.1:{port}", transport, max_retries=0) as sdk:
            with pytest.raises(errors.APIConnectionError) as info:
                await sdk.feed("user", "1").get()
            assert not isinstance(info.value, errors.APITimeoutError)
    finally:
        server.close()
        await server.wait_closed()
