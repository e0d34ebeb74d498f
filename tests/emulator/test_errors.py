"""Error bodies, rate-limit headers, malformed input and the catch-all (§4, §5)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from stream_async.emulator import Emulator
from tests.emulator.conftest import Api, error

pytestmark = pytest.mark.asyncio

ERROR_KEYS = {"detail", "status_code", "code", "exception", "more_info", "duration"}
ACTIVITY = {"actor": "a", "verb": "v", "object": "o"}


def _check_rate_headers(headers: Any) -> None:
    limit = int(headers["x-ratelimit-limit"])
    remaining = int(headers["x-ratelimit-remaining"])
    reset = int(headers["x-ratelimit-reset"])
    assert 0 <= remaining < limit
    assert time.time() < reset <= time.time() + 61


async def test_error_body_has_the_full_key_set(api: Api) -> None:
    response = await api.request("GET", "feed/nope/1/")
    body = error(response, 400, 6)
    assert set(body) == ERROR_KEYS
    assert body["more_info"] == "https://getstream.io/docs/api_error_responses"  # §4
    assert body["duration"].endswith("ms")
    assert response.headers["content-type"] == "application/json"
    _check_rate_headers(response.headers)


async def test_field_errors_add_exception_fields(api: Api) -> None:
    body = error(await api.request("POST", "feed/user/1/", json={}), 400, 4)
    assert set(body) == ERROR_KEYS | {"exception_fields"}
    assert body["exception_fields"]["actor"] == ["This field is required."]


async def test_success_and_auth_errors_carry_rate_limit_headers(api: Api) -> None:
    success = await api.request("GET", "feed/user/1/")
    failure = await api.request("GET", "feed/user/1/", api_key="wrong")
    _check_rate_headers(success.headers)
    _check_rate_headers(failure.headers)
    assert int(failure.headers["x-ratelimit-remaining"]) < int(
        success.headers["x-ratelimit-remaining"]
    )


async def test_unknown_path_and_wrong_method_are_stream_errors(api: Api) -> None:
    missing = await api.request("GET", "nothing/here/")
    assert set(error(missing, 404, 16)) == ERROR_KEYS
    _check_rate_headers(missing.headers)
    error(await api.request("PUT", "activity/", json={}), 405, 17)


def _nested(depth: int) -> Any:
    """Lists nested ``depth`` levels deep."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


async def test_bodies_may_nest_100_levels(api: Api) -> None:
    activity = {**ACTIVITY, "deep": _nested(99)}
    response = await api.request("POST", "feed/user/1/", json=activity)
    assert response.status_code == 201, response.text
    assert response.json()["deep"] == activity["deep"]


_deep = b"[" * 960 + b"]" * 960
MALFORMED: list[tuple[str, str, Any, bytes | None]] = [
    ("POST", "feed/user/1/", None, b"{not json"),
    ("POST", "feed/user/1/", None, b""),
    ("POST", "feed/user/1/", None, b'{"actor": NaN}'),
    ("POST", "feed/user/1/", None, b"\xff\xfe"),
    ("POST", "feed/user/1/", None, b"[" * 100_000),
    ("POST", "feed/user/1/", {**ACTIVITY, "deep": _nested(100)}, None),
    ("POST", "feed/user/1/", None, b'{"actor":"a","verb":"v","object":"o","x":%s}' % _deep),
    ("POST", "feed/user/1/", [ACTIVITY], None),
    ("POST", "feed/user/1/", "activity", None),
    ("POST", "feed/user/1/", {"activities": ACTIVITY}, None),
    ("POST", "feed/user/1/", {"activities": [ACTIVITY, "x"]}, None),
    ("POST", "feed/user/1/", {"activities": [ACTIVITY, {"actor": "a"}]}, None),
    ("POST", "feed/user/1/", {"activities": [ACTIVITY, {**ACTIVITY, "to": ["x:1"]}]}, None),
    ("POST", "feed/user/1/", {"activities": [ACTIVITY] * 101}, None),
    ("POST", "feed/timeline/1/follows/", [], None),
    ("POST", "feed/timeline/1/follows/", {"target": ["user:1"]}, None),
    ("DELETE", "feed/timeline/1/follows/user1/", {}, None),
    ("POST", "follow_many/", {"source": "timeline:1"}, None),
    ("POST", "follow_many/", None, b"nope"),
    ("POST", "unfollow_many/", {}, None),
    ("POST", "feed/add_to_many/", [], None),
    ("POST", "activities/", [], None),
    ("POST", "activity/", [], None),
    ("POST", "activity/", {"changes": {}}, None),
    ("POST", "feed_targets/user/1/activity_to_targets/", [], None),
    ("GET", "feed/user/1/", None, None),
]


@pytest.mark.parametrize(("method", "path", "body", "raw"), MALFORMED)
async def test_malformed_input_is_a_4xx_stream_error_and_writes_nothing(
    api: Api,
    emulator: Emulator,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    body: Any,
    raw: bytes | None,
) -> None:
    params = {"limit": "lots"} if method == "GET" else None
    with caplog.at_level(logging.ERROR, logger="stream_async.emulator"):
        response = await api.request(method, path, json=body, content=raw, params=params)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) >= ERROR_KEYS
    assert response.json()["code"] in (4, 6)
    assert not caplog.records
    assert emulator.store.activity_ids() == []
    assert emulator.store.feed_summaries() == []


async def test_unexpected_exceptions_answer_a_stream_500(
    api: Api, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(emulator.store, "add", explode)
    with caplog.at_level(logging.ERROR, logger="stream_async.emulator"):
        response = await api.request("POST", "feed/user/1/", json=ACTIVITY)
    body = error(response, 500, -1)
    assert set(body) == ERROR_KEYS
    assert "boom" not in body["detail"]
    assert caplog.records[0].exc_info is not None
    _check_rate_headers(response.headers)


async def test_requests_without_trailing_slash_are_redirected(api: Api) -> None:
    response = await api.request("GET", "feed/user/1")
    assert response.status_code in (307, 308)
    assert response.headers["location"].split("?")[0].endswith("/api/v1.0/feed/user/1/")
