"""Audit logs and moderation flags: the SDK against the emulator, in-process and over a real
loopback socket (see ``conftest.py``)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from stream_async import AsyncStreamClient, errors
from tests.integration.conftest import Emulated, assert_stamped_since

pytestmark = pytest.mark.anyio


async def test_audit_log_records_writes_and_pages(e2e_client: AsyncStreamClient) -> None:
    before = datetime.now(timezone.utc)
    added = await e2e_client.feed("user", "1").add_activity(
        {"actor": "userid:1", "verb": "post", "object": "picture:1"}
    )
    await e2e_client.activities.partial_update(id=added.id, set={"mood": "sunny"})
    await e2e_client.activities.partial_update(id=added.id, set={"mood": "sunny"})
    await e2e_client.activities.partial_update_many(
        [{"id": added.id, "set": {"mood": "rainy"}}, {"id": added.id, "set": {"n": 1}}]
    )
    await e2e_client.users.add("alice", {"name": "Alice"})
    await e2e_client.users.update("alice", {"name": "Al"})
    like = await e2e_client.reactions.add("like", added.id, "alice")

    page = await e2e_client.audit_logs.query(entity_type="activity", entity_id=added.id)
    assert [(e.action, e.user_id) for e in page.audit_logs] == [
        ("update", "userid:1"),
        ("update", "userid:1"),
        ("create", "userid:1"),
    ]
    assert_stamped_since(page.audit_logs[0].created_at, before)
    assert (page.next, page.prev) == ("", "")

    first = await e2e_client.audit_logs.query(user_id="alice", limit=1)
    assert [(e.entity_type, e.entity_id, e.action) for e in first.audit_logs] == [
        ("reaction", like.id, "create")
    ]
    assert first.has_next
    second = await e2e_client.audit_logs.query(user_id="alice", limit=1, next=first.next)
    assert [(e.entity_type, e.action) for e in second.audit_logs] == [("user", "update")]
    back = await e2e_client.audit_logs.query(user_id="alice", limit=1, prev=second.prev)
    assert back.audit_logs == first.audit_logs

    walked = [
        (e.entity_type, e.action)
        async for e in e2e_client.audit_logs.iterate(user_id="alice", limit=1)
    ]
    assert walked == [("reaction", "create"), ("user", "update"), ("user", "create")]


async def test_flags_are_stored_and_audited(
    e2e_client: AsyncStreamClient, emulated: Emulated
) -> None:
    added = await e2e_client.feed("user", "alice").add_activity(
        {"actor": "SU:alice", "verb": "post", "object": "picture:1"}
    )
    comment = await e2e_client.reactions.add("comment", added.id, "bob")
    before = datetime.now(timezone.utc)
    user = await e2e_client.moderation.flag_user(
        "mallory", reporter_id="alice", reason="spam", custom={"source": "report-button"}
    )
    assert (user.target_user_id, user.flagged_by, user.reason) == ("mallory", "alice", "spam")
    assert user.flag_id
    assert user.raw_response is not None
    assert user.raw_response.status_code == 201
    assert_stamped_since(user.created_at, before)
    activity = await e2e_client.moderation.flag_activity(added.id, reporter_id="bob", reason="x")
    assert activity.target_user_id == "alice"
    reaction = await e2e_client.moderation.flag_reaction(
        comment.id, reporter_id="carol", reason="y"
    )
    assert reaction.target_user_id == "bob"

    flags, total = emulated.emulator.store.flags(10)
    assert total == 3
    assert flags[-1].custom == {"source": "report-button"}
    logged = await e2e_client.audit_logs.query(entity_type="user", entity_id="mallory")
    (entry,) = logged.audit_logs
    assert (entry.action, entry.user_id) == ("flag", "alice")
    assert entry.custom == {"flag_id": user.flag_id, "reason": "spam"}


async def test_user_tokens_are_refused(e2e_client: AsyncStreamClient, emulated: Emulated) -> None:
    token = e2e_client.create_user_token("bob")
    async with emulated.client(api_secret=None, token=token) as bob:
        with pytest.raises(errors.NotAllowedError):
            await bob.audit_logs.query(user_id="bob")
        with pytest.raises(errors.NotAllowedError) as raised:
            await bob.moderation.flag_user("mallory", reporter_id="bob", reason="spam")
        assert raised.value.status_code == 403
        assert raised.value.code == 17
