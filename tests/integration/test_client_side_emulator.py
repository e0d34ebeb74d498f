"""The SDK in client-side mode (a user token, no secret) against the emulator, in-process
and over a loopback socket: Stream's default client-side policies, and a feed group whose
mode was changed."""

from __future__ import annotations

import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.testing import new_emulator, serve_emulator
from tests.integration.conftest import Emulated

pytestmark = pytest.mark.anyio


def post(actor: str, number: int) -> dict[str, str]:
    return {"actor": actor, "verb": "post", "object": f"post:{number}"}


async def test_a_user_token_uses_its_own_feeds(emulated: Emulated) -> None:
    async with emulated.client() as server:
        bobs = await server.feed("user", "bob").add_activity(post("SU:bob", 1))
        alice_token = server.create_user_token("alice")
    async with emulated.client(api_secret=None, token=alice_token) as alice:
        user_feed = alice.feed("user", "alice")
        timeline = alice.feed("timeline", "alice")
        mine = await user_feed.add_activity(post("SU:alice", 2))
        note = await timeline.add_activity(post("SU:alice", 3))
        assert [a.id for a in (await user_feed.get()).results] == [mine.id]
        await timeline.follow("user:bob")
        assert [a.id for a in (await timeline.get()).results] == [note.id, bobs.id]
        assert [f.target_id for f in (await timeline.following()).results] == ["user:bob"]
        stats = await alice.follow_stats("timeline:alice")
        assert stats.results.following.count == 1
        like = await alice.reactions.add("like", bobs.id, target_feeds=["notification:bob"])
        assert like.user_id == "alice"
        # other users' user feeds are global read
        assert [a.id for a in (await alice.feed("user", "bob").get()).results] == [bobs.id]
        found = await alice.activities.get([bobs.id, mine.id])
        assert {a.id for a in found.results} == {bobs.id, mine.id}
        await user_feed.remove_activity(mine.id)
        assert (await user_feed.get()).results == []
        await timeline.unfollow("user:bob")

        with pytest.raises(errors.NotAllowedError) as timeline_read:
            await alice.feed("timeline", "bob").get()
        assert timeline_read.value.status_code == 403
        assert timeline_read.value.code == 17
        with pytest.raises(errors.NotAllowedError):
            await user_feed.add_activity(post("SU:bob", 4))
        with pytest.raises(errors.NotAllowedError):
            await alice.feed("timeline", "bob").follow("user:alice")
        with pytest.raises(errors.NotAllowedError):
            await user_feed.add_activity({**post("SU:alice", 5), "to": ["timeline:bob"]})
    async with emulated.client() as server:
        notified = await server.notification_feed("notification", "bob").get()
        assert notified.results[0].activities[0].verb == "like"
        assert [a.object for a in (await server.feed("user", "alice").get()).results] == []


@pytest.mark.socket
async def test_a_private_notification_group_refuses_targets_over_a_socket() -> None:
    emulator = new_emulator(feed_groups=["notification:notification:private", "news:flat:read"])
    with serve_emulator(emulator) as server:
        async with server.client() as admin:
            token = admin.create_user_token("alice")
            await admin.feed("news", "bob").add_activity(post("SU:bob", 1))
        async with AsyncStreamClient(
            api_key=server.api_key, token=token, base_url=server.base_url
        ) as alice:
            with pytest.raises(errors.NotAllowedError):
                await alice.feed("user", "alice").add_activity(
                    {**post("SU:alice", 2), "to": ["notification:bob"]}
                )
            assert len((await alice.feed("news", "bob").get()).results) == 1


def test_a_bad_feed_group_spec_is_refused() -> None:
    with pytest.raises(ValueError, match=r"NAME:KIND\[:MODE\]"):
        new_emulator(feed_groups=["notification:notification:public"])
