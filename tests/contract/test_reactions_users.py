"""Reactions and users on the wire, on every sender, server-side and client-side.

Paths from stream-rest-api.txt: "Reactions" (reaction/), "Reactions Detail" (reaction/(id)/),
"Reactions pagination" (reaction/(lookup_attr)/(lookup_value)/(kind)/), "User" (user/),
"User Detail" (user/(id)/); reaction restore from more-endpoints.md. Claims from
auth-scopes.md, "Least-privilege signing" (reactions and users: resource by name, action by
verb, feed_id "*"); a user token carries only its own claims.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from stream_async import AsyncStreamClient
from stream_async.models import (
    EmptyResponse,
    Reaction,
    ReactionPage,
    ReactionResponse,
    UserResponse,
)
from tests.conftest import API_KEY, API_SECRET
from tests.contract.wire import Case, equal, params, run_case
from tests.support.payloads import ACTIVITY_ID, REACTION, REACTION_ID, USER
from tests.support.recording import RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

STORED = REACTION


def scope(resource: str, action: str) -> dict[str, str]:
    return {"resource": resource, "action": action, "feed_id": "*"}


def added_reaction(result: ReactionResponse) -> None:
    assert isinstance(result, ReactionResponse)
    assert result.id == REACTION_ID
    assert result.created_at == datetime(2018, 12, 27, 13, 2, 3, 13191, tzinfo=timezone.utc)
    assert result.updated_at == datetime(2018, 12, 27, 13, 2, 4, 13191, tzinfo=timezone.utc)
    assert result.user == STORED["user"]
    assert (result.data, result.parent, result.deleted_at) == ({"text": "Hello!"}, "", None)
    assert result.target_feeds == ["timeline:bob"]
    assert result.children_counts == {"like": 1}
    (first,) = result.latest_children["like"]
    assert isinstance(first, Reaction)
    assert (first.id, first.parent, first.kind) == ("c-1", REACTION_ID, "like")
    assert result.duration == "6.58ms"


def filtered(page: ReactionPage) -> None:
    assert isinstance(page, ReactionPage)
    assert [r.id for r in page.results] == ["r-2", "r-1"]
    assert page.has_next is True
    assert page.activity is not None
    assert page.activity.id == ACTIVITY_ID
    assert page.activity.time == datetime(2018, 12, 21, 9, 45, 42, 348570, tzinfo=timezone.utc)
    assert page.activity.reaction_counts == {"like": 2}
    assert page.activity.custom == {"mood": "sunny"}


def user_added(result: UserResponse) -> None:
    assert isinstance(result, UserResponse)
    assert result.data == {"name": "Alice"}
    assert result.created_at == datetime(2018, 12, 27, 13, 2, 3, 13191, tzinfo=timezone.utc)
    assert (result.followers_count, result.duration) == (None, "0.9ms")


def empty(duration: str) -> Any:
    def run(result: Any) -> None:
        assert isinstance(result, EmptyResponse)
        assert result.duration == duration

    return run


def filter_by(lookup: str, bound: str) -> Callable[[AsyncStreamClient], Awaitable[Any]]:
    arguments: dict[str, Any] = {lookup: "v-1", bound: "r-9"}
    return lambda c: c.reactions.filter(**arguments)


def add_user(*, get_or_create: bool) -> Callable[[AsyncStreamClient], Awaitable[Any]]:
    return lambda c: c.users.add("alice", {"name": "Alice"}, get_or_create=get_or_create)


SERVER_SIDE = [
    Case(
        "reaction_add",
        lambda c: c.reactions.add(
            "comment",
            ACTIVITY_ID,
            "eric",
            data={"text": "Hello!"},
            target_feeds=["timeline:bob"],
            target_feeds_extra_data={"mood": "happy"},
            id=REACTION_ID,
        ),
        "POST",
        "/api/v1.0/reaction/",
        scope("reactions", "write"),
        body={
            "kind": "comment",
            "activity_id": ACTIVITY_ID,
            "user_id": "eric",
            "data": {"text": "Hello!"},
            "target_feeds": ["timeline:bob"],
            "target_feeds_extra_data": {"mood": "happy"},
            "id": REACTION_ID,
        },
        reply=Reply(
            201,
            {
                **STORED,
                "latest_children": {
                    "like": [{**STORED, "id": "c-1", "kind": "like", "parent": REACTION_ID}]
                },
                "children_counts": {"like": 1},
                "target_feeds": ["timeline:bob"],
                "duration": "6.58ms",
            },
        ),
        check=added_reaction,
    ),
    Case(
        "reaction_add_only_what_is_given",
        lambda c: c.reactions.add("like", ACTIVITY_ID, "eric"),
        "POST",
        "/api/v1.0/reaction/",
        scope("reactions", "write"),
        body={"kind": "like", "activity_id": ACTIVITY_ID, "user_id": "eric"},
        reply=Reply(201, STORED),
    ),
    Case(
        "reaction_add_child",
        lambda c: c.reactions.add_child("reply", REACTION_ID, "bob", data={"text": "hi"}, id="c-2"),
        "POST",
        "/api/v1.0/reaction/",
        scope("reactions", "write"),
        body={
            "kind": "reply",
            "parent": REACTION_ID,
            "user_id": "bob",
            "data": {"text": "hi"},
            "id": "c-2",
        },
        reply=Reply(201, {**STORED, "id": "c-2", "parent": REACTION_ID}),
    ),
    Case(
        "reaction_get",
        lambda c: c.reactions.get(REACTION_ID),
        "GET",
        f"/api/v1.0/reaction/{REACTION_ID}/",
        scope("reactions", "read"),
        reply=Reply(200, {**STORED, "deleted_at": "2018-12-28T10:00:00.5Z"}),
        check=lambda r: equal(
            r.deleted_at, datetime(2018, 12, 28, 10, 0, 0, 500000, tzinfo=timezone.utc)
        ),
    ),
    Case(
        "reaction_get_percent_encoded",
        lambda c: c.reactions.get("a/../b"),
        "GET",
        "/api/v1.0/reaction/a%2F..%2Fb/",
        scope("reactions", "read"),
        reply=Reply(200, STORED),
    ),
    Case(
        "reaction_update",
        lambda c: c.reactions.update(
            REACTION_ID,
            data={"text": "edited"},
            target_feeds=["user:jimmy"],
            target_feeds_extra_data={"a": 1},
        ),
        "PUT",
        f"/api/v1.0/reaction/{REACTION_ID}/",
        scope("reactions", "write"),
        body={
            "data": {"text": "edited"},
            "target_feeds": ["user:jimmy"],
            "target_feeds_extra_data": {"a": 1},
        },
        reply=Reply(201, STORED),
        check=lambda r: equal(type(r), ReactionResponse),
    ),
    Case(
        "reaction_update_only_what_is_given",
        lambda c: c.reactions.update(REACTION_ID, target_feeds=[]),
        "PUT",
        f"/api/v1.0/reaction/{REACTION_ID}/",
        scope("reactions", "write"),
        body={"target_feeds": []},
        reply=Reply(201, STORED),
    ),
    Case(
        "reaction_delete",
        lambda c: c.reactions.delete(REACTION_ID),
        "DELETE",
        f"/api/v1.0/reaction/{REACTION_ID}/",
        scope("reactions", "delete"),
        reply=Reply(200, {"duration": "2ms"}),
        check=empty("2ms"),
    ),
    Case(
        "reaction_soft_delete",
        lambda c: c.reactions.delete(REACTION_ID, soft=True),
        "DELETE",
        f"/api/v1.0/reaction/{REACTION_ID}/",
        scope("reactions", "delete"),
        query=[("soft", "true")],
    ),
    Case(
        "reaction_restore",
        lambda c: c.reactions.restore(REACTION_ID),
        "PUT",
        f"/api/v1.0/reaction/{REACTION_ID}/restore/",
        scope("reactions", "write"),
        reply=Reply(200, {"duration": "4ms"}),
        check=empty("4ms"),
    ),
    Case(
        "reaction_filter_by_activity",
        lambda c: c.reactions.filter(
            activity_id=ACTIVITY_ID,
            kind="like",
            limit=2,
            id_lt="r-3",
            with_activity_data=True,
            with_own_children=True,
            children_user_id="eric",
        ),
        "GET",
        f"/api/v1.0/reaction/activity_id/{ACTIVITY_ID}/like/",
        scope("reactions", "read"),
        query=[
            ("limit", "2"),
            ("id_lt", "r-3"),
            ("with_own_children", "true"),
            ("children_user_id", "eric"),
            ("with_activity_data", "true"),
        ],
        reply=Reply(
            200,
            {
                "results": [{**STORED, "id": "r-2"}, {**STORED, "id": "r-1"}],
                "next": "/api/v1.0/reaction/activity_id/x/like/?id_lt=r-1&limit=2",
                "activity": {
                    "id": ACTIVITY_ID,
                    "actor": "eric",
                    "verb": "post",
                    "object": "picture:1",
                    "time": "2018-12-21T09:45:42.348570",
                    "reaction_counts": {"like": 2},
                    "mood": "sunny",
                },
            },
        ),
        check=filtered,
    ),
    *[
        Case(
            f"reaction_filter_by_{lookup}",
            filter_by(lookup, bound),
            "GET",
            f"/api/v1.0/reaction/{lookup}/v-1/",
            scope("reactions", "read"),
            query=[(bound, "r-9")],
            reply=Reply(200, {"results": [], "next": ""}),
            check=lambda p: equal((p.results, p.has_next, p.activity), ([], False, None)),
        )
        for lookup, bound in [
            ("user_id", "id_lte"),
            ("reaction_id", "id_gt"),
            ("activity_id", "id_gte"),
        ]
    ],
    *[
        Case(
            f"user_add_get_or_create_{sent}",
            add_user(get_or_create=flag),
            "POST",
            "/api/v1.0/user/",
            scope("users", "write"),
            query=[("get_or_create", sent)],
            body={"id": "alice", "data": {"name": "Alice"}},
            reply=Reply(201, USER),
            check=user_added,
        )
        for flag, sent in [(False, "false"), (True, "true")]
    ],
    Case(
        "user_add_id_only",
        lambda c: c.users.add("alice"),
        "POST",
        "/api/v1.0/user/",
        scope("users", "write"),
        query=[("get_or_create", "false")],
        body={"id": "alice"},
        reply=Reply(201, {**USER, "data": {}}),
        check=lambda r: equal(r.data, {}),
    ),
    Case(
        "user_get",
        lambda c: c.users.get("alice"),
        "GET",
        "/api/v1.0/user/alice/",
        scope("users", "read"),
        reply=Reply(200, USER),
        check=lambda r: equal(r.id, "alice"),
    ),
    Case(
        "user_get_with_follow_counts",
        lambda c: c.users.get("alice", with_follow_counts=True),
        "GET",
        "/api/v1.0/user/alice/",
        scope("users", "read"),
        query=[("with_follow_counts", "true")],
        reply=Reply(200, {**USER, "followers_count": 3, "following_count": 5}),
        check=lambda r: equal((r.followers_count, r.following_count), (3, 5)),
    ),
    Case(
        "user_get_percent_encoded",
        lambda c: c.users.get("a b/.."),
        "GET",
        "/api/v1.0/user/a%20b%2F../",
        scope("users", "read"),
        reply=Reply(200, USER),
    ),
    Case(
        "user_update",
        lambda c: c.users.update("alice", {"name": "Al"}),
        "PUT",
        "/api/v1.0/user/alice/",
        scope("users", "write"),
        body={"data": {"name": "Al"}},
        reply=Reply(201, USER),
    ),
    Case(
        "user_delete",
        lambda c: c.users.delete("alice"),
        "DELETE",
        "/api/v1.0/user/alice/",
        scope("users", "delete"),
        reply=Reply(200, {"duration": "1ms"}),
        check=empty("1ms"),
    ),
]


@params(SERVER_SIDE)
async def test_wire_shape(case: Case, sdk: AsyncStreamClient, server: RecordingServer) -> None:
    await run_case(case, sdk, server)


async def test_client_side_reactions_carry_the_user_token_and_no_user_id(
    user_sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(Reply(201, STORED), Reply(201, STORED), Reply(201, STORED))
    await user_sdk.reactions.add("like", ACTIVITY_ID)
    await user_sdk.reactions.add("like", ACTIVITY_ID, "eric", data={"a": 1})
    await user_sdk.reactions.add_child("like", REACTION_ID)
    assert [r.json() for r in server.requests] == [
        {"kind": "like", "activity_id": ACTIVITY_ID},
        {"kind": "like", "activity_id": ACTIVITY_ID, "data": {"a": 1}},
        {"kind": "like", "parent": REACTION_ID},
    ]
    for request in server.requests:
        assert (request.method, request.path) == ("POST", b"/api/v1.0/reaction/")
        assert request.query == [("api_key", API_KEY)]
        assert request.claims(API_SECRET) == {"user_id": "eric"}
        assert request.headers["stream-auth-type"] == "jwt"


def page(ids: list[str], link: str) -> Reply:
    return Reply(200, {"results": [{**STORED, "id": i, "kind": "like"} for i in ids], "next": link})


async def test_iterate_follows_next_links_on_the_configured_host(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    base = f"/api/v1.0/reaction/activity_id/{ACTIVITY_ID}/like/"
    server.script(
        page(["r6", "r5"], f"{base}?api_key=server-key&id_lt=r5&limit=2&withOwnChildren=false"),
        page(["r4", "r3"], f"https://elsewhere.example{base}?id_lt=r3&limit=2"),
        page(["r2"], ""),
    )
    seen = [
        r.id async for r in sdk.reactions.iterate(activity_id=ACTIVITY_ID, kind="like", limit=2)
    ]
    assert seen == ["r6", "r5", "r4", "r3", "r2"]
    assert [r.path.decode() for r in server.requests] == [base, base, base]
    assert [r.query for r in server.requests] == [
        [("api_key", API_KEY), ("limit", "2")],
        [("api_key", API_KEY), ("id_lt", "r5"), ("limit", "2"), ("withOwnChildren", "false")],
        [("api_key", API_KEY), ("id_lt", "r3"), ("limit", "2")],
    ]
    assert [r.claims(API_SECRET) for r in server.requests] == [scope("reactions", "read")] * 3


async def test_iterate_stops_at_max_items_without_fetching_more(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(page(["r6", "r5"], "/next?id_lt=r5"), page(["r4", "r3"], "/next?id_lt=r3"))
    seen = [r.id async for r in sdk.reactions.iterate(user_id="eric", max_items=3)]
    assert seen == ["r6", "r5", "r4"]
    assert len(server.requests) == 2
