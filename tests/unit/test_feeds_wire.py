"""What feed calls put on the wire: method, path, query, headers, body, token claims."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError, __version__
from stream_async.models import ActivityResponse, FeedPage
from tests.conftest import API_KEY, claims

pytestmark = pytest.mark.anyio

STORED = {
    "id": "9b5b3540-e825-11e8-8080-800016ff21e4",
    "actor": "alice",
    "verb": "post",
    "object": "picture:1",
    "target": "",
    "time": "2018-11-14T15:54:45.268000",
    "foreign_id": "picture:1",
    "origin": None,
    "mood": {"level": 3},
}


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


async def test_add_activity_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("feed/user/alice/").respond(201, json={**STORED, "duration": "1.2ms"})
    when = datetime(2018, 11, 14, 16, 54, 45, 268000, tzinfo=timezone(timedelta(hours=1)))

    result = await client.feed("user", "alice").add_activity(
        {
            "actor": "alice",
            "verb": "post",
            "object": "picture:1",
            "time": when,
            "mood": {"level": 3},
        }
    )

    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.path == "/api/v1.0/feed/user/alice/"
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert request.headers["Stream-Auth-Type"] == "jwt"
    assert request.headers["X-Stream-Client"] == f"stream-async-python-{__version__}"
    assert request.headers["Content-Type"] == "application/json"
    assert not request.headers["Authorization"].startswith("Bearer")
    assert claims(request) == {"resource": "feed", "action": "write", "feed_id": "useralice"}
    assert body(request) == {
        "actor": "alice",
        "verb": "post",
        "object": "picture:1",
        "time": "2018-11-14T15:54:45.268000",
        "mood": {"level": 3},
    }
    assert isinstance(result, ActivityResponse)
    assert result.id == STORED["id"]
    assert result.time == datetime(2018, 11, 14, 15, 54, 45, 268000, tzinfo=timezone.utc)
    assert result.custom == {"mood": {"level": 3}}
    assert result.duration == "1.2ms"


async def test_add_activity_sends_to_targets_as_plain_ids(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("feed/user/alice/").respond(
        201, json={**STORED, "to": ["timeline:bob"], "duration": "1ms"}
    )
    result = await client.feed("user", "alice").add_activity(
        {"actor": "alice", "verb": "post", "object": "1", "to": ("timeline:bob",)}
    )
    assert body(route.calls.last.request)["to"] == ["timeline:bob"]
    assert result.to == ["timeline:bob"]


async def test_add_activities_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("feed/timeline/b-0b/").respond(
        201, json={"activities": [STORED, {**STORED, "id": "x"}], "duration": "2ms"}
    )
    activities = [{"actor": "a", "verb": "v", "object": str(i)} for i in range(2)]
    result = await client.feed("timeline", "b-0b").add_activities(activities)

    request = route.calls.last.request
    assert body(request) == {"activities": activities}
    assert claims(request) == {"resource": "feed", "action": "write", "feed_id": "timelineb-0b"}
    assert [a.id for a in result.activities] == [STORED["id"], "x"]


async def test_add_activities_empty_sends_nothing(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    result = await client.feed("user", "1").add_activities([])
    assert result.activities == []
    assert result.raw_response is None
    assert router.calls.call_count == 0


async def test_get_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("feed/user/alice/").respond(
        200,
        json={"results": [STORED], "next": "/api/v1.0/feed/user/alice/?id_lt=x", "duration": "1ms"},
        headers={
            "x-ratelimit-limit": "2000",
            "x-ratelimit-remaining": "1998",
            "x-ratelimit-reset": "1543604520",
        },
    )
    page = await client.feed("user", "alice").get(limit=5, offset=0, id_lt="x")

    request = route.calls.last.request
    assert request.method == "GET"
    assert request.content == b""
    assert "Content-Type" not in request.headers
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("limit", "5"),
        ("offset", "0"),
        ("id_lt", "x"),
    ]
    assert claims(request) == {"resource": "feed", "action": "read", "feed_id": "useralice"}
    assert isinstance(page, FeedPage)
    assert page.results[0].actor == "alice"
    assert page.has_next
    assert page.rate_limit is not None
    assert page.rate_limit.remaining == 1998
    assert page.rate_limit.reset == datetime(2018, 11, 30, 19, 2, tzinfo=timezone.utc)
    assert page.raw_response is not None
    assert page.raw_response.status_code == 200


async def test_get_without_arguments_sends_only_api_key(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("feed/user/alice/").respond(200, json={"results": [], "next": ""})
    page = await client.feed("user", "alice").get()
    assert dict(route.calls.last.request.url.params) == {"api_key": API_KEY}
    assert not page.has_next
    assert page.rate_limit is None


async def test_remove_by_id(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.delete("feed/user/alice/abc/").respond(
        200, json={"removed": "abc", "duration": "1ms"}
    )
    result = await client.feed("user", "alice").remove_activity("abc")
    request = route.calls.last.request
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert claims(request) == {"resource": "feed", "action": "delete", "feed_id": "useralice"}
    assert result.removed == "abc"


async def test_remove_by_foreign_id_is_percent_encoded(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.delete(url__regex=r".*/feed/user/alice/.*").respond(
        200, json={"removed": "tweet:1/../x", "duration": "1ms"}
    )
    await client.feed("user", "alice").remove_activity(foreign_id="tweet:1/../x")
    request = route.calls.last.request
    assert (
        request.url.raw_path
        == b"/api/v1.0/feed/user/alice/tweet:1%2F..%2Fx/?api_key=test-key&foreign_id=1"
    )


async def test_dot_segments_cannot_walk_up(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.delete(url__regex=r".*").respond(200, json={"removed": ".."})
    await client.feed("user", "alice").remove_activity("..")
    assert route.calls.last.request.url.raw_path.startswith(b"/api/v1.0/feed/user/alice/%2E%2E/")


@pytest.mark.parametrize(
    ("slug", "user_id", "field"),
    [
        ("us er", "1", "feed_slug"),
        ("a/../b", "1", "feed_slug"),
        ("", "1", "feed_slug"),
        ("user-x", "1", "feed_slug"),
        ("user", "a/../b", "user_id"),
        ("user", "", "user_id"),
        ("user", "a b", "user_id"),
        ("user", 5, "user_id"),
    ],
)
async def test_bad_feed_names_raise_before_sending(
    client: AsyncStreamClient, router: respx.Router, slug: Any, user_id: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        client.feed(slug, user_id)
    assert info.value.field == field
    assert "\\w" in info.value.rule
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("activity", "field"),
    [
        ({"verb": "v", "object": "o"}, "activity.actor"),
        ({"actor": "a", "object": "o"}, "activity.verb"),
        ({"actor": "a", "verb": "v", "object": ""}, "activity.object"),
        ({"actor": "a", "verb": "v", "object": "o", "to": "user:1"}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "to": ["user"]}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "to": ["a:b:c"]}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "to": ["bad slug:1"]}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "time": 5}, "activity.time"),
        (["actor"], "activity"),
    ],
)
async def test_bad_activity_raises_before_sending(
    client: AsyncStreamClient, router: respx.Router, activity: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "1").add_activity(activity)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_bad_batch_raises_before_sending(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    feed = client.feed("user", "1")
    good = {"actor": "a", "verb": "v", "object": "o"}
    with pytest.raises(StreamValidationError, match=r"activities\[1\]\.actor"):
        await feed.add_activities([good, {"verb": "v", "object": "o"}])
    with pytest.raises(StreamValidationError, match="list of activities"):
        await feed.add_activities(good)  # type: ignore[arg-type]
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": True}, "limit"),
        ({"limit": "5"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"id_lt": ""}, "id_lt"),
        ({"id_gt": 5}, "id_gt"),
    ],
)
async def test_bad_get_arguments_raise_before_sending(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "1").get(**kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((), {}, "activity_id"),
        (("a",), {"foreign_id": "f"}, "activity_id"),
        (("",), {}, "activity_id"),
        ((), {"foreign_id": ""}, "foreign_id"),
    ],
)
async def test_bad_remove_arguments_raise_before_sending(
    client: AsyncStreamClient,
    router: respx.Router,
    args: tuple[str, ...],
    kwargs: dict[str, str],
    field: str,
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "1").remove_activity(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_feed_handle_repr_and_id(client: AsyncStreamClient) -> None:
    feed = client.feed("user", "3f0c-9")
    assert feed.id == "user:3f0c-9"
    assert repr(feed) == "Feed('user:3f0c-9')"
