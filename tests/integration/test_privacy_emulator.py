"""Batch users and data privacy: the SDK against the emulator, on asyncio and trio,
in-process and over a real loopback socket on the default sender (see ``conftest.py``)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from stream_async import AsyncStreamClient, errors
from tests.integration.conftest import Emulated

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


async def test_batch_users_round_trip(e2e_client: AsyncStreamClient) -> None:
    users = e2e_client.users
    await users.add("u0", {"v": "old"})
    names = [f"u{i}" for i in range(150)]
    added = await users.add_many([{"id": name, "data": {"n": name}} for name in names])
    # u0 existed: without override it is untouched and not listed.
    assert sorted(u.id for u in added.created_users) == sorted(names[1:])
    assert (await users.get("u0")).data == {"v": "old"}

    replaced = await users.add_many([{"id": "u0", "data": {"v": "new"}}], override=True)
    assert [u.id for u in replaced.created_users] == ["u0"]
    assert (await users.get("u0")).data == {"v": "new"}

    found = await users.get_many([*names, "nobody"])
    assert sorted(u.id for u in found.users) == sorted(names)
    assert {u.id: u.data for u in found.users}["u7"] == {"n": "u7"}

    await users.delete_many(names[:120])
    left = await users.get_many(names)
    assert sorted(u.id for u in left.users) == sorted(names[120:])


async def test_data_privacy_round_trip(e2e_client: AsyncStreamClient) -> None:
    alice = e2e_client.feed("user", "alice")
    await e2e_client.feed("timeline", "bob").follow("user:alice")
    by_id = await alice.add_activity({"actor": "alice", "verb": "post", "object": "note:1"})
    by_foreign = await alice.add_activity(
        {"actor": "alice", "verb": "post", "object": "note:2", "foreign_id": "post:2", "time": T0}
    )
    kept = await alice.add_activity({"actor": "alice", "verb": "post", "object": "note:3"})
    like = await e2e_client.reactions.add("like", kept.id, "alice")
    soft = await e2e_client.reactions.add("like", kept.id, "alice")

    exported = (await e2e_client.data_privacy.export_ids("alice")).export
    assert exported.user_id == "alice"
    assert exported.activity_count == 3
    assert exported.activity_ids == [by_foreign.id, by_id.id, kept.id]
    assert (exported.reaction_count, exported.reaction_ids) == (2, [like.id, soft.id])

    await e2e_client.data_privacy.delete_activities(
        [by_id.id, {"foreign_id": "post:2", "time": T0, "remove_from_feeds": ["user:alice"]}]
    )
    looked_up = await e2e_client.activities.get(ids=[by_id.id, by_foreign.id, kept.id])
    assert [a.id for a in looked_up.results] == [kept.id]
    assert len((await alice.get()).results) == 3
    timeline = e2e_client.feed("timeline", "bob")
    assert [a.id for a in (await timeline.get(discard_deleted_activities=True)).results] == [
        kept.id
    ]
    walked = [a.id async for a in alice.iterate(page_size=1, discard_deleted_activities=True)]
    assert walked == [kept.id]
    with pytest.raises(errors.NotFoundError):
        await e2e_client.activities.partial_update(by_id.id, set={"x": 1})
    with pytest.raises(errors.NotFoundError):
        await e2e_client.activities.partial_update(foreign_id="post:2", time=T0, set={"x": 1})
    replaced = {"actor": "alice", "verb": "post", "object": "note:9", "foreign_id": "post:2"}
    with pytest.raises(errors.NotFoundError):
        await e2e_client.activities.update([{**replaced, "time": T0}])
    for activity in (by_id, by_foreign):
        logged = await e2e_client.audit_logs.query(entity_type="activity", entity_id=activity.id)
        assert [(e.action, e.user_id) for e in logged.audit_logs] == [
            ("delete", "alice"),
            ("create", "alice"),
        ]

    await e2e_client.data_privacy.delete_reactions([like.id])
    await e2e_client.data_privacy.delete_reactions([soft.id], soft_delete=True)
    with pytest.raises(errors.NotFoundError):
        await e2e_client.reactions.get(like.id)
    assert (await e2e_client.reactions.get(soft.id)).deleted_at is not None
    assert (await e2e_client.reactions.filter(activity_id=kept.id)).results == []
    for reaction in (like, soft):
        logged = await e2e_client.audit_logs.query(entity_type="reaction", entity_id=reaction.id)
        assert [e.action for e in logged.audit_logs] == ["delete", "create"]
    after = (await e2e_client.data_privacy.export_ids("alice")).export
    assert (after.activity_ids, after.reaction_ids) == ([kept.id], [soft.id])


async def test_user_tokens_may_not_use_them(
    e2e_client: AsyncStreamClient, emulated: Emulated
) -> None:
    token = e2e_client.create_user_token("alice")
    async with emulated.client(api_secret=None, token=token) as alice:
        with pytest.raises(errors.NotAllowedError):
            await alice.data_privacy.export_ids("alice")
        with pytest.raises(errors.NotAllowedError):
            await alice.users.add_many([{"id": "alice"}])
        with pytest.raises(errors.NotAllowedError):
            await alice.data_privacy.delete_reactions(["r-1"])
