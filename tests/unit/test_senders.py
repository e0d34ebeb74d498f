"""Each sender on its own: what it puts on the wire, how it reads a reply, how it maps its
library's exceptions into the SDK's neutral failures, and how it bounds hostile answers.
The aiohttp and httpx senders run over real loopback sockets; the ASGI sender in process."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import anyio
import httpx
import pytest
import pytest_asyncio
import yarl
from aiohttp.client_reqrep import ConnectionKey
from multidict import CIMultiDict, CIMultiDictProxy

from stream_async._http import (
    AiohttpSender,
    AsgiSender,
    HttpxSender,
    PreparedRequest,
    ResponseTooLarge,
    Sender,
    SendError,
    SendTimeout,
    build_http_client,
)
from tests.servers import Recorder, free_port, serve
from tests.support.raw import raw_server

Scope = dict[str, Any]
KIB = 1024
CAP = 64 * KIB
SENDERS = ["aiohttp", "httpx"]


def prepared(
    url: str, method: str = "GET", content: Any = None, headers: dict[str, str] | None = None
) -> PreparedRequest:
    return PreparedRequest(
        method, url, {"Accept": "application/json", **(headers or {})}, content, 2.0
    )


@pytest_asyncio.fixture
async def sender_for() -> AsyncIterator[Callable[[str], Awaitable[Sender]]]:
    """Builds a sender of a given kind over the client's own pool, closed afterwards."""
    clients: list[httpx.AsyncClient] = []

    async def make(kind: str) -> Sender:
        http, session = build_http_client(kind, max_connections=4)  # type: ignore[arg-type]
        clients.append(http)
        if session is not None:
            return AiohttpSender(session, max_response_bytes=CAP)
        return HttpxSender(http, max_response_bytes=CAP)

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, str]]:
    app = Recorder()
    with serve(app) as url:
        yield app, url


# -- encoding and reading, over a socket -------------------------------------------


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_sends_the_prepared_request_as_is(
    sender_for: Any, recorder: tuple[Recorder, str], kind: str
) -> None:
    app, url = recorder
    app.status, app.headers, app.body = 201, [(b"x-ratelimit-remaining", b"7")], b'{"ok":true}'
    sender = await sender_for(kind)
    body = json.dumps({"object": "é"}).encode()
    reply = await sender.send(
        prepared(
            f"{url}/api/v1.0/feed/user/a%2Fb/%2E%2E/?api_key=k&ids=1%2C2",
            "POST",
            body,
            {"Content-Type": "application/json", "Authorization": "tok"},
        ),
        2.0,
    )
    assert (reply.status_code, reply.reason, reply.content) == (201, "Created", b'{"ok":true}')
    assert (b"x-ratelimit-remaining", b"7") in list(reply.headers)
    [seen] = app.requests
    assert seen["method"] == "POST"
    # encoded ids stay one segment each: nothing is decoded or normalised on the way
    assert seen["raw_path"] == b"/api/v1.0/feed/user/a%2Fb/%2E%2E/"
    assert seen["query"] == b"api_key=k&ids=1%2C2"
    assert seen["body"] == body
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["authorization"] == "tok"
    assert seen["headers"]["accept"] == "application/json"
    assert seen["headers"]["content-length"] == str(len(body))


class Rewinding:
    """An async iterable body that starts over on each iteration, as uploads are."""

    def __init__(self, *parts: bytes) -> None:
        self.parts = parts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_streamed_body_is_sent_sized_and_again_on_each_attempt(
    sender_for: Any, recorder: tuple[Recorder, str], kind: str
) -> None:
    app, url = recorder
    sender = await sender_for(kind)
    request = prepared(f"{url}/files/", "POST", Rewinding(b"abc", b"def"), {"Content-Length": "6"})
    await sender.send(request, 2.0)
    await sender.send(request, 2.0)
    assert [r["body"] for r in app.requests] == [b"abcdef", b"abcdef"]
    assert all(r["headers"]["content-length"] == "6" for r in app.requests)
    assert all("transfer-encoding" not in r["headers"] for r in app.requests)


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_gzip_body_is_read_decoded(
    sender_for: Any, recorder: tuple[Recorder, str], kind: str
) -> None:
    app, url = recorder
    app.status, app.headers, app.body = (
        200,
        [(b"content-encoding", b"gzip")],
        gzip.compress(b'{"a":1}'),
    )
    reply = await (await sender_for(kind)).send(prepared(f"{url}/x/"), 2.0)
    assert reply.content == b'{"a":1}'


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirect_is_returned_never_followed(
    sender_for: Any, recorder: tuple[Recorder, str], kind: str, status: int
) -> None:
    app, url = recorder
    app.status, app.headers, app.body = status, [(b"location", f"{url}/elsewhere/".encode())], b""
    reply = await (await sender_for(kind)).send(prepared(f"{url}/x/", "POST", b"{}"), 2.0)
    assert reply.status_code == status
    assert [r["raw_path"] for r in app.requests] == [b"/x/"]


