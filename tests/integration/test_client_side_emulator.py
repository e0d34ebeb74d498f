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


async def test_a_user_token_is_refused_other_users_writes_and_lists(emulated: Emulated) -> None:
    async with emulated.client() as server:
        bobs = await server.feed("user", "bob").add_activity(
            {**post("SU:bob", 1), "foreign_id": "post:1", "time": "2026-01-01T00:00:00"}
        )
        alice_token = server.create_user_token("alice")
    async with emulated.client(api_secret=None, token=alice_token) as alice:
        with pytest.raises(errors.NotAllowedError) as partial:
            await alice.activities.partial_update(bobs.id, set={"text": "hacked"})
        assert (partial.value.status_code, partial.value.code) == (403, 17)
        mine = await alice.feed("user", "alice").add_activity(
            {**post("SU:alice", 2), "foreign_id": "post:2", "time": "2026-01-01T00:00:00"}
        )
        with pytest.raises(errors.NotAllowedError):
            await alice.feed("user", "alice").update_activity_to_targets(
                "post:2", "2026-01-01T00:00:00", added_targets=["timeline:bob"]
            )
        with pytest.raises(errors.NotAllowedError):
            await alice.feed("user", "bob").update_activity_to_targets(
                "post:1", "2026-01-01T00:00:00", new_targets=["notification:alice"]
            )
        with pytest.raises(errors.NotAllowedError):
            await alice.feed("timeline", "bob").followers()
        with pytest.raises(errors.NotAllowedError):
            await alice.feed("user", "bob").following()
        # what alice may do still works
        await alice.activities.partial_update(mine.id, set={"text": "mine"})
        moved = await alice.feed("user", "alice").update_activity_to_targets(
            "post:2", "2026-01-01T00:00:00", added_targets=["notification:bob"]
        )
        assert moved.added == ["notification:bob"]
        assert (await alice.feed("user", "alice").followers()).results == []
    async with emulated.client() as server:
        found = await server.activities.get([bobs.id, mine.id])
        texts = {item.id: (item.model_extra or {}).get("text") for item in found.results}
        assert texts == {bobs.id: None, mine.id: "mine"}


async def test_missing_things_and_bad_input_come_before_the_refusal(emulated: Emulated) -> None:
    async with emulated.client() as server:
        bob_token = server.create_user_token("bob")
        alice_token = server.create_user_token("alice")
    async with emulated.client(api_secret=None, token=bob_token) as bob:
        liked = await bob.reactions.add("like", "activity-1")
        await bob.reactions.delete(liked.id)
        text = await bob.files.upload(b"not an image", filename="a.txt")
    async with emulated.client(api_secret=None, token=alice_token) as alice:
        # bob's deleted reaction: not found, not a refusal
        with pytest.raises(errors.DoesNotExistError) as gone:
            await alice.reactions.update(liked.id, data={"x": 1})
        assert (gone.value.status_code, gone.value.code) == (404, 16)
        with pytest.raises(errors.DoesNotExistError):
            await alice.reactions.delete(liked.id)
        # no such activity in bob's timeline: 404 before the 403 of writing to it
        with pytest.raises(errors.DoesNotExistError):
            await alice.feed("timeline", "bob").update_activity_to_targets(
                "post:9", "2026-01-01T00:00:00", new_targets=["user:alice"]
            )
        # bob's upload is not an image: the 400 comes before the 403 of processing it
        with pytest.raises(errors.InputError) as bad:
            await alice.images.process(text.file, w=10)
        assert (bad.value.status_code, bad.value.code) == (400, 4)


async def test_the_personalized_enriched_feed_of_oneself_only(emulated: Emulated) -> None:
    async with emulated.client() as server:
        alice_token = server.create_user_token("alice")
        everyone = await server.request(
            "GET",
            "enrich/personalization/feed/",
            resource="personalization",
            params={"feed_slug": "timeline", "user_id": "bob"},
        )
        assert everyone.model_extra is not None
        assert everyone.model_extra["results"] == []
    async with emulated.client(api_secret=None, token=alice_token) as alice:
        own = await alice.request(
            "GET",
            "enrich/personalization/feed/",
            resource="personalization",
            params={"feed_slug": "timeline", "limit": 5},
        )
        assert own.model_extra == {
            "results": [],
            "limit": 5,
            "offset": 0,
            "version": "",
            "next": "",
        }
        with pytest.raises(errors.NotAllowedError):
            await alice.request(
                "GET",
                "enrich/personalization/feed/",
                resource="personalization",
                params={"feed_slug": "timeline", "user_id": "bob"},
            )
        with pytest.raises(errors.DoesNotExistError):
            await alice.request(
                "GET",
                "enrich/personalization/feed/",
                resource="personalization",
                params={"feed_slug": "timeline", "endpoint": "not_existing"},
            )
