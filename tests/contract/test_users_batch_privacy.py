"""Batch users and data privacy on the wire, on every sender, and the feed-read flag
``discard_deleted_activities``.

Paths and bodies from more-endpoints.md §1 (``users/``: POST ``{"users", "override"}``, GET
and DELETE ``?ids=a,b``) and §2 (``data_privacy/delete_activities/``,
``data_privacy/delete_reactions/``, ``data_privacy/export_ids/<user_id>`` with no trailing
slash); §9 for ``discard_deleted_activities=true``. Claims: batch users as ``user/`` (resource
``users``, action by verb, feed_id ``*``); data privacy as the Java client signs them
(resource ``data_privacy``, ``write`` for the deletes, ``read`` for the export).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.models import (
    AddUsersResponse,
    EmptyResponse,
    ExportIdsResponse,
    GetUsersResponse,
)
from tests.contract.wire import Case, params, run_case
from tests.support.recording import Recorded, RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

ALICE = {
    "id": "alice",
    "data": {"name": "Alice"},
    "created_at": "2024-05-01T10:00:00.000001",
    "updated_at": "2024-05-01T10:00:00.000001",
}
BOB = {**ALICE, "id": "bob", "data": {}}


def scope(resource: str, action: str) -> dict[str, str]:
    return {"resource": resource, "action": action, "feed_id": "*"}


def created(result: AddUsersResponse) -> None:
    assert isinstance(result, AddUsersResponse)
    assert [u.id for u in result.created_users] == ["alice", "bob"]
    assert result.created_users[0].data == {"name": "Alice"}
    assert result.created_users[0].created_at == datetime(
        2024, 5, 1, 10, 0, 0, 1, tzinfo=timezone.utc
    )
    assert result.duration == "3ms"


def found(result: GetUsersResponse) -> None:
    assert isinstance(result, GetUsersResponse)
    assert [u.id for u in result.users] == ["alice"]


def acknowledged(result: Any) -> None:
    assert isinstance(result, EmptyResponse)
    assert result.duration == "1ms"


def exported(result: ExportIdsResponse) -> None:
    assert isinstance(result, ExportIdsResponse)
    assert result.export.user_id == "alice"
    assert result.export.activity_count == 2
    assert result.export.activity_ids == ["a-1", "a-2"]
    assert result.export.reaction_count == 1
    assert result.export.reaction_ids == ["r-1"]


EXPORT = {
    "export": {
        "user_id": "alice",
        "activity_count": 2,
        "activity_ids": ["a-1", "a-2"],
        "reaction_count": 1,
        "reaction_ids": ["r-1"],
    },
    "duration": "2ms",
}

CASES = [
    Case(
        "users_add_many",
        lambda c: c.users.add_many([{"id": "alice", "data": {"name": "Alice"}}, {"id": "bob"}]),
        "POST",
        "/api/v1.0/users/",
        scope("users", "write"),
        body={
            "users": [{"id": "alice", "data": {"name": "Alice"}}, {"id": "bob"}],
            "override": False,
        },
        reply=Reply(201, {"created_users": [ALICE, BOB], "duration": "3ms"}),
        check=created,
    ),
    Case(
        "users_add_many_override",
        lambda c: c.users.add_many([{"id": "alice", "data": {"x": 1}}], override=True),
        "POST",
        "/api/v1.0/users/",
        scope("users", "write"),
        body={"users": [{"id": "alice", "data": {"x": 1}}], "override": True},
        reply=Reply(201, {"created_users": [ALICE], "duration": "1ms"}),
    ),
    Case(
        "users_get_many",
        lambda c: c.users.get_many(["alice", "nobody"]),
        "GET",
        "/api/v1.0/users/",
        scope("users", "read"),
        query=[("ids", "alice,nobody")],
        reply=Reply(200, {"users": [ALICE], "duration": "1ms"}),
        check=found,
    ),
    Case(
        "users_delete_many",
        lambda c: c.users.delete_many(("alice", "bob")),
        "DELETE",
        "/api/v1.0/users/",
        scope("users", "delete"),
        query=[("ids", "alice,bob")],
        check=acknowledged,
    ),
    Case(
        "data_privacy_delete_activities",
        lambda c: c.data_privacy.delete_activities(
            [
                "a-1",
                {"id": "a-2", "remove_from_feeds": ["user:alice", "timeline:bob"]},
                {"foreign_id": "post:1", "time": datetime(2024, 1, 2, 3, 4, 5, 6)},
                {"foreign_id": "post:2", "time": "2024-01-02T03:04:05"},
            ]
        ),
        "POST",
        "/api/v1.0/data_privacy/delete_activities/",
        scope("data_privacy", "write"),
        body={
            "activities": [
                {"id": "a-1"},
                {"id": "a-2", "remove_from_feeds": ["user:alice", "timeline:bob"]},
                {"foreign_id": "post:1", "time": "2024-01-02T03:04:05.000006"},
                {"foreign_id": "post:2", "time": "2024-01-02T03:04:05"},
            ]
        },
        check=acknowledged,
    ),
    Case(
        "data_privacy_delete_reactions",
        lambda c: c.data_privacy.delete_reactions(["r-1", "r-2"]),
        "POST",
        "/api/v1.0/data_privacy/delete_reactions/",
        scope("data_privacy", "write"),
        body={"ids": ["r-1", "r-2"]},
        check=acknowledged,
    ),
    Case(
        "data_privacy_soft_delete_reactions",
        lambda c: c.data_privacy.delete_reactions(["r-1"], soft_delete=True),
        "POST",
        "/api/v1.0/data_privacy/delete_reactions/",
        scope("data_privacy", "write"),
        body={"ids": ["r-1"], "soft_delete": True},
    ),
    Case(
        "data_privacy_export_ids",
        lambda c: c.data_privacy.export_ids("alice"),
        "GET",
        "/api/v1.0/data_privacy/export_ids/alice",
        scope("data_privacy", "read"),
        reply=Reply(200, EXPORT),
        check=exported,
    ),
    Case(
        "feed_read_discarding_deleted",
        lambda c: c.feed("user", "alice").get(limit=5, discard_deleted_activities=True),
        "GET",
        "/api/v1.0/feed/user/alice/",
        {"resource": "feed", "action": "read", "feed_id": "useralice"},
        query=[("limit", "5"), ("discard_deleted_activities", "true")],
        reply=Reply(200, {"results": [], "next": ""}),
    ),
    Case(
        "feed_read_not_discarding",
        lambda c: c.aggregated_feed("aggregated", "bob").get(discard_deleted_activities=False),
        "GET",
        "/api/v1.0/feed/aggregated/bob/",
        {"resource": "feed", "action": "read", "feed_id": "aggregatedbob"},
        reply=Reply(200, {"results": [], "next": ""}),
    ),
]


@params(CASES)
async def test_wire_shape(case: Case, sdk: AsyncStreamClient, server: RecordingServer) -> None:
    await run_case(case, sdk, server)


async def test_iterate_discarding_deleted(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    server.script(Reply(200, {"results": [], "next": ""}))
    items = [item async for item in sdk.feed("user", "alice").iterate(
        page_size=10, discard_deleted_activities=True
    )]  # fmt: skip
    assert items == []
    assert server.last.query[1:] == [("limit", "10"), ("discard_deleted_activities", "true")]


def ids_of(request: Recorded) -> list[str]:
    return dict(request.query)["ids"].split(",")


async def test_user_batches_split_at_100(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    def echo(request: Recorded) -> Reply:
        sent = request.json()["users"]
        return Reply(201, {"created_users": [{**ALICE, "id": u["id"]} for u in sent]})

    names = [f"u{i}" for i in range(201)]
    server.script(echo, echo, echo)
    result = await sdk.users.add_many([{"id": n} for n in names])
    assert sorted(u.id for u in result.created_users) == sorted(names)
    assert sorted(len(r.json()["users"]) for r in server.requests) == [1, 100, 100]
    assert {r.json()["override"] for r in server.requests} == {False}

    def lookup(request: Recorded) -> Reply:
        return Reply(200, {"users": [{**ALICE, "id": key} for key in ids_of(request)]})

    server.reset()
    server.script(lookup, lookup, lookup)
    got = await sdk.users.get_many(names)
    assert sorted(u.id for u in got.users) == sorted(names)
    assert sorted(len(ids_of(r)) for r in server.requests) == [1, 100, 100]
    server.reset()
    await sdk.users.delete_many(names)
    assert sorted(len(ids_of(r)) for r in server.requests) == [1, 100, 100]
    assert {r.method for r in server.requests} == {"DELETE"}


async def test_privacy_batches_split_at_100(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    await sdk.data_privacy.delete_activities([f"a{i}" for i in range(101)])
    assert sorted(len(r.json()["activities"]) for r in server.requests) == [1, 100]
    server.reset()
    await sdk.data_privacy.delete_reactions([f"r{i}" for i in range(250)], soft_delete=True)
    assert sorted(len(r.json()["ids"]) for r in server.requests) == [50, 100, 100]
    assert all(r.json()["soft_delete"] is True for r in server.requests)


async def test_a_failed_user_chunk_is_reported_with_what_was_applied(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    def some_fail(request: Recorded) -> Reply:
        if "u150" in ids_of(request):
            return Reply(400, {"code": 4, "detail": "bad ids", "exception": "InputException"})
        return Reply(200, {"duration": "1ms"})

    names = [f"u{i}" for i in range(201)]
    server.script(some_fail, some_fail, some_fail)
    with pytest.raises(errors.BatchError) as info:
        await sdk.users.delete_many(names)
    assert sorted(info.value.applied) == sorted(names[:100] + names[200:])
    [(failed, cause)] = info.value.failed
    assert failed == names[100:200]
    assert isinstance(cause, errors.InputError)


async def test_empty_batches_send_nothing(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    assert (await sdk.users.add_many([])).created_users == []
    assert (await sdk.users.get_many([])).users == []
    assert (await sdk.users.delete_many([])).raw_response is None
    assert (await sdk.data_privacy.delete_activities([])).raw_response is None
    assert (await sdk.data_privacy.delete_reactions([])).raw_response is None
    assert server.requests == []


BAD: list[tuple[str, Any, str, str]] = [
    ("users", lambda c: c.users.add_many("alice"), "users", "must be a list of user mappings"),
    ("user item", lambda c: c.users.add_many(["alice"]), "users[0]", "must be a mapping"),
    (
        "user id",
        lambda c: c.users.add_many([{"id": "al ice"}]),
        "users[0].id",
        "word characters or hyphens",
    ),
    (
        "user id too long",
        lambda c: c.users.add_many([{"id": "a" * 256}]),
        "users[0].id",
        "at most 255 characters",
    ),
    (
        "user data",
        lambda c: c.users.add_many([{"id": "a", "data": [1]}]),
        "users[0].data",
        "must be a mapping",
    ),
    (
        "user key",
        lambda c: c.users.add_many([{"id": "a", "name": "x"}]),
        "users[0]",
        "takes only 'id' and 'data', not 'name'",
    ),
    (
        "repeated user",
        lambda c: c.users.add_many([{"id": "a"}, {"id": "a"}]),
        "users[1].id",
        "repeats the id 'a'",
    ),
    (
        "override",
        lambda c: c.users.add_many([{"id": "a"}], override="yes"),
        "override",
        "must be a boolean",
    ),
    ("get ids", lambda c: c.users.get_many("a,b"), "user_ids", "must be a list of user ids"),
    (
        "delete id",
        lambda c: c.users.delete_many(["a", "b,c"]),
        "user_ids[1]",
        "word characters or hyphens",
    ),
    (
        "activities",
        lambda c: c.data_privacy.delete_activities("a-1"),
        "activities",
        "must be a list of activity ids or mappings",
    ),
    (
        "activity id",
        lambda c: c.data_privacy.delete_activities([""]),
        "activities[0]",
        "non-empty",
    ),
    (
        "activity both",
        lambda c: c.data_privacy.delete_activities([{"id": "a", "foreign_id": "f"}]),
        "activities[0]",
        "give either id, or foreign_id and time",
    ),
    (
        "activity neither",
        lambda c: c.data_privacy.delete_activities([{"remove_from_feeds": []}]),
        "activities[0]",
        "give either id, or foreign_id and time",
    ),
    (
        "activity time",
        lambda c: c.data_privacy.delete_activities([{"foreign_id": "f:1"}]),
        "activities[0].time",
        "must be a datetime or an ISO 8601 string",
    ),
    (
        "activity key",
        lambda c: c.data_privacy.delete_activities([{"id": "a", "feeds": []}]),
        "activities[0]",
        "not 'feeds'",
    ),
    (
        "remove_from_feeds",
        lambda c: c.data_privacy.delete_activities([{"id": "a", "remove_from_feeds": ["alice"]}]),
        "activities[0].remove_from_feeds",
        "must be a feed id of the form 'slug:user_id'",
    ),
    ("reaction ids", lambda c: c.data_privacy.delete_reactions("r-1"), "ids", "must be a list"),
    ("reaction id", lambda c: c.data_privacy.delete_reactions([7]), "ids[0]", "non-empty string"),
    (
        "soft_delete",
        lambda c: c.data_privacy.delete_reactions(["r"], soft_delete=1),
        "soft_delete",
        "must be a boolean",
    ),
    ("export user", lambda c: c.data_privacy.export_ids(""), "user_id", "non-empty"),
    (
        "discard flag",
        lambda c: c.feed("user", "a").get(discard_deleted_activities="true"),
        "discard_deleted_activities",
        "must be a boolean",
    ),
]


@pytest.mark.parametrize(("call", "field", "rule"), [pytest.param(*b[1:], id=b[0]) for b in BAD])
async def test_bad_input_is_refused_before_sending(
    sdk: AsyncStreamClient, server: RecordingServer, call: Any, field: str, rule: str
) -> None:
    with pytest.raises(errors.StreamValidationError) as info:
        await call(sdk)
    assert info.value.field == field
    assert rule in info.value.rule
    assert server.requests == []
