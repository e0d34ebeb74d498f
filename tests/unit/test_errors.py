"""Every API error becomes a typed exception, whatever the body looks like."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, errors
from stream_async._ratelimit import retry_after_seconds
from stream_async.errors import error_from_response
from tests.conftest import stream_error

pytestmark = pytest.mark.anyio

BY_CODE = [
    (401, 2, "ApiKeyException", errors.ApiKeyError, errors.AuthenticationError),
    (401, 3, "SignatureException", errors.SignatureError, errors.AuthenticationError),
    (400, 4, "InputException", errors.InputError, errors.BadRequestError),
    (400, 5, "CustomFieldException", errors.CustomFieldError, errors.BadRequestError),
    (400, 6, "FeedConfigException", errors.FeedConfigError, errors.BadRequestError),
    (401, 7, "SiteSuspendedException", errors.SiteSuspendedError, errors.AuthenticationError),
    (400, 8, "InvalidPaginationException", errors.InvalidPaginationError, errors.BadRequestError),
    (429, 9, "RateLimitReached", errors.RateLimitError, errors.StreamAPIError),
    (400, 10, "MissingUserException", errors.MissingUserError, errors.FeedConfigError),
    (400, 11, "RankingException", errors.RankingError, errors.FeedConfigError),
    (400, 12, "MissingRankingException", errors.MissingRankingError, errors.FeedConfigError),
    (400, 13, "OldStorageBackend", errors.OldStorageError, errors.BadRequestError),
    (400, 15, "BestPracticeException", errors.BestPracticeError, errors.BadRequestError),
    (404, 16, "DoesNotExistException", errors.DoesNotExistError, errors.NotFoundError),
    (403, 17, "NotAllowedException", errors.NotAllowedError, errors.PermissionDeniedError),
    (413, 18, "InputException", errors.PayloadTooLargeError, errors.StreamAPIError),
    (409, 22, "ConflictException", errors.ConflictError, errors.StreamAPIError),
]


@pytest.mark.parametrize(("status", "code", "name", "cls", "parent"), BY_CODE)
async def test_each_stream_code_has_its_class(
    client: AsyncStreamClient,
    router: respx.Router,
    status: int,
    code: int,
    name: str,
    cls: type[errors.StreamAPIError],
    parent: type[errors.StreamAPIError],
) -> None:
    router.get("feed/user/1/").mock(return_value=stream_error(status, code, name, "it broke"))
    with pytest.raises(cls) as info:
        await client.feed("user", "1").get()
    error = info.value
    assert type(error) is cls
    assert isinstance(error, parent)
    assert isinstance(error, errors.StreamError)
    assert (error.status_code, error.code, error.exception, error.detail) == (
        status,
        code,
        name,
        "it broke",
    )
    assert error.duration == "0.10ms"
    assert str(error) == f"{name} (HTTP {status}, code {code}) on GET api/feed/user/1/: it broke"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (413, errors.PayloadTooLargeError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (502, errors.InternalServerError),
        (503, errors.InternalServerError),
        (418, errors.StreamAPIError),
    ],
)
async def test_status_picks_the_class_without_a_code(
    client: AsyncStreamClient, router: respx.Router, status: int, cls: type[errors.StreamAPIError]
) -> None:
    router.get("feed/user/1/").mock(return_value=stream_error(status, None, "X", "no code"))
    with pytest.raises(cls) as info:
        await client.feed("user", "1").get()
    assert type(info.value) is cls
    assert info.value.code is None


# A body that is not a Stream error (api-semantics.md, section 4 "Errors") keeps its own
# "detail" when it has one; otherwise the detail is the status and its RFC 9110 reason phrase.
@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (
            httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>"),
            "HTTP 502 Bad Gateway",
        ),
        (httpx.Response(500, content=b""), "HTTP 500 Internal Server Error"),
        (httpx.Response(400, json={"detail": "no exception key"}), "no exception key"),
        (httpx.Response(404, json=[1, 2]), "HTTP 404 Not Found"),
        (httpx.Response(401, json={"code": "2", "detail": ""}), "HTTP 401 Unauthorized"),
        (httpx.Response(400, json={"code": True}), "HTTP 400 Bad Request"),
    ],
)
async def test_any_error_body_raises(
    client: AsyncStreamClient, router: respx.Router, response: httpx.Response, detail: str
) -> None:
    router.get("feed/user/1/").mock(return_value=response)
    with pytest.raises(errors.StreamAPIError) as info:
        await client.feed("user", "1").get()
    assert info.value.status_code == response.status_code
    assert info.value.response is not None
    assert info.value.detail == detail
    assert str(response.status_code) in str(info.value)


async def test_html_error_detail_names_the_status(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    router.get("feed/user/1/").respond(502, text="<html>bad gateway</html>")
    with pytest.raises(errors.InternalServerError, match="HTTP 502 Bad Gateway"):
        await client.feed("user", "1").get()


async def test_field_errors_are_in_the_message(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    router.post("feed/user/1/").respond(
        400,
        json={
            "code": 4,
            "exception": "InputException",
            "detail": "Errors for fields 'actor'",
            "exception_fields": {"actor": ["This field is required.", "Too short"]},
            "status_code": 400,
        },
        headers={"x-ratelimit-limit": "10", "x-ratelimit-remaining": "3"},
    )
    with pytest.raises(errors.InputError) as info:
        await client.feed("user", "1").add_activity({"actor": "a", "verb": "v", "object": "o"})
    assert info.value.exception_fields == {"actor": ["This field is required.", "Too short"]}
    assert 'field "actor": This field is required.; Too short' in str(info.value)
    assert info.value.rate_limit == errors.RateLimit(limit=10, remaining=3, reset=None)


def test_exception_fields_as_a_list_of_dicts() -> None:
    response = httpx.Response(
        400,
        json={"code": 4, "detail": "d", "exception_fields": [{"a": "one"}, {"a": ["two"]}, "x"]},
    )
    error = error_from_response(response, method="GET", path="p")
    assert error.exception_fields == {"a": ["one", "two"]}


def test_bad_rate_limit_headers_are_ignored() -> None:
    headers = httpx.Headers({"x-ratelimit-limit": "ten", "x-ratelimit-remaining": "3"})
    assert errors.RateLimit.from_headers(headers) is None


@pytest.mark.parametrize(
    "reset",
    ["253402300800", "99999999999999999999", "1e3", "1_000", "-5", "nan", " "],
)
def test_out_of_range_reset_is_ignored_never_raised(reset: str) -> None:
    headers = httpx.Headers(
        {"x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    )
    assert errors.RateLimit.from_headers(headers) == errors.RateLimit(
        limit=10, remaining=0, reset=None
    )
    assert retry_after_seconds(headers) is None


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "Mon, 01 Jan 99999 00:00:00"])
def test_unusable_retry_after_is_ignored(value: str) -> None:
    assert retry_after_seconds(httpx.Headers({"retry-after": value})) is None


def test_redirect_status_is_an_api_error_that_says_so() -> None:
    response = httpx.Response(307, json={"id": "a-1"}, headers={"location": "http://x.test/"})
    error = error_from_response(response, method="POST", path="api/feed/user/1/")
    assert type(error) is errors.StreamAPIError
    assert str(error) == (
        "StreamAPIError (HTTP 307) on POST api/feed/user/1/: HTTP 307 Temporary Redirect"
        " (a redirect: redirects are never followed)"
    )


def test_retry_after_seconds_and_dates() -> None:
    now = datetime.now(timezone.utc)
    assert retry_after_seconds(httpx.Headers({"retry-after": "2.5"})) == 2.5
    assert retry_after_seconds(httpx.Headers({"retry-after": "-3"})) == 0.0
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    wait = retry_after_seconds(httpx.Headers({"retry-after": later}))
    assert wait is not None
    assert 20 < wait <= 30
    reset = str(int(now.timestamp()) + 60)
    wait = retry_after_seconds(httpx.Headers({"retry-after": "soon", "x-ratelimit-reset": reset}))
    assert wait is not None
    assert 50 < wait <= 60
    naive = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S")
    wait = retry_after_seconds(httpx.Headers({"retry-after": naive}))
    assert wait is not None
    assert 20 < wait <= 30
    assert retry_after_seconds(httpx.Headers()) is None


async def test_rate_limit_error_carries_retry_after(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    router.get("feed/user/1/").respond(
        429,
        json={"code": 9, "exception": "RateLimitReached", "detail": "slow down"},
        headers={"retry-after": "7"},
    )
    with pytest.raises(errors.RateLimitError) as info:
        await client.feed("user", "1").get()
    assert info.value.retry_after == 7.0


def test_rate_limit_error_without_response() -> None:
    error = errors.RateLimitError(
        status_code=429,
        code=9,
        detail="d",
        exception=None,
        exception_fields=None,
        duration=None,
        rate_limit=None,
        response=None,
        method="GET",
        path="p",
    )
    assert error.retry_after is None
    assert str(error).startswith("RateLimitError (HTTP 429, code 9)")


@pytest.mark.parametrize(
    "body",
    [b"<html>ok</html>", b"", b'{"results": "not a list"}', b"[]"],
)
async def test_unreadable_success_body_raises_invalid_response(
    client: AsyncStreamClient, router: respx.Router, body: bytes
) -> None:
    router.get("feed/user/1/").respond(200, content=body)
    with pytest.raises(errors.InvalidResponseError) as info:
        await client.feed("user", "1").get()
    assert info.value.status_code == 200
    assert "FeedPage" in str(info.value)
    assert (info.value.method, info.value.path) == ("GET", "api/feed/user/1/")


def test_missing_user_and_missing_ranking_are_siblings_under_feed_config() -> None:
    # api-semantics.md, "Code table": code 10 is Missing User, code 12 Missing Ranking;
    # one is not a kind of the other.
    assert errors.MissingUserError.__bases__ == (errors.FeedConfigError,)
    assert errors.MissingRankingError.__bases__ == (errors.FeedConfigError,)
    assert not issubclass(errors.MissingUserError, errors.MissingRankingError)
    assert not issubclass(errors.MissingRankingError, errors.MissingUserError)


def test_rate_limit_is_still_importable_where_it_was() -> None:
    from stream_async import RateLimit
    from stream_async._ratelimit import RateLimit as Home

    assert errors.RateLimit is Home
    assert RateLimit is Home
