"""Activities, batch calls and follow stats on the wire, on every sender.

Paths from stream-rest-api.txt: "Activities" ((enrich)/activities/), "Activity" (activity/),
"Batch Activity Add" (feed/add_to_many/), "Batch Follow" (follow_many/); unfollow_many/ and
stats/follow/ from more-endpoints.md. Claims from auth-scopes.md, "Least-privilege signing".
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from stream_async import AsyncStreamClient
from tests.contract.wire import Case, params, run_case
from tests.support.recording import RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

STORED = {"id": "x1", "actor": "a", "verb": "v", "object": "o", "time": "2020-01-01T00:00:00"}
GOOD = {"actor": "a", "verb": "v", "object": "o"}
WHEN = datetime(2020, 1, 1, tzinfo=timezone.utc)
ACTIVITIES_READ = {"resource": "activities", "action": "read", "feed_id": "*"}
ACTIVITIES_WRITE = {"resource": "activities", "action": "write", "feed_id": "*"}
FOLLOWER_WRITE = {"resource": "follower", "action": "write", "feed_id": "*"}


def check(expected: object, get: Any) -> Any:
    def run(result: Any) -> None:
        assert get(result) == expected

    return run


CASES = [
    Case(
        "activities_get_by_ids",
        lambda c: c.activities.get(["x1", "x2"]),
        "GET",
        "/api/v1.0/activities/",
        ACTIVITIES_READ,
        query=[("ids", "x1,x2")],
        reply=Reply(200, {"results": [STORED]}),
        check=check(["x1"], lambda r: [a.id for a in r.results]),
    ),
    Case(
        "activities_get_by_foreign_id_times_enriched",
        lambda c: c.activities.get(
            foreign_id_times=[("post:1", WHEN), ("post:2", "2020-01-02T00:00:00")], enrich=True
        ),
        "GET",
        "/api/v1.0/enrich/activities/",
        ACTIVITIES_READ,
        query=[
            ("foreign_ids", "post:1,post:2"),
            ("timestamps", "2020-01-01T00:00:00.000000,2020-01-02T00:00:00"),
        ],
        reply=Reply(200, {"results": []}),
    ),
    Case(
        "activities_update",
        lambda c: c.activities.update([{**GOOD, "foreign_id": "post:1", "time": WHEN, "extra": 1}]),
        "POST",
        "/api/v1.0/activities/",
        ACTIVITIES_WRITE,
        body={
            "activities": [
                {
                    **GOOD,
                    "foreign_id": "post:1",
                    "time": "2020-01-01T00:00:00.000000",
                    "extra": 1,
                }
            ]
        },
        reply=Reply(201, {"duration": "3ms"}),
        check=check("3ms", lambda r: r.duration),
    ),
    Case(
        "activity_partial_update_by_id",
        lambda c: c.activities.partial_update("x1", set={"product.price": 9}, unset=["popularity"]),
        "POST",
        "/api/v1.0/activity/",
        ACTIVITIES_WRITE,
        body={"id": "x1", "set": {"product.price": 9}, "unset": ["popularity"]},
        reply=Reply(201, {**STORED, "product": {"price": 9}}),
        check=check({"product": {"price": 9}}, lambda r: r.custom),
    ),
    Case(
        "activity_partial_update_by_foreign_id",
        lambda c: c.activities.partial_update(foreign_id="post:1", time=WHEN, unset=["a.b"]),
        "POST",
        "/api/v1.0/activity/",
        ACTIVITIES_WRITE,
        body={
            "foreign_id": "post:1",
            "time": "2020-01-01T00:00:00.000000",
            "set": {},
            "unset": ["a.b"],
        },
        reply=Reply(201, STORED),
    ),
    Case(
        "activity_partial_update_many",
        lambda c: c.activities.partial_update_many(
            [
                {"id": "x1", "set": {"a": 1}},
                {"foreign_id": "post:2", "time": WHEN, "unset": ["b"]},
            ]
        ),
        "POST",
        "/api/v1.0/activity/",
        ACTIVITIES_WRITE,
        body={
            "changes": [
                {"id": "x1", "set": {"a": 1}, "unset": []},
                {
                    "foreign_id": "post:2",
                    "time": "2020-01-01T00:00:00.000000",
                    "set": {},
                    "unset": ["b"],
                },
            ]
        },
        reply=Reply(201, {"activities": [STORED]}),
        check=check(["x1"], lambda r: [a.id for a in r.activities]),
    ),
    Case(
        "add_to_many",
        lambda c: c.add_to_many(GOOD, ["user:1", "timeline:2"]),
        "POST",
        "/api/v1.0/feed/add_to_many/",
        {"resource": "feed", "action": "write", "feed_id": "*"},
        body={"activity": GOOD, "feeds": ["user:1", "timeline:2"]},
        reply=Reply(201),
    ),
    Case(
        "follow_many",
        lambda c: c.follow_many(
            [
                ("timeline:1", "user:2"),
                {"source": "timeline:1", "target": "user:3", "activity_copy_limit": 5},
            ],
            activity_copy_limit=10,
        ),
        "POST",
        "/api/v1.0/follow_many/",
        FOLLOWER_WRITE,
        query=[("activity_copy_limit", "10")],
        body=[
            {"source": "timeline:1", "target": "user:2"},
            {"source": "timeline:1", "target": "user:3", "activity_copy_limit": 5},
        ],
        reply=Reply(201),
    ),
    Case(
        "unfollow_many",
        lambda c: c.unfollow_many(
            [
                ("timeline:1", "user:2"),
                {"source": "timeline:1", "target": "user:3", "keep_history": True},
            ]
        ),
        "POST",
        "/api/v1.0/unfollow_many/",
        FOLLOWER_WRITE,
        body=[
            {"source": "timeline:1", "target": "user:2", "keep_history": False},
            {"source": "timeline:1", "target": "user:3", "keep_history": True},
        ],
        reply=Reply(201),
    ),
    Case(
        "unfollow_many_keep_history_for_all",
        lambda c: c.unfollow_many([("timeline:1", "user:2")], keep_history=True),
        "POST",
        "/api/v1.0/unfollow_many/",
        FOLLOWER_WRITE,
        body=[{"source": "timeline:1", "target": "user:2", "keep_history": True}],
        reply=Reply(201),
    ),
    Case(
        "follow_stats",
        lambda c: c.follow_stats(
            "user:1", followers_slugs=["timeline"], following_slugs=["user", "flat"]
        ),
        "GET",
        "/api/v1.0/stats/follow/",
        {"resource": "*", "action": "read", "feed_id": "*"},
        query=[
            ("followers", "user:1"),
            ("following", "user:1"),
            ("followers_slugs", "timeline"),
            ("following_slugs", "user,flat"),
        ],
        reply=Reply(
            200,
            {
                "results": {
                    "followers": {"feed": "user:1", "count": 3},
                    "following": {"feed": "user:1", "count": 0},
                }
            },
        ),
        check=check((3, 0), lambda r: (r.results.followers.count, r.results.following.count)),
    ),
]


@params(CASES)
async def test_wire_shape(case: Case, sdk: AsyncStreamClient, server: RecordingServer) -> None:
    await run_case(case, sdk, server)
