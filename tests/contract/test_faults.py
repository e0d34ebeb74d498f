"""Fault shapes that hold on every sender: refused connections, 5xx then success, 429 with
Retry-After, and 4xx answers mapped to typed errors.

Error bodies, codes and classes from api-semantics.md, section 4 "Errors" (the code table);
the retry rules from the README, "Retries" (502/503/504 retried for reads, 429 for every
call, after the Retry-After the server asked for).
"""

from __future__ import annotations

from typing import Any

import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.testing import free_port
from tests.conftest import API_KEY, API_SECRET
from tests.contract.conftest import Sender
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
