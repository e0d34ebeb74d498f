"""client.activities and the batch calls: what goes over the wire, and what never does."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from tests.conftest import API_KEY, claims

pytestmark = pytest.mark.anyio

ACK = {"duration": "1ms"}
STORED = {"id": "x1", "actor": "a", "verb": "v", "object": "o", "time": "2020-01-01T00:00:00"}
GOOD = {"actor": "a", "verb": "v", "object": "o"}
WHEN = datetime(2020, 1, 1, tzinfo=timezone.utc)


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


async def test_get_by_ids(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("activities/").respond(200, json={"results": [STORED], "duration": "1ms"})
    result = await client.activities.get(["x1", "x2"])
    request = route.calls.last.request
    assert query(request) == [("api_key", API_KEY), ("ids", "x1,x2")]
    assert claims(request) == {"resource": "activities", "action": "read", "feed_id": "*"}
    assert [a.id for a in result.results] == ["x1"]


async def test_get_by_foreign_id_times_enriched(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("enrich/activities/").respond(200, json={"results": []})
    await client.activities.get(
        foreign_id_times=[("post:1", WHEN), ("post:2", "2020-01-02T00:00:00")], enrich=True
    )
    assert query(route.calls.last.request) == [
        ("api_key", API_KEY),
        ("foreign_ids", "post:1,post:2"),
        ("timestamps", "2020-01-01T00:00:00.000000,2020-01-02T00:00:00"),
    ]


async def test_get_nothing_sends_nothing(client: AsyncStreamClient, router: respx.Router) -> None:
    assert (await client.activities.get([])).results == []
    assert (await client.activities.get(foreign_id_times=[])).results == []
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((), {}, "ids"),
        ((["a"],), {"foreign_id_times": []}, "ids"),
        (("a,b",), {}, "ids"),
        (([""],), {}, "ids"),
        ((), {"foreign_id_times": [("a",)]}, "foreign_id_times[0]"),
        ((), {"foreign_id_times": [("a,b", WHEN)]}, "foreign_id_times[0]"),
        ((), {"foreign_id_times": [("a", 5)]}, "foreign_id_times[0]"),
    ],
)
async def test_bad_get_sends_nothing(
    client: AsyncStreamClient,
    router: respx.Router,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.get(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_update_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("activities/").respond(201, json=ACK)
    item = {**GOOD, "foreign_id": "post:1", "time": WHEN, "extra": 1}
    await client.activities.update([item])
    request = route.calls.last.request
    assert body(request) == {"activities": [{**item, "time": "2020-01-01T00:00:00.000000"}]}
    assert claims(request) == {"resource": "activities", "action": "write", "feed_id": "*"}
    assert (await client.activities.update([])).raw_response is None
    assert route.calls.call_count == 1


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([GOOD], "activities[0].foreign_id"),
        ([{**GOOD, "foreign_id": "f"}], "activities[0].time"),
        (GOOD, "activities"),
    ],
)
async def test_bad_update_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, items: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.update(items)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_partial_update_by_id_and_by_foreign_id(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("activity/").respond(201, json={**STORED, "product": {"price": 9}})
    result = await client.activities.partial_update(
        "x1", set={"product.price": 9}, unset=["popularity"]
    )
    request = route.calls.last.request
    assert body(request) == {"id": "x1", "set": {"product.price": 9}, "unset": ["popularity"]}
    assert claims(request) == {"resource": "activities", "action": "write", "feed_id": "*"}
    assert result.custom == {"product": {"price": 9}}
    await client.activities.partial_update(foreign_id="post:1", time=WHEN, unset=["a.b"])
    assert body(route.calls.last.request) == {
        "foreign_id": "post:1",
        "time": "2020-01-01T00:00:00.000000",
        "set": {},
        "unset": ["a.b"],
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"set": {"a": 1}}, "activity"),
        ({"id": "x", "foreign_id": "f", "time": WHEN, "set": {"a": 1}}, "activity"),
        ({"foreign_id": "f", "set": {"a": 1}}, "activity.time"),
        ({"time": WHEN, "set": {"a": 1}}, "activity.foreign_id"),
        ({"id": "x"}, "activity"),
        ({"id": "x", "set": [("a", 1)]}, "activity.set"),
        ({"id": "x", "unset": "a"}, "activity.unset"),
        ({"id": "x", "set": {f"k{i}": i for i in range(26)}}, "activity.set"),
        ({"id": "x", "unset": [f"k{i}" for i in range(26)]}, "activity.unset"),
        ({"id": "x", "set": {"a": 1}, "unset": ["a"]}, "activity.unset"),
        ({"id": "x", "set": {"a.b": 1}, "unset": ["a"]}, "activity.unset"),
        ({"id": "x", "set": {"a": 1}, "unset": ["a.b"]}, "activity.unset"),
        ({"id": "x", "set": {"": 1}}, "activity.set/unset"),
    ],
)
async def test_bad_partial_update_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.partial_update(**kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_partial_update_many_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("activity/").respond(201, json={"activities": [STORED], "duration": "1ms"})
    result = await client.activities.partial_update_many(
        [
            {"id": "x1", "set": {"a": 1}},
            {"foreign_id": "post:2", "time": WHEN, "unset": ["b"]},
        ]
    )
    assert body(route.calls.last.request) == {
        "changes": [
            {"id": "x1", "set": {"a": 1}, "unset": []},
            {
                "foreign_id": "post:2",
                "time": "2020-01-01T00:00:00.000000",
                "set": {},
                "unset": ["b"],
            },
        ]
    }
    assert [a.id for a in result.activities] == ["x1"]
    assert (await client.activities.partial_update_many([])).activities == []
    assert route.calls.call_count == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "x"}, "changes"),
        (["x"], "changes[0]"),
        ([{"id": "x", "set": {"a": 1}}, {"id": "y"}], "changes[1]"),
    ],
)
async def test_bad_partial_update_many_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, changes: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.partial_update_many(changes)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_add_to_many_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("feed/add_to_many/").respond(201, json=ACK)
    await client.add_to_many(GOOD, ["user:1", "timeline:2"])
    request = route.calls.last.request
    assert body(request) == {"activity": GOOD, "feeds": ["user:1", "timeline:2"]}
    assert claims(request) == {"resource": "feed", "action": "write", "feed_id": "*"}
    await client.add_to_many(GOOD, [])
    assert route.calls.call_count == 1


@pytest.mark.parametrize(
    ("activity", "feeds", "field"),
    [
        ({**GOOD, "to": ["user:2"]}, ["user:1"], "activity.to"),
        (GOOD, "user:1", "feeds"),
        (GOOD, ["user"], "feeds"),
        ({"actor": "a"}, ["user:1"], "activity.verb"),
    ],
)
async def test_bad_add_to_many_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, activity: Any, feeds: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.add_to_many(activity, feeds)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_follow_many_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("follow_many/").respond(201, json=ACK)
    await client.follow_many(
        [
            ("timeline:1", "user:2"),
            {"source": "timeline:1", "target": "user:3", "activity_copy_limit": 5},
        ],
        activity_copy_limit=10,
    )
    request = route.calls.last.request
    assert query(request) == [("api_key", API_KEY), ("activity_copy_limit", "10")]
    assert body(request) == [
        {"source": "timeline:1", "target": "user:2"},
        {"source": "timeline:1", "target": "user:3", "activity_copy_limit": 5},
    ]
    assert claims(request) == {"resource": "follower", "action": "write", "feed_id": "*"}
    await client.follow_many([])
    assert route.calls.call_count == 1


async def test_unfollow_many_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("unfollow_many/").respond(201, json=ACK)
    await client.unfollow_many(
        [
            ("timeline:1", "user:2"),
            {"source": "timeline:1", "target": "user:3", "keep_history": True},
        ]
    )
    assert body(route.calls.last.request) == [
        {"source": "timeline:1", "target": "user:2", "keep_history": False},
        {"source": "timeline:1", "target": "user:3", "keep_history": True},
    ]
    await client.unfollow_many([("timeline:1", "user:2")], keep_history=True)
    assert body(route.calls.last.request)[0]["keep_history"] is True
    assert claims(route.calls.last.request)["resource"] == "follower"
    await client.unfollow_many([])
    assert route.calls.call_count == 2


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.follow_many([("timeline:1", "timeline:1")]), "follows[0]"),
        (lambda c: c.follow_many([("timeline:1",)]), "follows[0]"),
        (lambda c: c.follow_many({"source": "a:1"}), "follows"),
        (lambda c: c.follow_many([("a:1", "b")]), "follows[0].target"),
        (lambda c: c.follow_many([{"source": "a", "target": "b:2"}]), "follows[0].source"),
        (
            lambda c: c.follow_many(
                [{"source": "a:1", "target": "b:2", "activity_copy_limit": -1}]
            ),
            "follows[0].activity_copy_limit",
        ),
        (
            lambda c: c.follow_many([("a:1", "b:2")], activity_copy_limit=1001),
            "activity_copy_limit",
        ),
        (
            lambda c: c.unfollow_many([{"source": "a:1", "target": "b:2", "keep_history": "yes"}]),
            "unfollows[0].keep_history",
        ),
    ],
)
async def test_bad_follow_many_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, call: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_follow_stats_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("stats/follow/").respond(
        200,
        json={
            "results": {
                "followers": {"feed": "user:1", "count": 3},
                "following": {"feed": "user:1", "count": 0},
            },
            "duration": "1ms",
        },
    )
    stats = await client.follow_stats(
        "user:1", followers_slugs=["timeline"], following_slugs=["user", "flat"]
    )
    request = route.calls.last.request
    assert query(request) == [
        ("api_key", API_KEY),
        ("followers", "user:1"),
        ("following", "user:1"),
        ("followers_slugs", "timeline"),
        ("following_slugs", "user,flat"),
    ]
    assert claims(request) == {"resource": "*", "action": "read", "feed_id": "*"}
    assert (stats.results.followers.count, stats.results.following.count) == (3, 0)
    with pytest.raises(StreamValidationError, match="followers_slugs"):
        await client.follow_stats("user:1", followers_slugs=["a b"])
    with pytest.raises(StreamValidationError, match="feed_id"):
        await client.follow_stats("user1")
    assert route.calls.call_count == 1