# -- hostile answers: sizes --------------------------------------------------------


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_declared_oversize_body_fails_before_reading_it(sender_for: Any, kind: str) -> None:
    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        # says 300 MB, sends a little, then stalls: only the header can end this early
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 300000000\r\n\r\n" + b"x" * 1000)
        await writer.drain()
        await asyncio.sleep(5)
        writer.close()

    async with raw_server(huge) as url:
        sender = await sender_for(kind)
        started = time.monotonic()
        with pytest.raises(ResponseTooLarge, match=r"max_response_bytes=65536 \(Content-Length"):
            await sender.send(prepared(f"{url}/x/"), 4.0)
        assert time.monotonic() - started < 2.0  # generous: the server stalls for 5 s


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_endless_body_fails_once_past_the_cap(sender_for: Any, kind: str) -> None:
    sent = 0

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"400\r\n" + b"x" * KIB + b"\r\n"
        deadline = time.monotonic() + 5
        while not writer.is_closing() and time.monotonic() < deadline:
            writer.write(chunk)
            try:
                await writer.drain()
            except OSError:
                break
            sent += KIB
        writer.close()

    async with raw_server(endless) as url:
        with pytest.raises(ResponseTooLarge) as info:
            await (await sender_for(kind)).send(prepared(f"{url}/x/"), 4.0)
    assert info.value.limit == CAP
    assert info.value.sent
    assert sent < 100 * CAP  # the client stopped reading long before the server gave up


def gzip_bomb(inflated: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(KIB * KIB)
    out = [packer.compress(block) for _ in range(inflated // len(block))]
    return b"".join(out) + packer.flush()


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_compressed_body_counts_after_decompression(
    sender_for: Any, recorder: tuple[Recorder, str], kind: str
) -> None:
    app, url = recorder
    bomb = gzip_bomb(64 * KIB * KIB)  # about 64 KB that inflate to 64 MiB
    assert len(bomb) < CAP * 2
    app.headers = [(b"content-encoding", b"gzip"), (b"content-length", str(len(bomb)).encode())]
    app.body = bomb
    with pytest.raises(ResponseTooLarge):
        await (await sender_for(kind)).send(prepared(f"{url}/x/"), 4.0)


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_body_at_the_cap_is_read(
    sender_for: Any, recorder: tuple[Recorder, str], kind: str
) -> None:
    app, url = recorder
    app.status, app.headers, app.body = 200, [], b"y" * CAP
    reply = await (await sender_for(kind)).send(prepared(f"{url}/x/"), 4.0)
    assert len(reply.content) == CAP


# -- failures over a socket --------------------------------------------------------


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_refused_connection_is_a_connection_error_never_sent(
    sender_for: Any, kind: str
) -> None:
    sender = await sender_for(kind)
    with pytest.raises(SendError) as info:
        await sender.send(prepared(f"http://127.0.0.1:{free_port()}/x/"), 3.0)
    assert not isinstance(info.value, SendTimeout)
    assert not info.value.sent


async def read_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)
    writer.close()


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)
    writer.write(b"NOT HTTP AT ALL\r\n\r\n")
    await writer.drain()
    writer.close()


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
@pytest.mark.parametrize("handler", [read_then_close, garbage])
async def test_lost_or_garbled_answer_is_a_connection_error_that_was_sent(
    sender_for: Any, kind: str, handler: Any
) -> None:
    async with raw_server(handler) as url:
        with pytest.raises(SendError) as info:
            await (await sender_for(kind)).send(prepared(f"{url}/x/", "POST", b"{}"), 3.0)
    assert not isinstance(info.value, SendTimeout)
    assert info.value.sent


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SENDERS)
async def test_slow_answer_is_a_timeout_that_may_have_been_sent(sender_for: Any, kind: str) -> None:
    async def slow(scope: Scope, receive: Any, send: Any) -> None:
        await anyio.sleep(3)

    with serve(slow) as url:
        started = time.monotonic()
        with pytest.raises(SendTimeout) as info:
            await (await sender_for(kind)).send(prepared(f"{url}/x/"), 0.3)
        assert time.monotonic() - started < 2.0  # generous: the attempt has 0.3 s
    assert info.value.sent


