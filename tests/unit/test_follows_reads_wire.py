"""Follows, reads, to-targets and paging: what they refuse to send, and where paging
stops. What they send is pinned over a socket in tests/contract/."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.resources.feeds import ReactionOptions

pytestmark = pytest.mark.anyio


def activity(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"id-{i:03d}",
        "actor": "a",
        "verb": "v",
        "object": str(i),
        "time": "2020-01-01T00:00:00.000000",
        **extra,
    }


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


async def test_bad_mark_read_sends_nothing(client: AsyncStreamClient, router: respx.Router) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.notification_feed("notification", "alice").get(mark_read="g1")
    assert info.value.field == "mark_read"
    assert router.calls.call_count == 0
