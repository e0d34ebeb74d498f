"""Audit logs and moderation flags on the wire, on every sender.

Paths, queries and bodies from more-endpoints.md §3 (GET audit_logs/ with entity_type,
entity_id, user_id, limit, next, prev) and §4 (POST moderation/flag with no trailing slash,
entity types stream:user, stream:feeds:v2:activity, stream:feeds:v2:reaction, 201); claims
from its §10 (audit_logs/read and moderation/write, feed_id "*").
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from stream_async import AsyncStreamClient
from stream_async.errors import PermissionDeniedError, StreamValidationError
from stream_async.models import AuditLog, AuditLogPage, FlagResponse
from tests.conftest import API_KEY
from tests.contract.wire import Case, params, run_case
from tests.support.recording import RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

READ = {"resource": "audit_logs", "action": "read", "feed_id": "*"}
WRITE = {"resource": "moderation", "action": "write", "feed_id": "*"}

ENTRY = {
    "entity_type": "activity",
    "entity_id": "a-1",
    "action": "create",
    "user_id": "userid:1",
    "custom": {"k": "v"},
    "created_at": "2026-01-02T03:04:05.123456Z",
}
PAGE = {"audit_logs": [ENTRY], "next": "n-1", "prev": "", "duration": "1.5ms"}
FLAGGED = {
    "flag_id": "f-1",
    "target_user_id": "mallory",
    "created_at": "2026-01-02T03:04:05.5Z",
    "reason": "spam",
    "flagged_by": "alice",
    "duration": "2ms",
}


def audit_page(page: AuditLogPage) -> None:
    assert isinstance(page, AuditLogPage)
    (entry,) = page.audit_logs
    assert isinstance(entry, AuditLog)
    assert (entry.entity_type, entry.entity_id, entry.action, entry.user_id) == (
        "activity",
        "a-1",
        "create",
        "userid:1",
    )
    assert entry.custom == {"k": "v"}
    assert entry.created_at == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert (page.next, page.prev, page.has_next, page.duration) == ("n-1", "", True, "1.5ms")


def flagged(result: FlagResponse) -> None:
    assert isinstance(result, FlagResponse)
    assert (result.flag_id, result.target_user_id, result.reason, result.flagged_by) == (
        "f-1",
        "mallory",
        "spam",
        "alice",
    )
    assert result.created_at == datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc)
    assert result.raw_response is not None
    assert result.raw_response.status_code == 201


def only_duration(result: FlagResponse) -> None:
    assert (result.flag_id, result.created_at, result.duration) == (None, None, "1ms")


CASES = [
    Case(
        "audit_logs_by_entity",
        lambda c: c.audit_logs.query(entity_type="activity", entity_id="a-1"),
        "GET",
        "/api/v1.0/audit_logs/",
        READ,
        query=[("entity_type", "activity"), ("entity_id", "a-1")],
        reply=Reply(200, PAGE),
        check=audit_page,
    ),
    Case(
        "audit_logs_by_user_with_limit_and_next",
        lambda c: c.audit_logs.query(user_id="userid:1", limit=1, next="n-1"),
        "GET",
        "/api/v1.0/audit_logs/",
        READ,
        query=[("user_id", "userid:1"), ("limit", "1"), ("next", "n-1")],
        reply=Reply(200, PAGE),
    ),
    Case(
        "audit_logs_everything_and_prev",
        lambda c: c.audit_logs.query(
            entity_type="reaction", entity_id="r-1", user_id="bob", limit=100, prev="p-1"
        ),
        "GET",
        "/api/v1.0/audit_logs/",
        READ,
        query=[
            ("entity_type", "reaction"),
            ("entity_id", "r-1"),
            ("user_id", "bob"),
            ("limit", "100"),
            ("prev", "p-1"),
        ],
        reply=Reply(200, PAGE),
    ),
    Case(
        "flag_user",
        lambda c: c.moderation.flag_user("mallory", reporter_id="alice", reason="spam"),
        "POST",
        "/api/v1.0/moderation/flag",
        WRITE,
        body={
            "entity_type": "stream:user",
            "entity_id": "mallory",
            "user_id": "alice",
            "reason": "spam",
        },
        reply=Reply(201, FLAGGED),
        check=flagged,
    ),
    Case(
        "flag_activity_with_custom",
        lambda c: c.moderation.flag_activity(
            "a-1", reporter_id="bob", reason="rude", custom={"note": "see"}
        ),
        "POST",
        "/api/v1.0/moderation/flag",
        WRITE,
        body={
            "entity_type": "stream:feeds:v2:activity",
            "entity_id": "a-1",
            "user_id": "bob",
            "reason": "rude",
            "custom": {"note": "see"},
        },
        reply=Reply(201, {"duration": "1ms"}),
        check=only_duration,
    ),
    Case(
        "flag_reaction",
        lambda c: c.moderation.flag_reaction("r-1", reporter_id="carol", reason="abuse"),
        "POST",
        "/api/v1.0/moderation/flag",
        WRITE,
        body={
            "entity_type": "stream:feeds:v2:reaction",
            "entity_id": "r-1",
            "user_id": "carol",
            "reason": "abuse",
        },
        reply=Reply(201, FLAGGED),
    ),
]


@params(CASES)
async def test_wire_shape(case: Case, sdk: AsyncStreamClient, server: RecordingServer) -> None:
    await run_case(case, sdk, server)


async def test_iterate_follows_next_until_it_is_empty(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    def entries(*ids: str) -> list[dict[str, Any]]:
        return [{**ENTRY, "entity_id": key} for key in ids]

    server.script(
        Reply(200, {"audit_logs": entries("a-3", "a-2"), "next": "c-1", "prev": ""}),
        Reply(200, {"audit_logs": entries("a-1"), "next": "", "prev": "c-0"}),
    )
    seen = [e.entity_id async for e in sdk.audit_logs.iterate(user_id="userid:1", limit=2)]
    assert seen == ["a-3", "a-2", "a-1"]
    assert [r.query for r in server.requests] == [
        [("api_key", API_KEY), ("user_id", "userid:1"), ("limit", "2")],
        [("api_key", API_KEY), ("user_id", "userid:1"), ("limit", "2"), ("next", "c-1")],
    ]


async def test_iterate_stops_at_max_items(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    server.script(Reply(200, {"audit_logs": [ENTRY, ENTRY], "next": "c-1"}))
    got = [e async for e in sdk.audit_logs.iterate(entity_type="user", entity_id="u", max_items=1)]
    assert len(got) == 1
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "entity_type/entity_id/user_id"),
        ({"entity_type": "activity"}, "entity_type/entity_id/user_id"),
        ({"entity_id": "a-1"}, "entity_type/entity_id/user_id"),
        ({"entity_type": "comment", "entity_id": "a-1"}, "entity_type"),
        ({"user_id": ""}, "user_id"),
        ({"entity_type": "user", "entity_id": 5}, "entity_id"),
        ({"user_id": "u", "limit": 0}, "limit"),
        ({"user_id": "u", "limit": 101}, "limit"),
        ({"user_id": "u", "limit": True}, "limit"),
        ({"user_id": "u", "next": "a", "prev": "b"}, "next/prev"),
        ({"user_id": "u", "next": ""}, "next"),
        ({"user_id": "u", "prev": 3}, "prev"),
    ],
)
async def test_bad_audit_queries_raise_before_sending(
    sdk: AsyncStreamClient, server: RecordingServer, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as raised:
        await sdk.audit_logs.query(**arguments)
    assert raised.value.field == field
    assert server.requests == []


async def test_bad_iterate_arguments_raise_before_fetching(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    with pytest.raises(StreamValidationError, match="give entity_type and entity_id together"):
        sdk.audit_logs.iterate(entity_type="feed")
    with pytest.raises(StreamValidationError) as raised:
        sdk.audit_logs.iterate(user_id="u", max_items=-1)
    assert raised.value.field == "max_items"
    assert server.requests == []


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.moderation.flag_user("", reporter_id="a", reason="r"), "user_id"),
        (
            lambda c: c.moderation.flag_activity("x" * 256, reporter_id="a", reason="r"),
            "activity_id",
        ),
        (lambda c: c.moderation.flag_reaction(None, reporter_id="a", reason="r"), "reaction_id"),
        (lambda c: c.moderation.flag_user("m", reporter_id="", reason="r"), "reporter_id"),
        (lambda c: c.moderation.flag_user("m", reporter_id="a", reason=""), "reason"),
        (lambda c: c.moderation.flag_user("m", reporter_id="a", reason="r", custom=[1]), "custom"),
    ],
)
async def test_bad_flags_raise_before_sending(
    sdk: AsyncStreamClient, server: RecordingServer, call: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as raised:
        await call(sdk)
    assert raised.value.field == field
    assert server.requests == []


async def test_user_tokens_are_sent_and_refused_by_the_server(
    user_sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    refusal = {"code": 17, "detail": "no", "exception": "NotAllowedException", "status_code": 403}
    server.script(Reply(403, refusal), Reply(403, refusal))
    with pytest.raises(PermissionDeniedError):
        await user_sdk.audit_logs.query(user_id="eric")
    with pytest.raises(PermissionDeniedError):
        await user_sdk.moderation.flag_user("m", reporter_id="eric", reason="spam")
    assert [r.path for r in server.requests] == [
        b"/api/v1.0/audit_logs/",
        b"/api/v1.0/moderation/flag",
    ]