# -- each library's exceptions, mapped once ----------------------------------------


KEY = ConnectionKey("h", 1, False, True, None, None, None)
OS_ERROR = OSError(111, "refused")
INFO = aiohttp.RequestInfo(
    yarl.URL("http://h/"), "GET", CIMultiDictProxy(CIMultiDict()), yarl.URL("http://h/")
)

# (exception, timeout?, sent?) - subclasses listed with their bases
AIOHTTP_FAILURES: list[tuple[BaseException, bool, bool]] = [
    (aiohttp.ClientConnectorError(KEY, OS_ERROR), False, False),
    (aiohttp.ClientConnectorDNSError(KEY, OS_ERROR), False, False),
    (aiohttp.ClientProxyConnectionError(KEY, OS_ERROR), False, False),
    (aiohttp.ClientSSLError(KEY, OS_ERROR), False, False),
    (aiohttp.ClientConnectorSSLError(KEY, OS_ERROR), False, False),
    (aiohttp.InvalidURL("not a url"), False, False),
    (aiohttp.InvalidUrlClientError("not a url"), False, False),
    (aiohttp.NonHttpUrlClientError("ftp://x"), False, False),
    (aiohttp.ConnectionTimeoutError("connect"), True, False),
    (aiohttp.ServerTimeoutError("read"), True, True),
    (aiohttp.SocketTimeoutError("read"), True, True),
    (asyncio.TimeoutError(), True, True),
    (aiohttp.ServerDisconnectedError(), False, True),
    (aiohttp.ClientConnectionResetError("reset"), False, True),
    (aiohttp.ClientOSError(104, "reset"), False, True),
    (aiohttp.ClientConnectionError("lost"), False, True),
    (aiohttp.ServerConnectionError("lost"), False, True),
    (aiohttp.ClientPayloadError("truncated"), False, True),
    (aiohttp.ClientResponseError(INFO, (), status=400, message="malformed"), False, True),
    (aiohttp.ClientError("other"), False, True),
    (ConnectionResetError(104, "reset"), False, True),
]


