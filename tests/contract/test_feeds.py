"""Feeds on the wire, on every sender: flat, aggregated and notification reads, writes,
removals, follows and to-targets.

Paths from stream-rest-api.txt, "Feed" ((enrich)/feed/(feed_slug)/(user_id)/), "Feed Detail",
"Followers", "Following", "Following Detail"; token claims from auth-scopes.md, "Least-privilege
signing".
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from stream_async import AsyncStreamClient
from stream_async.models import (
    ActivityResponse,
    AddActivitiesResponse,
    AggregatedPage,
    FeedPage,
    FollowsPage,
    NotificationPage,
)
from stream_async.resources.feeds import ReactionOptions
from tests.contract.wire import Case, equal, params, run_case
from tests.support.recording import RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

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
GROUP = {
    "id": "id-002",
    "group": "like_2020-01-01",
    "verb": "like",
    "activities": [{**STORED, "id": "id-002"}, {**STORED, "id": "id-001"}],
    "activity_count": 2,
    "actor_count": 1,
    "created_at": "2020-01-01T00:00:00.100000",
    "updated_at": "2020-01-01T00:00:00.200000",
}
FOLLOW = {
    "feed_id": "timeline:bob",
    "target_id": "user:alice",
    "created_at": "2021-05-14T19:58:27.274792063Z",
    "updated_at": "2021-05-14T19:58:27.274792063Z",
}


def feed_claims(action: str, feed_id: str) -> dict[str, str]:
    return {"resource": "feed", "action": action, "feed_id": feed_id}


def follower_claims(action: str, feed_id: str) -> dict[str, str]:
    return {"resource": "follower", "action": action, "feed_id": feed_id}


def added(result: ActivityResponse) -> None:
    assert isinstance(result, ActivityResponse)
    assert result.id == "9b5b3540-e825-11e8-8080-800016ff21e4"
    assert result.time == datetime(2018, 11, 14, 15, 54, 45, 268000, tzinfo=timezone.utc)
    assert result.custom == {"mood": {"level": 3}}
    assert result.duration == "1.2ms"


def flat_page(page: FeedPage) -> None:
    assert isinstance(page, FeedPage)
    assert [a.actor for a in page.results] == ["alice"]
    assert page.has_next is True
    assert page.rate_limit is not None
    assert (page.rate_limit.limit, page.rate_limit.remaining) == (2000, 1998)
    assert page.rate_limit.reset == datetime(2018, 11, 30, 19, 2, tzinfo=timezone.utc)
    assert page.raw_response is not None
    assert page.raw_response.status_code == 200


def enriched_page(page: FeedPage) -> None:
    item = page.results[0]
    assert item.actor == {"id": "alice", "data": {"name": "Alice"}}
    assert item.reaction_counts == {"like": 1}
    assert item.own_reactions == {"like": [{"id": "r1", "kind": "like"}]}


def aggregated_page(page: AggregatedPage) -> None:
    assert isinstance(page, AggregatedPage)
    assert page.has_next is False
    (group,) = page.results
    assert (group.group, group.activity_count, group.actor_count) == ("like_2020-01-01", 2, 1)
    assert [a.id for a in group.activities] == ["id-002", "id-001"]
    assert group.updated_at == datetime(2020, 1, 1, 0, 0, 0, 200000, timezone.utc)


def notification_page(page: NotificationPage) -> None:
    assert isinstance(page, NotificationPage)
    assert page.has_next is True
    assert (page.unseen, page.unread) == (1, 0)
    assert (page.results[0].is_seen, page.results[0].is_read) == (False, True)


def follows_page(page: FollowsPage) -> None:
    assert [f.feed_id for f in page.results] == ["timeline:bob"]
    assert page.results[0].created_at == datetime(2021, 5, 14, 19, 58, 27, 274792, timezone.utc)


def to_targets(result: Any) -> None:
    assert result.activity.to == ["timeline:c"]
    assert (result.added, result.removed) == (["timeline:c"], ["timeline:b"])


WHEN = datetime(2018, 11, 14, 16, 54, 45, 268000, tzinfo=timezone(timedelta(hours=1)))

CASES = [
    Case(
        "add_activity",
        lambda c: c.feed("user", "alice").add_activity(
            {
                "actor": "alice",
                "verb": "post",
                "object": "picture:1",
                "time": WHEN,
                "mood": {"level": 3},
            }
        ),
        "POST",
        "/api/v1.0/feed/user/alice/",
        feed_claims("write", "useralice"),
        body={
            "actor": "alice",
            "verb": "post",
            "object": "picture:1",
            "time": "2018-11-14T15:54:45.268000",
            "mood": {"level": 3},
        },
        reply=Reply(201, {**STORED, "duration": "1.2ms"}),
        check=added,
    ),
    Case(
        "add_activity_to_targets",
        lambda c: c.feed("user", "alice").add_activity(
            {"actor": "alice", "verb": "post", "object": "1", "to": ("timeline:bob",)}
        ),
        "POST",
        "/api/v1.0/feed/user/alice/",
        feed_claims("write", "useralice"),
        body={"actor": "alice", "verb": "post", "object": "1", "to": ["timeline:bob"]},
        reply=Reply(201, {**STORED, "to": ["timeline:bob"]}),
        check=lambda r: equal(r.to, ["timeline:bob"]),
    ),
    Case(
        "add_activities",
        lambda c: c.feed("timeline", "b-0b").add_activities(
            [{"actor": "a", "verb": "v", "object": str(i)} for i in range(2)]
        ),
        "POST",
        "/api/v1.0/feed/timeline/b-0b/",
        feed_claims("write", "timelineb-0b"),
        body={
            "activities": [
                {"actor": "a", "verb": "v", "object": "0"},
                {"actor": "a", "verb": "v", "object": "1"},
            ]
        },
        reply=Reply(201, {"activities": [STORED, {**STORED, "id": "x"}], "duration": "2ms"}),
        check=lambda r: equal(
            (type(r), [a.id for a in r.activities]),
            (AddActivitiesResponse, [STORED["id"], "x"]),
        ),
    ),
    Case(
        "get_flat",
        lambda c: c.feed("user", "alice").get(limit=5, offset=0, id_lt="x"),
        "GET",
        "/api/v1.0/feed/user/alice/",
        feed_claims("read", "useralice"),
        query=[("limit", "5"), ("offset", "0"), ("id_lt", "x")],
        reply=Reply(
            200,
            {"results": [STORED], "next": "/api/v1.0/feed/user/alice/?id_lt=x", "duration": "1ms"},
            headers={
                "x-ratelimit-limit": "2000",
                "x-ratelimit-remaining": "1998",
                "x-ratelimit-reset": "1543604520",
            },
        ),
        check=flat_page,
    ),
    Case(
        "get_flat_bare",
        lambda c: c.feed("user", "alice").get(),
        "GET",
        "/api/v1.0/feed/user/alice/",
        feed_claims("read", "useralice"),
        reply=Reply(200, {"results": [], "next": ""}),
        check=lambda p: equal((p.has_next, p.rate_limit), (False, None)),
    ),
    Case(
        "get_enriched_with_reactions",
        lambda c: c.feed("timeline", "alice").get(
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
        ),
        "GET",
        "/api/v1.0/enrich/feed/timeline/alice/",
        feed_claims("read", "timelinealice"),
        query=[
            ("user_id", "alice"),
            ("withOwnReactions", "true"),
            ("withRecentReactions", "true"),
            ("withReactionCounts", "true"),
            ("withOwnChildren", "true"),
            ("reactionKindsFilter", "like,comment"),
            ("recentReactionsLimit", "25"),
            ("limit", "10"),
            ("ranking", "popular"),
        ],
        reply=Reply(
            200,
            {
                "results": [
                    {
                        **STORED,
                        "actor": {"id": "alice", "data": {"name": "Alice"}},
                        "own_reactions": {"like": [{"id": "r1", "kind": "like"}]},
                        "reaction_counts": {"like": 1},
                    }
                ],
                "next": "",
            },
        ),
        check=enriched_page,
    ),
    Case(
        "get_enrich_flag",
        lambda c: c.feed("user", "alice").get(enrich=True),
        "GET",
        "/api/v1.0/enrich/feed/user/alice/",
        feed_claims("read", "useralice"),
        reply=Reply(200, {"results": [], "next": ""}),
    ),
    Case(
        "get_aggregated",
        lambda c: c.aggregated_feed("aggregated", "alice").get(limit=5, id_lte="id-009"),
        "GET",
        "/api/v1.0/feed/aggregated/alice/",
        feed_claims("read", "aggregatedalice"),
        query=[("limit", "5"), ("id_lte", "id-009")],
        reply=Reply(200, {"results": [GROUP], "next": ""}),
        check=aggregated_page,
    ),
    Case(
        "get_notification_marks",
        lambda c: c.notification_feed("notification", "alice").get(
            id_gt="a", mark_seen=True, mark_read=["g1", "g2"]
        ),
        "GET",
        "/api/v1.0/feed/notification/alice/",
        feed_claims("read", "notificationalice"),
        query=[("id_gt", "a"), ("mark_seen", "true"), ("mark_read", "g1,g2")],
        reply=Reply(
            200,
            {
                "results": [{**GROUP, "is_seen": False, "is_read": True}],
                "next": "/api/v1.0/feed/notification/alice/?id_lt=id-002",
                "unseen": 1,
                "unread": 0,
            },
        ),
        check=notification_page,
    ),
    Case(
        "get_notification_unmarked",
        lambda c: c.notification_feed("notification", "alice").get(
            id_gte="b", mark_seen=False, mark_read=[]
        ),
        "GET",
        "/api/v1.0/feed/notification/alice/",
        feed_claims("read", "notificationalice"),
        query=[("id_gte", "b")],
        reply=Reply(200, {"results": [], "next": "", "unseen": 0, "unread": 0}),
    ),
    Case(
        "remove_activity_by_id",
        lambda c: c.feed("user", "alice").remove_activity("abc"),
        "DELETE",
        "/api/v1.0/feed/user/alice/abc/",
        feed_claims("delete", "useralice"),
        reply=Reply(200, {"removed": "abc", "duration": "1ms"}),
        check=lambda r: equal(r.removed, "abc"),
    ),
    Case(
        "remove_activity_by_foreign_id_percent_encoded",
        lambda c: c.feed("user", "alice").remove_activity(foreign_id="tweet:1/../x"),
        "DELETE",
        "/api/v1.0/feed/user/alice/tweet:1%2F..%2Fx/",
        feed_claims("delete", "useralice"),
        query=[("foreign_id", "1")],
        reply=Reply(200, {"removed": "tweet:1/../x"}),
    ),
    Case(
        "remove_dot_segments_stay_in_the_feed",
        lambda c: c.feed("user", "alice").remove_activity(".."),
        "DELETE",
        "/api/v1.0/feed/user/alice/%2E%2E/",
        feed_claims("delete", "useralice"),
        reply=Reply(200, {"removed": ".."}),
    ),
    Case(
        "follow",
        lambda c: c.feed("timeline", "alice").follow("user:bob", activity_copy_limit=0),
        "POST",
        "/api/v1.0/feed/timeline/alice/follows/",
        follower_claims("write", "timelinealice"),
        body={"target": "user:bob", "activity_copy_limit": 0},
        reply=Reply(201, {"duration": "1ms"}),
        check=lambda r: equal(r.duration, "1ms"),
    ),
    Case(
        "follow_a_feed_handle",
        lambda c: c.feed("timeline", "alice").follow(c.feed("user", "bob")),
        "POST",
        "/api/v1.0/feed/timeline/alice/follows/",
        follower_claims("write", "timelinealice"),
        body={"target": "user:bob"},
    ),
    Case(
        "unfollow",
        lambda c: c.feed("timeline", "alice").unfollow("user:bob"),
        "DELETE",
        "/api/v1.0/feed/timeline/alice/follows/user:bob/",
        follower_claims("delete", "timelinealice"),
    ),
    Case(
        "unfollow_keep_history",
        lambda c: c.feed("timeline", "alice").unfollow("user:bob", keep_history=True),
        "DELETE",
        "/api/v1.0/feed/timeline/alice/follows/user:bob/",
        follower_claims("delete", "timelinealice"),
        query=[("keep_history", "true")],
    ),
    Case(
        "followers",
        lambda c: c.feed("user", "alice").followers(
            limit=10, offset=4000, filter=["timeline:bob", "timeline:carol"]
        ),
        "GET",
        "/api/v1.0/feed/user/alice/followers/",
        follower_claims("read", "useralice"),
        query=[("limit", "10"), ("offset", "4000"), ("filter", "timeline:bob,timeline:carol")],
        reply=Reply(200, {"results": [FOLLOW]}),
        check=follows_page,
    ),
    Case(
        "following",
        lambda c: c.feed("user", "alice").following(limit=1, filter=["timeline:bob"]),
        "GET",
        "/api/v1.0/feed/user/alice/follows/",
        follower_claims("read", "useralice"),
        query=[("limit", "1"), ("filter", "timeline:bob")],
        reply=Reply(200, {"results": [FOLLOW]}),
        check=follows_page,
    ),
    Case(
        "update_activity_to_targets",
        lambda c: c.feed("user", "alice").update_activity_to_targets(
            "post:1",
            datetime(2020, 1, 1, tzinfo=timezone.utc),
            added_targets=["timeline:c"],
            removed_targets=["timeline:b"],
        ),
        "POST",
        "/api/v1.0/feed_targets/user/alice/activity_to_targets/",
        {"resource": "feed_targets", "action": "write", "feed_id": "useralice"},
        body={
            "foreign_id": "post:1",
            "time": "2020-01-01T00:00:00.000000",
            "added_targets": ["timeline:c"],
            "removed_targets": ["timeline:b"],
        },
        reply=Reply(
            201,
            {
                "activity": {**STORED, "to": ["timeline:c"]},
                "added": ["timeline:c"],
                "removed": ["timeline:b"],
            },
        ),
        check=to_targets,
    ),
    Case(
        "update_activity_new_targets",
        lambda c: c.feed("user", "alice").update_activity_to_targets(
            "post:1", "2020-01-01T00:00:00", new_targets=[]
        ),
        "POST",
        "/api/v1.0/feed_targets/user/alice/activity_to_targets/",
        {"resource": "feed_targets", "action": "write", "feed_id": "useralice"},
        body={"foreign_id": "post:1", "time": "2020-01-01T00:00:00", "new_targets": []},
        reply=Reply(201, {"activity": STORED, "added": [], "removed": []}),
    ),
]


@params(CASES)
async def test_wire_shape(case: Case, sdk: AsyncStreamClient, server: RecordingServer) -> None:
    await run_case(case, sdk, server)


def page_of(*ids: str, more: bool) -> Reply:
    results = [{**STORED, "id": i} for i in ids]
    return Reply(200, {"results": results, "next": "/more" if more else ""})


async def test_iterate_walks_pages_by_id_lt(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(
        page_of("id-9", "id-8", more=True),
        page_of("id-7", "id-6", more=True),
        page_of("id-5", more=False),
    )
    ids = [a.id async for a in sdk.feed("user", "alice").iterate(page_size=2)]
    assert ids == ["id-9", "id-8", "id-7", "id-6", "id-5"]
    assert [(r.path, r.query[1:]) for r in server.requests] == [
        (b"/api/v1.0/feed/user/alice/", [("limit", "2")]),
        (b"/api/v1.0/feed/user/alice/", [("limit", "2"), ("id_lt", "id-8")]),
        (b"/api/v1.0/feed/user/alice/", [("limit", "2"), ("id_lt", "id-6")]),
    ]


async def test_iterate_stops_at_max_items(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    groups = [{**GROUP, "id": i} for i in ("id-3", "id-2", "id-1", "id-0")]
    server.script(
        Reply(200, {"results": groups[:2], "next": "/more"}),
        Reply(200, {"results": groups[2:], "next": "/more"}),
    )
    feed = sdk.aggregated_feed("aggregated", "alice")
    got = [g.id async for g in feed.iterate(page_size=2, max_items=3, id_lt="id-4", enrich=True)]
    assert got == ["id-3", "id-2", "id-1"]
    assert [(r.path, r.query[1:]) for r in server.requests] == [
        (b"/api/v1.0/enrich/feed/aggregated/alice/", [("limit", "2"), ("id_lt", "id-4")]),
        (b"/api/v1.0/enrich/feed/aggregated/alice/", [("limit", "2"), ("id_lt", "id-2")]),
    ]
