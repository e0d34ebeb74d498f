"""Fault shapes that hold on every sender: refused connections, resets, stalls, trickled,
truncated and oversized bodies, redirects, 5xx and 429 with each rate-limit header form, and
4xx answers mapped to typed errors.

Error bodies, codes and classes from api-semantics.md, section 4 "Errors" (the code table);
the retry rules from the README, "Retries" (502/503/504 retried for reads, 429 for every
call, after the Retry-After the server asked for).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, cast

import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.testing import free_port
from tests.conftest import API_KEY, API_SECRET
from tests.contract.conftest import ALL_SENDERS, AnySender, Sender, client_on
from tests.support.raw import Handler, raw_server, reset
from tests.support.recording import RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

MORE_INFO = "https://getstream.io/docs/api_error_responses"


def stream_error(status: int, code: int, exception: str, detail: str, **extra: Any) -> Reply:
    body = {
        "detail": detail,
        "status_code": status,
        "code": code,
        "exception": exception,
        "duration": "0.14ms",
        "more_info": MORE_INFO,
        **extra,
    }
    return Reply(status, body)


async def test_refused_connection_is_a_connection_error(sender: Sender) -> None:
    async with AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=f"http://127.0.0.1:{free_port()}",
        transport=sender,
        max_retries=0,
        timeout=1,
    ) as client:
        with pytest.raises(errors.APIConnectionError) as info:
            await client.feed("user", "alice").get()
    assert type(info.value) is errors.APIConnectionError
    assert info.value.retries_taken == 0


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_read_is_retried_after_a_gateway_error(
    sdk: AsyncStreamClient, server: RecordingServer, retry_waits: list[float], status: int
) -> None:
    server.script(
        stream_error(status, -1, "InternalSystemException", "try again"),
        Reply(200, {"results": [], "next": "", "duration": "1ms"}),
    )
    page = await sdk.feed("user", "alice").get(limit=3)
    assert page.results == []
    assert page.duration == "1ms"
    assert [(r.method, r.path, r.query) for r in server.requests] == [
        ("GET", b"/api/v1.0/feed/user/alice/", [("api_key", API_KEY), ("limit", "3")])
    ] * 2
    assert len(retry_waits) == 1


async def test_a_write_is_not_retried_after_a_gateway_error(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(stream_error(503, -1, "InternalSystemException", "unavailable"))
    with pytest.raises(errors.InternalServerError) as info:
        await sdk.feed("user", "alice").add_activity({"actor": "a", "verb": "v", "object": "o"})
    assert info.value.status_code == 503
    assert info.value.may_have_been_applied is True
    assert len(server.requests) == 1


async def test_429_waits_for_retry_after_then_retries(
    sdk: AsyncStreamClient, server: RecordingServer, retry_waits: list[float]
) -> None:
    server.script(
        Reply(
            429,
            {
                "detail": "Too many requests",
                "status_code": 429,
                "code": 9,
                "exception": "RateLimitReached",
                "duration": "0.01ms",
            },
            headers={"Retry-After": "2"},
        ),
        Reply(201, {"duration": "1ms"}),
    )
    await sdk.add_to_many({"actor": "a", "verb": "v", "object": "o"}, ["user:1"])
    assert retry_waits == [2.0]
    assert [r.path for r in server.requests] == [b"/api/v1.0/feed/add_to_many/"] * 2
    assert server.requests[0].body == server.requests[1].body


async def test_429_after_the_last_retry_is_a_rate_limit_error(
    sdk: AsyncStreamClient, server: RecordingServer, retry_waits: list[float]
) -> None:
    limited = stream_error(429, 9, "RateLimitReached", "Too many requests")
    limited = Reply(429, limited.json, headers={"Retry-After": "1.5"})
    server.script(limited, limited, limited)
    with pytest.raises(errors.RateLimitError) as info:
        await sdk.users.get("alice")
    assert (info.value.status_code, info.value.code) == (429, 9)
    assert info.value.retry_after == 1.5
    assert info.value.retries_taken == 2
    assert retry_waits == [1.5, 1.5]
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("reply", "error_type", "status", "code", "exception"),
    [
        (
            stream_error(
                400,
                4,
                "InputException",
                "Errors for fields 'activity_id', 'parent'",
                exception_fields={
                    "activity_id": ["one of activity_id or parent must not be empty"]
                },
            ),
            errors.InputError,
            400,
            4,
            "InputException",
        ),
        (
            stream_error(
                400, 6, "FeedConfigException", "The following feeds are not configured: 'secret'"
            ),
            errors.FeedConfigError,
            400,
            6,
            "FeedConfigException",
        ),
        (
            stream_error(401, 2, "ApiKeyException", "api key not found"),
            errors.ApiKeyError,
            401,
            2,
            "ApiKeyException",
        ),
        (
            stream_error(401, 3, "SignatureException", "signature is invalid"),
            errors.SignatureError,
            401,
            3,
            "SignatureException",
        ),
        (
            stream_error(
                403,
                17,
                "NotAllowedException",
                "You do not have permission to do this, you got this error because there are "
                "no policies allowing this request on this application. Please consult the "
                "documentation https://getstream.io/docs/",
            ),
            errors.NotAllowedError,
            403,
            17,
            "NotAllowedException",
        ),
        (
            stream_error(404, 16, "DoesNotExistException", "user does not exist"),
            errors.DoesNotExistError,
            404,
            16,
            "DoesNotExistException",
        ),
        (
            stream_error(409, 22, "ConflictException", "user already exists"),
            errors.ConflictError,
            409,
            22,
            "ConflictException",
        ),
        (
            stream_error(413, 18, "InputException", "body size exceeded"),
            errors.PayloadTooLargeError,
            413,
            18,
            "InputException",
        ),
    ],
    ids=["400-4", "400-6", "401-2", "401-3", "403-17", "404-16", "409-22", "413-18"],
)
async def test_4xx_is_a_typed_error_with_the_body_fields(
    sdk: AsyncStreamClient,
    server: RecordingServer,
    reply: Reply,
    error_type: type[errors.StreamAPIError],
    status: int,
    code: int,
    exception: str,
) -> None:
    server.script(reply)
    with pytest.raises(errors.StreamAPIError) as info:
        await sdk.users.add("alice", {"name": "Alice"})
    error = info.value
    assert type(error) is error_type
    assert (error.status_code, error.code, error.exception) == (status, code, exception)
    assert error.detail == reply.json["detail"]
    assert error.exception_fields == reply.json.get("exception_fields", {})
    assert error.duration == "0.14ms"
    assert (error.method, error.path) == ("POST", "api/user/")
    assert error.response is not None
    assert error.response.status_code == status
    assert len(server.requests) == 1
    assert API_SECRET not in str(error)
    assert server.requests[0].headers["authorization"] not in str(error)


# -- the fault matrix ---------------------------------------------------------------
#
# Each fault on every sender: socket faults (resets, stalls, trickled, truncated and endless
# bodies) from a bare TCP server on the socket senders; faults an HTTP app can answer with
# (oversized, bad JSON, 3xx, 429 and 5xx with their headers) on every sender, the in-process
# ASGI one included. Retry rules from the README, "Retries"; rate-limit headers from
# client-side-policies.md (Retry-After in seconds or as a date, else x-ratelimit-reset, a
# Unix time; a value that is not a finite number or a valid time is ignored).

ACTIVITY = {"actor": "a", "verb": "v", "object": "o"}
PAGE = b'{"results": [], "next": "", "duration": "1ms"}'
CAP = 1024


def ok(body: bytes = PAGE) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    return head.encode() + b"\r\nConnection: close\r\n\r\n" + body


async def answer_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(ok())
    await writer.drain()
    writer.close()


async def reset_on_accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    reset(writer)


async def reset_after_reading(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    reset(writer)


class Connections:
    """A raw server's handler that runs ``handlers`` on successive connections (the last
    one for every later connection) and counts the connections."""

    def __init__(self, *handlers: Handler) -> None:
        self.handlers = handlers
        self.count = 0

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = self.handlers[min(self.count, len(self.handlers) - 1)]
        self.count += 1
        await handler(reader, writer)


def socket_client(sender: Sender, url: str, **options: Any) -> AsyncStreamClient:
    return AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=url, transport=sender, **options
    )


@pytest.mark.parametrize("fault", [reset_on_accept, reset_after_reading])
async def test_a_reset_read_is_retried(
    sender: Sender, retry_waits: list[float], fault: Handler
) -> None:
    connections = Connections(fault, answer_ok)
    async with raw_server(connections) as url, socket_client(sender, url, max_retries=2) as sdk:
        page = await sdk.feed("user", "alice").get()
    assert page.duration == "1ms"
    assert connections.count == 2  # aiohttp may itself repeat an idempotent request once
    assert len(retry_waits) <= 1


async def test_a_write_reset_after_the_server_read_it_is_not_retried(sender: Sender) -> None:
    connections = Connections(reset_after_reading, answer_ok)
    async with (
        raw_server(connections) as url,
        socket_client(sender, url, max_retries=2) as sdk,
    ):
        with pytest.raises(errors.APIConnectionError) as info:
            await sdk.feed("user", "alice").add_activity(ACTIVITY)
    assert type(info.value) is errors.APIConnectionError
    assert info.value.may_have_been_applied is True
    assert info.value.retries_taken == 0
    assert connections.count == 1


async def test_a_hanging_server_is_a_timeout(sender: Sender) -> None:
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes
        writer.close()

    async with (
        raw_server(hang) as url,
        socket_client(sender, url, max_retries=0, timeout=0.3) as sdk,
    ):
        started = time.monotonic()
        with pytest.raises(errors.APITimeoutError) as info:
            await sdk.feed("user", "alice").get()
        assert time.monotonic() - started < 5.0  # generous: the attempt has 0.3 s
    assert str(info.value).startswith("request timed out after 0.3s")


async def test_a_body_trickled_past_the_timeout_is_a_timeout(sender: Sender) -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n"
        )
        for _ in range(60):  # one byte every 0.1 s: 6 s in all
            if writer.is_closing():
                break
            writer.write(b" ")
            try:
                await writer.drain()
            except OSError:
                break
            await asyncio.sleep(0.1)
        writer.close()

    async with (
        raw_server(trickle) as url,
        socket_client(sender, url, max_retries=0, timeout=0.5) as sdk,
    ):
        started = time.monotonic()
        with pytest.raises(errors.APITimeoutError):
            await sdk.feed("user", "alice").get()
        assert time.monotonic() - started < 4.0  # generous: the attempt has 0.5 s, the body 6 s


async def test_a_truncated_body_is_a_connection_error(sender: Sender) -> None:
    async def truncated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ok()[:-10])  # Content-Length says 10 bytes more than arrive
        await writer.drain()
        writer.close()

    async with raw_server(truncated) as url, socket_client(sender, url, max_retries=0) as sdk:
        with pytest.raises(errors.APIConnectionError) as info:
            await sdk.feed("user", "alice").get()
    assert type(info.value) is errors.APIConnectionError
    assert str(info.value).startswith("connection failed: ")


async def test_an_endless_body_is_too_large(sender: Sender) -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(5000):  # 5 MB at most, far past the cap
            if writer.is_closing():
                break
            writer.write(b"400\r\n" + b"x" * 1024 + b"\r\n")
            try:
                await writer.drain()
            except OSError:
                break
        writer.close()

    async with (
        raw_server(endless) as url,
        socket_client(sender, url, max_retries=2, max_response_bytes=CAP) as sdk,
    ):
        with pytest.raises(errors.ResponseTooLargeError) as info:
            await sdk.feed("user", "alice").get()
    assert info.value.limit == CAP
    assert info.value.retries_taken == 0


@pytest.fixture(params=ALL_SENDERS)
def any_sender(request: pytest.FixtureRequest) -> AnySender:
    return cast(AnySender, request.param)


async def test_a_declared_oversized_body_is_too_large(
    any_sender: AnySender, server: RecordingServer
) -> None:
    server.script(Reply(200, body=b"x" * (CAP + 1)))
    async with client_on(any_sender, server, max_response_bytes=CAP, max_retries=2) as sdk:
        with pytest.raises(errors.ResponseTooLargeError) as info:
            await sdk.feed("user", "alice").get()
    assert info.value.limit == CAP
    assert len(server.requests) == 1


async def test_a_declared_body_at_the_cap_is_read(
    any_sender: AnySender, server: RecordingServer
) -> None:
    server.script(Reply(200, body=PAGE.ljust(CAP), headers={"Content-Type": "application/json"}))
    async with client_on(any_sender, server, max_response_bytes=CAP) as sdk:
        page = await sdk.feed("user", "alice").get()
    assert page.duration == "1ms"
    assert server.requests[0].method == "GET"


async def test_a_body_that_is_not_json_is_an_invalid_response(
    any_sender: AnySender, server: RecordingServer
) -> None:
    server.script(Reply(200, body=b'{"results": [', headers={"Content-Type": "application/json"}))
    async with client_on(any_sender, server) as sdk:
        with pytest.raises(errors.InvalidResponseError) as info:
            await sdk.feed("user", "alice").get()
    assert info.value.status_code == 200
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_never_followed(
    any_sender: AnySender, server: RecordingServer, status: int
) -> None:
    server.script(Reply(status, body=b"", headers={"Location": "/api/v1.0/elsewhere/"}))
    async with client_on(any_sender, server) as sdk:
        with pytest.raises(errors.StreamAPIError) as info:
            await sdk.feed("user", "alice").get()
    assert type(info.value) is errors.StreamAPIError
    assert info.value.status_code == status
    assert "(a redirect: redirects are never followed)" in str(info.value)
    assert [r.path for r in server.requests] == [b"/api/v1.0/feed/user/alice/"]


def in_seconds(seconds: int) -> str:
    return str(int(time.time()) + seconds)


def http_date_in(seconds: int) -> str:
    return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds), usegmt=True)


# (headers, low, high): the first wait lies in [low, high]; 0.5 s is the first backoff's top
RATE_LIMIT_HEADERS: list[tuple[Callable[[], dict[str, str]], float, float]] = [
    (lambda: {"Retry-After": "3"}, 3.0, 3.0),
    (lambda: {"Retry-After": "2.5"}, 2.5, 2.5),
    (lambda: {"Retry-After": http_date_in(10)}, 7.0, 10.0),
    (lambda: {"x-ratelimit-reset": in_seconds(6)}, 3.0, 6.0),
    (lambda: {"Retry-After": "4", "x-ratelimit-reset": in_seconds(20)}, 4.0, 4.0),
    (lambda: {"x-ratelimit-reset": "1000"}, 0.0, 0.0),  # a past reset: no wait
    (lambda: {"Retry-After": "soon"}, 0.0, 0.5),
    (lambda: {"Retry-After": "nan"}, 0.0, 0.5),
    (lambda: {"Retry-After": "inf"}, 0.0, 0.5),
    (lambda: {"x-ratelimit-reset": "1" * 19}, 0.0, 0.5),
    (lambda: {"x-ratelimit-reset": "12abc"}, 0.0, 0.5),
    (lambda: {"x-ratelimit-reset": "999999999999"}, 0.0, 0.5),  # past the year 9999
]
HEADER_IDS = [
    "retry-after-3",
    "retry-after-2.5",
    "retry-after-date",
    "reset-epoch",
    "retry-after-wins",
    "reset-past",
    "retry-after-word",
    "retry-after-nan",
    "retry-after-inf",
    "reset-19-digits",
    "reset-garbled",
    "reset-out-of-range",
]


@pytest.mark.parametrize(("headers", "low", "high"), RATE_LIMIT_HEADERS, ids=HEADER_IDS)
async def test_429_waits_as_the_headers_say_for_a_write(
    any_sender: AnySender,
    server: RecordingServer,
    retry_waits: list[float],
    headers: Callable[[], dict[str, str]],
    low: float,
    high: float,
) -> None:
    limited = stream_error(429, 9, "RateLimitReached", "Too many requests")
    server.script(Reply(429, limited.json, headers=headers()), Reply(201, {"duration": "1ms"}))
    async with client_on(any_sender, server, total_timeout=None) as sdk:
        await sdk.add_to_many(ACTIVITY, ["user:1"])
    assert len(retry_waits) == 1
    assert low <= retry_waits[0] <= high
    assert [r.method for r in server.requests] == ["POST", "POST"]


HEADER_FORMS = [headers for headers, _, _ in RATE_LIMIT_HEADERS]


@pytest.mark.parametrize("headers", HEADER_FORMS, ids=HEADER_IDS)
@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_gateway_error_backs_off_whatever_the_headers_say(
    any_sender: AnySender,
    server: RecordingServer,
    retry_waits: list[float],
    headers: Any,
    status: int,
) -> None:
    failed = stream_error(status, -1, "InternalSystemException", "try again")
    server.script(Reply(status, failed.json, headers=headers()), Reply(200, json.loads(PAGE)))
    async with client_on(any_sender, server, total_timeout=None) as sdk:
        page = await sdk.feed("user", "alice").get()
    assert page.duration == "1ms"
    assert len(retry_waits) == 1
    assert 0.0 <= retry_waits[0] <= 0.5  # the first backoff step, not the header's wait
    assert len(server.requests) == 2


@pytest.mark.parametrize("headers", HEADER_FORMS[:5], ids=HEADER_IDS[:5])
async def test_500_is_never_retried(
    any_sender: AnySender, server: RecordingServer, retry_waits: list[float], headers: Any
) -> None:
    failed = stream_error(500, -1, "InternalSystemException", "broken")
    server.script(Reply(500, failed.json, headers=headers()))
    async with client_on(any_sender, server) as sdk:
        with pytest.raises(errors.InternalServerError) as info:
            await sdk.feed("user", "alice").get()
    assert info.value.status_code == 500
    assert retry_waits == []
    assert len(server.requests) == 1