class RaisingSession:
    """Stands in for an aiohttp session whose ``request`` raises ``exc``."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise self.exc


@pytest.mark.asyncio
@pytest.mark.parametrize(("exc", "timeout", "sent"), AIOHTTP_FAILURES)
async def test_aiohttp_exceptions_map_once(exc: BaseException, timeout: bool, sent: bool) -> None:
    sender = AiohttpSender(RaisingSession(exc), max_response_bytes=CAP)  # type: ignore[arg-type]
    with pytest.raises(SendError) as info:
        await sender.send(prepared("http://127.0.0.1:1/x/"), 1.0)
    assert isinstance(info.value, SendTimeout) is timeout
    assert info.value.sent is sent
    assert info.value.__cause__ is exc


HTTPX_FAILURES: list[tuple[Exception, bool, bool]] = [
    (httpx.ConnectTimeout("connect"), True, False),
    (httpx.PoolTimeout("pool"), True, False),
    (httpx.ReadTimeout("read"), True, True),
    (httpx.WriteTimeout("write"), True, True),
    (httpx.ConnectError("refused"), False, False),
    (httpx.UnsupportedProtocol("ftp"), False, False),
    (httpx.ReadError("reset"), False, True),
    (httpx.WriteError("reset"), False, True),
    (httpx.RemoteProtocolError("disconnected"), False, True),
    (httpx.LocalProtocolError("bad"), False, True),
    (httpx.ProxyError("proxy"), False, True),
    (httpx.CloseError("close"), False, True),
    (httpx.DecodingError("bad gzip"), False, True),
    (httpx.TooManyRedirects("loop"), False, True),
    (ConnectionResetError(104, "reset"), False, True),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("exc", "timeout", "sent"), HTTPX_FAILURES)
async def test_httpx_exceptions_map_once(exc: Exception, timeout: bool, sent: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        sender = HttpxSender(http, max_response_bytes=CAP)
        with pytest.raises(SendError) as info:
            await sender.send(prepared("http://stream.test/x/"), 1.0)
    assert isinstance(info.value, SendTimeout) is timeout
    assert info.value.sent is sent
    assert info.value.__cause__ is exc


@pytest.mark.anyio
async def test_httpx_sender_bounds_a_stalled_body_by_the_attempt() -> None:
    class Stalling(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"{"
            await anyio.sleep(5)

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Stalling())

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        started = time.monotonic()
        with pytest.raises(SendTimeout) as info:
            await HttpxSender(http, max_response_bytes=CAP).send(
                prepared("http://stream.test/x/"), 0.2
            )
        assert time.monotonic() - started < 2.0  # generous: the attempt has 0.2 s
    assert info.value.sent


@pytest.mark.anyio
async def test_httpx_sender_never_follows_an_injected_clients_redirects() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(307, headers={"location": "http://elsewhere.test/y/"})

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, follow_redirects=True) as http:
        reply = await HttpxSender(http, max_response_bytes=CAP).send(
            prepared("http://stream.test/x/", "POST", b"{}"), 1.0
        )
    assert (reply.status_code, seen) == (307, ["/x/"])


# -- the in-process ASGI sender ----------------------------------------------------


@pytest.mark.anyio
async def test_asgi_sender_encodes_like_the_others() -> None:
    app = Recorder(200, [(b"x-a", b"1")], b'{"ok":1}')
    sender = AsgiSender(app, max_response_bytes=CAP)
    form = Rewinding(b"--b\r\n", b"data")
    reply = await sender.send(
        prepared(
            "http://emulator.invalid/api/v1.0/feed/user/a%2Fb/?api_key=k",
            "POST",
            form,
            {"Content-Length": "9", "Authorization": "tok"},
        ),
        1.0,
    )
    assert (reply.status_code, reply.content, next(iter(reply.headers))) == (
        200,
        b'{"ok":1}',
        (b"x-a", b"1"),
    )
    [seen] = app.requests
    assert (seen["method"], seen["raw_path"], seen["query"]) == (
        "POST",
        b"/api/v1.0/feed/user/a%2Fb/",
        b"api_key=k",
    )
    assert seen["body"] == b"--b\r\ndata"
    assert seen["headers"]["host"] == "emulator.invalid"
    assert seen["headers"]["authorization"] == "tok"


@pytest.mark.anyio
async def test_asgi_app_crash_is_a_connection_error_that_was_sent() -> None:
    async def crash(scope: Scope, receive: Any, send: Any) -> None:
        raise RuntimeError("the app fell over")

    with pytest.raises(SendError, match="the app raised RuntimeError") as info:
        await AsgiSender(crash, max_response_bytes=CAP).send(prepared("http://a.invalid/"), 1.0)
    assert not isinstance(info.value, SendTimeout)
    assert info.value.sent
    assert isinstance(info.value.__cause__, RuntimeError)


@pytest.mark.anyio
async def test_asgi_sender_times_out_and_caps() -> None:
    async def slow(scope: Scope, receive: Any, send: Any) -> None:
        await anyio.sleep(5)

    with pytest.raises(SendTimeout):
        await AsgiSender(slow, max_response_bytes=CAP).send(prepared("http://a.invalid/"), 0.1)
    big = Recorder(200, [], b"z" * (CAP + 1))
    with pytest.raises(ResponseTooLarge):
        await AsgiSender(big, max_response_bytes=CAP).send(prepared("http://a.invalid/"), 1.0)
    gzipped = Recorder(200, [(b"content-encoding", b"gzip")], gzip_bomb(2 * KIB * KIB))
    with pytest.raises(ResponseTooLarge):
        await AsgiSender(gzipped, max_response_bytes=CAP).send(prepared("http://a.invalid/"), 1.0)


def test_prepared_request_is_immutable() -> None:
    request = prepared("http://a.invalid/")
    with pytest.raises(AttributeError):
        request.url = "http://b.invalid/"  # type: ignore[misc]
