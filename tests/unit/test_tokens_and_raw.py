"""Feed-scoped tokens, tracked redirect links and the raw request escape hatch."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import respx

from stream_async import AsyncStreamClient, StreamConfigurationError, StreamValidationError
from tests.conftest import API_KEY, API_SECRET, claims

pytestmark = pytest.mark.anyio


def decode(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, API_SECRET, algorithms=["HS256"])
    return decoded


async def test_feed_scope_and_readonly_tokens(client: AsyncStreamClient) -> None:
    feed = client.feed("user", "alice")
    assert decode(feed.create_scope_token("feed", "write")) == {
        "resource": "feed",
        "action": "write",
        "feed_id": "useralice",
    }
    assert decode(feed.get_readonly_token()) == {
        "resource": "*",
        "action": "read",
        "feed_id": "useralice",
    }
    assert decode(client.aggregated_feed("aggregated", "a").get_readonly_token())["feed_id"] == (
        "aggregateda"
    )
    with pytest.raises(StreamValidationError, match="resource"):
        feed.create_scope_token("", "read")


def test_feed_tokens_need_the_secret() -> None:
    client = AsyncStreamClient(api_key="k", token="user-token")
    with pytest.raises(StreamConfigurationError, match="api_secret"):
        client.feed("user", "1").get_readonly_token()


async def test_redirect_url(client: AsyncStreamClient) -> None:
    events = [{"content": "post:1", "label": "click", "feed_id": "user:alice"}]
    url = client.create_redirect_url("https://example.test/a?b=1", "alice", events)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "http://stream.test/analytics/v1.0/redirect/"
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["auth_type"] == "jwt"
    assert query["api_key"] == API_KEY
    assert query["url"] == "https://example.test/a?b=1"
    assert json.loads(query["events"]) == events
    assert decode(query["authorization"]) == {
        "resource": "redirect_and_track",
        "action": "*",
        "feed_id": "*",
        "user_id": "alice",
    }


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("ftp://x", "alice", []), "target_url"),
        (("not a url", "alice", []), "target_url"),
        (("https://x.test", "a b", []), "user_id"),
        (("https://x.test", "alice", {"a": 1}), "events"),
    ],
)
async def test_bad_redirect_arguments(
    client: AsyncStreamClient, args: tuple[Any, ...], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        client.create_redirect_url(*args)
    assert info.value.field == field


async def test_raw_request(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("feed/user/alice/").respond(201, json={"id": "x", "duration": "1ms"})
    result = await client.request(
        "post", "/feed/user/alice", resource="feed", feed_id="useralice", json={"a": 1}
    )
    request = route.calls.last.request
    assert json.loads(request.content) == {"a": 1}
    assert claims(request) == {"resource": "feed", "action": "write", "feed_id": "useralice"}
    assert result.model_extra == {"id": "x"}
    assert result.duration == "1ms"

    stats = router.get("stats/follow/").respond(200, json={"results": {}})
    await client.request("GET", "stats/follow/", resource="*", params={"followers": "user:1"})
    assert stats.calls.last.request.url.params["followers"] == "user:1"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "TRACE", "path": "x/", "resource": "feed"}, "method"),
        ({"method": "GET", "path": "", "resource": "feed"}, "path"),
        ({"method": "GET", "path": "feed/../x/", "resource": "feed"}, "path"),
        ({"method": "GET", "path": "x/", "resource": ""}, "resource"),
        ({"method": "GET", "path": "x/", "resource": "feed", "service": "chat"}, "service"),
    ],
)
async def test_bad_raw_requests_send_nothing(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.request(**kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0
