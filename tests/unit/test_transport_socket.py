"""The request path over real loopback sockets: what a server receives, refused
connections and timeouts, on both transports."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import jwt
import pytest

from stream_async import APIConnectionError, APITimeoutError, AsyncStreamClient, __version__
from stream_async.errors import (
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    StreamAPIError,
)
from tests.conftest import API_KEY, API_SECRET
from tests.servers import Recorder, free_port, serve

Scope = dict[str, Any]
Receive = Any
Send = Any


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, str]]:
    app = Recorder()
    with serve(app) as url:
        yield app, url


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", ["auto", "httpx"])
async def test_local_server_receives_least_privilege_request(
    recorder: tuple[Recorder, str], transport: str
) -> None:
    app, url = recorder
    async with AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=url,
        transport=transport,  # type: ignore[arg-type]
    ) as client:
        app.body = json.dumps({"removed": "a-1", "duration": "1ms"}).encode()
        result = await client.feed("user", "u-1").remove_activity("a-1")
        assert client.transport_name == ("aiohttp" if transport == "auto" else "httpx")
    assert result.removed == "a-1"
    [seen] = app.requests
    assert seen["method"] == "DELETE"
    assert seen["raw_path"] == b"/api/v1.0/feed/user/u-1/a-1/"
    assert seen["query"] == f"api_key={API_KEY}".encode()
    headers = seen["headers"]
    assert headers["stream-auth-type"] == "jwt"
    assert headers["x-stream-client"] == f"stream-async-python-{__version__}"
    assert jwt.decode(headers["authorization"], API_SECRET, ["HS256"]) == {
        "resource": "feed",
        "action": "delete",
        "feed_id": "useru-1",
    }
    assert seen["body"] == b""


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", ["auto", "httpx"])
async def test_post_body_and_error_over_socket(
    recorder: tuple[Recorder, str], transport: str
) -> None:
    app, url = recorder
    app.status = 503
    app.body = b"<html>unavailable</html>"
    async with AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=url,
        transport=transport,  # type: ignore[arg-type]
    ) as client:
        with pytest.raises(InternalServerError) as info:
            await client.feed("user", "1").add_activity({"actor": "a", "verb": "v", "object": "é"})
    assert info.value.status_code == 503
    [seen] = app.requests
    assert json.loads(seen["body"]) == {"actor": "a", "verb": "v", "object": "é"}
    assert seen["headers"]["content-type"] == "application/json"


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", ["auto", "httpx"])
async def test_refused_connection_raises_connection_error(transport: str) -> None:
    port = free_port()  # nothing listens there
    async with AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=f"http://127.0.0.1:{port}",
        transport=transport,  # type: ignore[arg-type]
    ) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as info:
            await client.feed("user", "1").get()
        elapsed = time.monotonic() - started
    # README, "Timeouts, retries and deadlines": refused is a connection error, not a timeout
    assert not isinstance(info.value, APITimeoutError)
    assert "connection failed" in str(info.value)
    assert info.value.retries_taken == 2
    assert elapsed < 2.5  # generous: three refusals and two short backoffs, no timeout
    assert isinstance(info.value.__cause__, httpx.HTTPError | OSError)
    assert "GET api/feed/user/1/" in str(info.value)
    assert API_SECRET not in str(info.value)


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", ["auto", "httpx"])
async def test_slow_server_raises_timeout_within_bound(
    recorder: tuple[Recorder, str], transport: str
) -> None:
    app, url = recorder
    app.delay = 3.0
    async with AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=url,
        timeout=0.3,
        transport=transport,  # type: ignore[arg-type]
    ) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"timed out after 0\.3s"):
            await client.feed("user", "1").get()
        elapsed = time.monotonic() - started
    # generous bound: the deadline is 0.3 s, the server would answer after 3 s
    assert elapsed < 2.5


@pytest.mark.socket
@pytest.mark.asyncio
async def test_trickling_body_still_hits_the_deadline() -> None:
    async def trickle(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(40):
            await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await anyio.sleep(0.1)
        await send({"type": "http.response.body", "body": b"{}"})

    with serve(trickle) as url:
        async with AsyncStreamClient(
            api_key=API_KEY, api_secret=API_SECRET, base_url=url, timeout=0.5
        ) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await client.feed("user", "1").get()
            assert time.monotonic() - started < 3.0


def test_no_network_guard_blocks_outside_addresses() -> None:
    with socket.socket() as sock, pytest.raises(AssertionError, match="non-loopback"):
        sock.connect(("192.0.2.1", 80))
    with socket.socket() as sock, pytest.raises(AssertionError, match="non-loopback"):
        sock.connect_ex(("example.invalid", 80))


TRANSPORTS = ["auto", "httpx"]
ACTIVITY = {"id": "a-1", "actor": "a", "verb": "v", "object": "o", "time": "2024-01-01T00:00:00"}


def socket_client(url: str, transport: str, **options: Any) -> AsyncStreamClient:
    return AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=url,
        transport=transport,  # type: ignore[arg-type]
        **options,
    )


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("reset", [b"253402300800", b"99999999999999999999", b"soon", b"-5"])
async def test_out_of_range_rate_limit_reset_is_ignored(
    recorder: tuple[Recorder, str], transport: str, reset: bytes
) -> None:
    app, url = recorder
    app.headers = [
        (b"content-type", b"application/json"),
        (b"x-ratelimit-limit", b"10"),
        (b"x-ratelimit-remaining", b"0"),
        (b"x-ratelimit-reset", reset),
    ]
    async with socket_client(url, transport, pause_on_rate_limit=True) as client:
        page = await client.feed("user", "1").get()
        assert page.rate_limit is not None
        assert (page.rate_limit.limit, page.rate_limit.remaining) == (10, 0)
        assert page.rate_limit.reset is None
        await client.feed("user", "1").get()  # no pause: the reset time was ignored
        app.status = 403
        app.body = b'{"code": 17, "detail": "not allowed"}'
        with pytest.raises(PermissionDeniedError) as info:
            await client.feed("user", "1").get()
    assert info.value.rate_limit is not None
    assert info.value.rate_limit.reset is None


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_rate_limit_pause_never_runs_past_the_deadline(
    recorder: tuple[Recorder, str], transport: str, retry_waits: list[float]
) -> None:
    app, url = recorder
    app.headers = [
        (b"x-ratelimit-limit", b"10"),
        (b"x-ratelimit-remaining", b"0"),
        (b"x-ratelimit-reset", str(int(time.time()) + 3600).encode()),
    ]
    async with socket_client(url, transport, pause_on_rate_limit=True, total_timeout=3) as client:
        await client.feed("user", "1").get()
        await client.feed("user", "1").get()
        async with client.with_options(total_timeout=None) as unbounded:
            await unbounded.feed("user", "1").get()
    assert retry_waits == []  # an hour's pause fits neither 3 s nor the 60 s cap
    assert len(app.requests) == 3


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_long_retry_after_without_deadline_raises_at_once(
    recorder: tuple[Recorder, str], transport: str, retry_waits: list[float]
) -> None:
    app, url = recorder
    app.status = 429
    app.headers = [(b"retry-after", b"100000")]
    app.body = b'{"code": 9, "detail": "slow down"}'
    async with socket_client(url, transport, total_timeout=None) as client:
        with pytest.raises(RateLimitError) as info:
            await client.feed("user", "1").get()
    assert retry_waits == []
    assert len(app.requests) == 1
    assert info.value.retry_after == 100000.0


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_redirect_answer_to_a_write_is_an_error(
    recorder: tuple[Recorder, str], transport: str
) -> None:
    app, url = recorder
    app.status = 307
    app.headers = [(b"location", b"http://127.0.0.1:9/elsewhere/")]
    app.body = json.dumps(ACTIVITY).encode()  # parses as an activity: still not a success
    async with socket_client(url, transport) as client:
        with pytest.raises(StreamAPIError, match="redirects are never followed") as info:
            await client.feed("user", "1").add_activity({"actor": "a", "verb": "v", "object": "o"})
    assert type(info.value) is StreamAPIError
    assert info.value.status_code == 307
    assert info.value.retries_taken == 0
    assert len(app.requests) == 1


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_response_over_the_size_cap_is_typed_and_not_retried(
    recorder: tuple[Recorder, str], transport: str
) -> None:
    app, url = recorder
    app.body = b'{"results": [], "next": "", "pad": "' + b"x" * 4096 + b'"}'
    async with socket_client(url, transport, max_response_bytes=1024) as client:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=1024") as info:
            await client.feed("user", "1").get()
    assert info.value.limit == 1024
    assert info.value.retries_taken == 0
    assert len(app.requests) == 1
    assert API_SECRET not in str(info.value)


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_upload_goes_through_the_same_sender(
    recorder: tuple[Recorder, str], transport: str
) -> None:
    app, url = recorder
    app.body = b'{"file": "http://cdn.test/f.txt", "duration": "1ms"}'
    async with socket_client(url, transport) as client:
        uploaded = await client.files.upload(b"hello", filename="f.txt")
        assert client.transport_name == ("aiohttp" if transport == "auto" else "httpx")
    assert uploaded.file == "http://cdn.test/f.txt"
    [seen] = app.requests
    assert (seen["method"], seen["raw_path"]) == ("POST", b"/api/v1.0/files/")
    assert seen["query"] == f"api_key={API_KEY}".encode()
    headers = seen["headers"]
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    assert headers["content-length"] == str(len(seen["body"]))
    assert b'filename="f.txt"' in seen["body"]
    assert b"\r\n\r\nhello\r\n" in seen["body"]
    assert jwt.decode(headers["authorization"], API_SECRET, ["HS256"]) == {
        "resource": "files",
        "action": "write",
        "feed_id": "*",
    }


class Unsized(io.RawIOBase):
    """A readable binary stream whose size nothing can tell (like a pipe)."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_upload_of_unknown_size_is_sent_chunked(
    recorder: tuple[Recorder, str], transport: str
) -> None:
    app, url = recorder
    app.body = b'{"file": "http://cdn.test/f.bin", "duration": "1ms"}'
    async with socket_client(url, transport) as client:
        await client.files.upload(Unsized(b"piped bytes"), filename="f.bin")  # type: ignore[arg-type]
    [seen] = app.requests
    assert seen["headers"]["transfer-encoding"] == "chunked"
    assert "content-length" not in seen["headers"]
    assert b"\r\n\r\npiped bytes\r\n" in seen["body"]


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_result_headers_are_the_answers(
    recorder: tuple[Recorder, str], transport: str, caplog: pytest.LogCaptureFixture
) -> None:
    app, url = recorder
    app.headers = [(b"content-type", b"application/json"), (b"x-ratelimit-remaining", b"n/a")]
    async with socket_client(url, transport) as client:
        with caplog.at_level("DEBUG", logger="stream_async"):
            page = await client.feed("user", "1").get()
    raw = page.raw_response
    assert raw is not None
    assert repr(raw) == "RawResponse(status_code=200)"
    assert raw.headers["x-ratelimit-remaining"] == "n/a"
    assert raw.headers is raw.headers  # built once, on first use
    # a rate-limit count that is not a number never reaches the log
    [record] = [r for r in caplog.records if r.name == "stream_async"]
    assert record.getMessage().endswith("rate_limit_remaining=-")
