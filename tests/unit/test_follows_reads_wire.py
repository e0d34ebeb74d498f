"""Follows, enriched and grouped reads, to-targets and paging: what goes over the wire."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.models import AggregatedPage, NotificationPage
from stream_async.resources.feeds import ReactionOptions
from tests.conftest import API_KEY, claims

pytestmark = pytest.mark.anyio

ACK = {"duration": "1ms"}


def activity(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"id-{i:03d}",
        "actor": "a",
        "verb": "v",
        "object": str(i),
        "time": "2020-01-01T00:00:00.000000",
        **extra,
    }


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


async def test_follow_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("feed/timeline/alice/follows/").respond(201, json=ACK)
    result = await client.feed("timeline", "alice").follow("user:bob", activity_copy_limit=0)
    request = route.calls.last.request
    assert json.loads(request.content) == {"target": "user:bob", "activity_copy_limit": 0}
    assert claims(request) == {
        "resource": "follower",
        "action": "write",
        "feed_id": "timelinealice",
    }
    assert result.duration == "1ms"


async def test_follow_accepts_a_feed_handle(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("feed/timeline/alice/follows/").respond(201, json=ACK)
    await client.feed("timeline", "alice").follow(client.feed("user", "bob"))
    assert json.loads(route.calls.last.request.content) == {"target": "user:bob"}


async def test_unfollow_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.delete("feed/timeline/alice/follows/user:bob/").respond(200, json=ACK)
    feed = client.feed("timeline", "alice")
    await feed.unfollow("user:bob")
    assert query(route.calls.last.request) == [("api_key", API_KEY)]
    await feed.unfollow("user:bob", keep_history=True)
    request = route.calls.last.request
    assert query(request) == [("api_key", API_KEY), ("keep_history", "true")]
    assert claims(request) == {
        "resource": "follower",
        "action": "delete",
        "feed_id": "timelinealice",
    }


@pytest.mark.parametrize(
    ("method", "segment"), [("followers", "followers"), ("following", "follows")]
)
async def test_follow_lists_wire(
    client: AsyncStreamClient, router: respx.Router, method: str, segment: str
) -> None:
    route = router.get(f"feed/user/alice/{segment}/").respond(
        200,
        json={
            "results": [
                {
                    "feed_id": "timeline:bob",
                    "target_id": "user:alice",
                    "created_at": "2021-05-14T19:58:27.274792063Z",
                    "updated_at": "2021-05-14T19:58:27.274792063Z",
                }
            ],
            "duration": "1ms",
        },
    )
    page = await getattr(client.feed("user", "alice"), method)(
        limit=10, offset=4000, filter=["timeline:bob", "timeline:carol"]
    )
    request = route.calls.last.request
    assert query(request) == [
        ("api_key", API_KEY),
        ("limit", "10"),
        ("offset", "4000"),
        ("filter", "timeline:bob,timeline:carol"),
    ]
    assert claims(request) == {"resource": "follower", "action": "read", "feed_id": "useralice"}
    assert page.results[0].feed_id == "timeline:bob"
    assert page.results[0].created_at == datetime(2021, 5, 14, 19, 58, 27, 274792, timezone.utc)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda f: f.follow("user:alice"), "target"),
        (lambda f: f.follow("user"), "target"),
        (lambda f: f.follow("user:bob", activity_copy_limit=1001), "activity_copy_limit"),
        (lambda f: f.follow("user:bob", activity_copy_limit=-1), "activity_copy_limit"),
        (lambda f: f.unfollow("bad slug:bob"), "target"),
        (lambda f: f.followers(offset=4001), "offset"),
        (lambda f: f.following(limit=0), "limit"),
        (lambda f: f.following(filter="user:bob"), "filter"),
        (lambda f: f.following(filter=["user/bob"]), "filter"),
    ],
)
async def test_bad_follow_arguments_send_nothing(
    client: AsyncStreamClient, router: respx.Router, call: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await call(client.feed("user", "alice"))
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_enriched_read_wire(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("enrich/feed/timeline/alice/").respond(
        200,
        json={
            "results": [
                activity(
                    1,
                    actor={"id": "alice", "data": {"name": "Alice"}},
                    own_reactions={"like": [{"id": "r1", "kind": "like"}]},
                    latest_reactions={"like": [{"id": "r1", "kind": "like"}]},
                    latest_reactions_extra={"like": {"next": ""}},
                    reaction_counts={"like": 1},
                )
            ],
            "next": "",
            "duration": "1ms",
        },
    )
    page = await client.feed("timeline", "alice").get(
        limit=10,
        ranking="popular",
        reactions=ReactionOptions(
            own=True,
            recent=True,
            counts=True,
            own_children=True,
            kinds=["like", "comment"],
            recent_limit=25,
        ),
        user_id="alice",
    )
    request = route.calls.last.request
    assert query(request) == [
        ("api_key", API_KEY),
        ("user_id", "alice"),
        ("withOwnReactions", "true"),
        ("withRecentReactions", "true"),
        ("withReactionCounts", "true"),
        ("withOwnChildren", "true"),
        ("reactionKindsFilter", "like,comment"),
        ("recentReactionsLimit", "25"),
        ("limit", "10"),
        ("ranking", "popular"),
    ]
    assert claims(request) == {"resource": "feed", "action": "read", "feed_id": "timelinealice"}
    item = page.results[0]
    assert item.actor == {"id": "alice", "data": {"name": "Alice"}}
    assert item.reaction_counts == {"like": 1}
    assert item.own_reactions == {"like": [{"id": "r1", "kind": "like"}]}


async def test_enrich_flag_alone_uses_enrich_path(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("enrich/feed/user/alice/").respond(200, json={"results": [], "next": ""})
    await client.feed("user", "alice").get(enrich=True)
    assert query(route.calls.last.request) == [("api_key", API_KEY)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id_lt": "a", "id_gt": "b"}, "id_lt/id_gt"),
        ({"id_lte": "a", "id_gte": "b"}, "id_lte/id_gte"),
        ({"id_lt": "a", "id_lte": "b"}, "id_lt/id_lte"),
        ({"reactions": ReactionOptions(recent_limit=26)}, "reactions.recent_limit"),
        ({"reactions": ReactionOptions(kinds="like")}, "reactions.kinds"),
        ({"reactions": ReactionOptions(kinds=[""])}, "reactions.kinds"),
        ({"reactions": {"own": True}}, "reactions"),
        ({"user_id": "a b"}, "user_id"),
        ({"ranking": ""}, "ranking"),
    ],
)
async def test_bad_read_arguments_send_nothing(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "alice").get(**kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


GROUP = {
    "id": "id-002",
    "group": "like_2020-01-01",
    "verb": "like",
    "activities": [activity(2), activity(1)],
    "activity_count": 2,
    "actor_count": 1,
    "created_at": "2020-01-01T00:00:00.100000",
    "updated_at": "2020-01-01T00:00:00.200000",
}


async def test_aggregated_read(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("feed/aggregated/alice/").respond(
        200, json={"results": [GROUP], "next": "", "duration": "1ms"}
    )
    page = await client.aggregated_feed("aggregated", "alice").get(limit=5, id_lte="id-009")
    assert isinstance(page, AggregatedPage)
    assert query(route.calls.last.request) == [
        ("api_key", API_KEY),
        ("limit", "5"),
        ("id_lte", "id-009"),
    ]
    group = page.results[0]
    assert (group.group, group.activity_count, group.actor_count) == ("like_2020-01-01", 2, 1)
    assert [a.id for a in group.activities] == ["id-002", "id-001"]
    assert group.updated_at == datetime(2020, 1, 1, 0, 0, 0, 200000, timezone.utc)


async def test_notification_read_marks(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("feed/notification/alice/").respond(
        200,
        json={
            "results": [
                {**GROUP, "id": "id-002.like_2020-01-01", "is_seen": False, "is_read": True}
            ],
            "next": "",
            "unseen": 1,
            "unread": 0,
            "duration": "1ms",
        },
    )
    feed = client.notification_feed("notification", "alice")
    page = await feed.get(mark_seen=True, mark_read=["g1", "g2"])
    assert isinstance(page, NotificationPage)
    assert query(route.calls.last.request) == [
        ("api_key", API_KEY),
        ("mark_seen", "true"),
        ("mark_read", "g1,g2"),
    ]
    assert (page.unseen, page.unread) == (1, 0)
    assert (page.results[0].is_seen, page.results[0].is_read) == (False, True)
    await feed.get(mark_seen=False, mark_read=[])
    assert query(route.calls.last.request) == [("api_key", API_KEY)]
    with pytest.raises(StreamValidationError, match="mark_read"):
        await feed.get(mark_read="g1")


async def test_update_activity_to_targets_wire(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("feed_targets/user/alice/activity_to_targets/").respond(
        201,
        json={
            "activity": activity(1, to=["timeline:c"]),
            "added": ["timeline:c"],
            "removed": ["timeline:b"],
            "duration": "1ms",
        },
    )
    when = datetime(2020, 1, 1, tzinfo=timezone.utc)
    result = await client.feed("user", "alice").update_activity_to_targets(
        "post:1", when, added_targets=["timeline:c"], removed_targets=["timeline:b"]
    )
    request = route.calls.last.request
    assert json.loads(request.content) == {
        "foreign_id": "post:1",
        "time": "2020-01-01T00:00:00.000000",
        "added_targets": ["timeline:c"],
        "removed_targets": ["timeline:b"],
    }
    assert claims(request) == {
        "resource": "feed_targets",
        "action": "write",
        "feed_id": "useralice",
    }
    assert result.activity.to == ["timeline:c"]
    assert (result.added, result.removed) == (["timeline:c"], ["timeline:b"])
    await client.feed("user", "alice").update_activity_to_targets(
        "post:1", "2020-01-01T00:00:00", new_targets=[]
    )
    assert json.loads(route.calls.last.request.content)["new_targets"] == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "new_targets"),
        ({"new_targets": ["a:b"], "added_targets": ["c:d"]}, "new_targets"),
        ({"added_targets": ["a:b"], "removed_targets": ["a:b"]}, "added_targets"),
        ({"added_targets": ["a"]}, "added_targets"),
        ({"foreign_id": "", "new_targets": []}, "foreign_id"),
        ({"time": 5, "new_targets": []}, "time"),
    ],
)
async def test_bad_to_targets_send_nothing(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    args = {"foreign_id": "post:1", "time": "2020-01-01T00:00:00", **kwargs}
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "alice").update_activity_to_targets(**args)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_iterate_walks_pages_by_id_lt(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    pages = {
        None: [activity(9), activity(8)],
        "id-008": [activity(7), activity(6)],
        "id-006": [activity(5)],
    }

    def respond(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("id_lt")
        results = pages[cursor]
        return httpx.Response(200, json={"results": results, "next": "/more" if results else ""})

    route = router.get("feed/user/alice/").mock(side_effect=respond)
    ids = [a.id async for a in client.feed("user", "alice").iterate(page_size=2)]
    assert ids == ["id-009", "id-008", "id-007", "id-006", "id-005"]
    assert [r.request.url.params.get("id_lt") for r in route.calls] == [None, "id-008", "id-006"]
    assert all(r.request.url.params["limit"] == "2" for r in route.calls)


async def test_iterate_stops_at_max_items_and_on_empty_next(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("enrich/feed/user/alice/").respond(
        200, json={"results": [activity(3), activity(2)], "next": "/more"}
    )
    feed = client.feed("user", "alice")
    got = [a.id async for a in feed.iterate(page_size=2, max_items=3, id_lt="id-004", enrich=True)]
    assert got == ["id-003", "id-002", "id-003"]
    assert route.calls[0].request.url.params["id_lt"] == "id-004"
    assert route.calls.call_count == 2
    assert [a async for a in feed.iterate(max_items=0)] == []
    router.get("feed/user/alice/").respond(200, json={"results": [activity(1)], "next": ""})
    assert [a.id async for a in feed.iterate(page_size=5)] == ["id-001"]


async def test_iterate_groups(client: AsyncStreamClient, router: respx.Router) -> None:
    router.get("feed/aggregated/alice/").respond(200, json={"results": [GROUP], "next": ""})
    groups = [g async for g in client.aggregated_feed("aggregated", "alice").iterate()]
    assert [g.group for g in groups] == ["like_2020-01-01"]


async def test_iterate_validates_before_sending(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    feed = client.feed("user", "alice")
    with pytest.raises(StreamValidationError, match="page_size"):
        feed.iterate(page_size=101)
    with pytest.raises(StreamValidationError, match="max_items"):
        feed.iterate(max_items=-1)
    assert router.calls.call_count == 0


async def test_feed_handles_repr(client: AsyncStreamClient) -> None:
    assert repr(client.aggregated_feed("aggregated", "x")) == "AggregatedFeed('aggregated:x')"
    assert (
        repr(client.notification_feed("notification", "x")) == "NotificationFeed('notification:x')"
    )
