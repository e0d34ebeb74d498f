"""The SDK's feed, follow, activity and batch calls against the emulator, on asyncio and
trio, in-process and over a real loopback socket on the default sender (see
``conftest.py``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.resources.feeds import ReactionOptions
from tests.integration.conftest import assert_stamped_since

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


def post(i: int, **extra: object) -> dict[str, object]:
    return {"actor": "alice", "verb": "post", "object": f"post:{i}", **extra}


async def test_add_read_remove(e2e_client: AsyncStreamClient) -> None:
    feed = e2e_client.feed("user", "alice")
    added = await feed.add_activity(post(1, foreign_id="post:1", time=T0, mood="happy"))
    assert added.time == T0
    assert added.custom == {"mood": "happy"}
    assert re.fullmatch(r"\d+\.\d{2}ms", added.duration or ""), added.duration
    batch = await feed.add_activities(
        [post(i, time=T0 + timedelta(seconds=i)) for i in range(2, 5)]
    )
    assert len(batch.activities) == 3

    page = await feed.get(limit=2)
    assert [a.object for a in page.results] == ["post:4", "post:3"]
    assert page.has_next is True
    assert page.rate_limit is not None
    # the emulator reports a 2000-request window (api-semantics.md, section 5, sample values)
    assert page.rate_limit.limit == 2000
    assert 0 <= page.rate_limit.remaining < 2000
    rest = await feed.get(limit=10, id_lt=page.results[-1].id)
    assert [a.object for a in rest.results] == ["post:2", "post:1"]
    assert (await feed.get(offset=3)).results[0].id == added.id

    removed = await feed.remove_activity(foreign_id="post:1")
    assert removed.removed == "post:1"
    await feed.remove_activity(batch.activities[0].id)
    assert [a.object for a in (await feed.get()).results] == ["post:4", "post:3"]


async def test_foreign_id_and_time_make_adds_idempotent(e2e_client: AsyncStreamClient) -> None:
    feed = e2e_client.feed("user", "alice")
    first = await feed.add_activity(post(1, foreign_id="post:1", time=T0))
    second = await feed.add_activity(post(1, foreign_id="post:1", time=T0, edited=True))
    assert first.id == second.id
    [only] = (await feed.get()).results
    assert only.custom == {"edited": True}


async def test_follow_fan_out_and_unfollow(e2e_client: AsyncStreamClient) -> None:
    alice = e2e_client.feed("user", "alice")
    timeline = e2e_client.feed("timeline", "bob")
    await alice.add_activity(post(1, time=T0))
    before = datetime.now(timezone.utc)
    await timeline.follow(alice, activity_copy_limit=10)
    await alice.add_activity(post(2, time=T0 + timedelta(seconds=1)))
    page = await timeline.get()
    assert [a.object for a in page.results] == ["post:2", "post:1"]
    assert {a.origin for a in page.results} == {"user:alice"}

    following = await timeline.following()
    assert [(f.feed_id, f.target_id) for f in following.results] == [("timeline:bob", "user:alice")]
    assert_stamped_since(following.results[0].created_at, before)
    assert [f.feed_id for f in (await alice.followers()).results] == ["timeline:bob"]
    assert (await timeline.following(filter=["user:carol"])).results == []
    stats = await e2e_client.follow_stats("user:alice")
    assert (stats.results.followers.count, stats.results.following.count) == (1, 0)

    await timeline.unfollow("user:alice")
    assert (await timeline.get()).results == []


async def test_follow_many_unfollow_many_and_add_to_many(
    e2e_client: AsyncStreamClient,
) -> None:
    await e2e_client.feed("user", "alice").add_activity(post(1, time=T0))
    await e2e_client.follow_many(
        [("timeline:bob", "user:alice"), ("timeline:carol", "user:alice")],
        activity_copy_limit=0,
    )
    assert (await e2e_client.feed("timeline", "bob").get()).results == []
    assert len((await e2e_client.feed("user", "alice").followers()).results) == 2

    await e2e_client.add_to_many(post(2, time=T0), ["timeline:bob", "flat:dave"])
    assert len((await e2e_client.feed("flat", "dave").get()).results) == 1
    assert len((await e2e_client.feed("timeline", "bob").get()).results) == 1

    await e2e_client.unfollow_many([("timeline:bob", "user:alice")], keep_history=True)
    assert len((await e2e_client.feed("user", "alice").followers()).results) == 1


async def test_to_targets(e2e_client: AsyncStreamClient) -> None:
    alice = e2e_client.feed("user", "alice")
    added = await alice.add_activity(post(1, foreign_id="post:1", time=T0, to=["flat:bob"]))
    assert added.to == ["flat:bob"]
    assert len((await e2e_client.feed("flat", "bob").get()).results) == 1
    changed = await alice.update_activity_to_targets(
        "post:1", T0, added_targets=["flat:carol"], removed_targets=["flat:bob"]
    )
    assert changed.activity.to == ["flat:carol"]
    assert len((await e2e_client.feed("flat", "carol").get()).results) == 1
    assert (await e2e_client.feed("flat", "bob").get()).results == []


async def test_activities_namespace(e2e_client: AsyncStreamClient) -> None:
    feed = e2e_client.feed("user", "alice")
    added = await feed.add_activity(post(1, foreign_id="post:1", time=T0, price=1))
    found = await e2e_client.activities.get([added.id, "00000000-0000-1000-8000-000000000000"])
    assert [a.id for a in found.results] == [added.id]
    found = await e2e_client.activities.get(foreign_id_times=[("post:1", T0)])
    assert [a.id for a in found.results] == [added.id]

    changed = await e2e_client.activities.partial_update(
        added.id, set={"product.price": 9}, unset=["price"]
    )
    assert changed.custom == {"product": {"price": 9}}
    many = await e2e_client.activities.partial_update_many(
        [{"foreign_id": "post:1", "time": T0, "set": {"likes": 2}}]
    )
    assert many.activities[0].custom["likes"] == 2

    await e2e_client.activities.update([post(1, foreign_id="post:1", time=T0, v=2)])
    [stored] = (await feed.get()).results
    assert stored.id == added.id
    assert stored.custom == {"v": 2}


async def test_aggregated_and_notification_feeds(e2e_client: AsyncStreamClient) -> None:
    source = e2e_client.feed("user", "alice")
    await e2e_client.feed("aggregated", "bob").follow(source)
    await e2e_client.feed("notification", "bob").follow(source)
    for i in range(3):
        await source.add_activity(post(i, time=T0 + timedelta(seconds=i)))
    await source.add_activity({"actor": "carol", "verb": "like", "object": "x", "time": T0})

    groups = await e2e_client.aggregated_feed("aggregated", "bob").get()
    counts = {g.verb: (g.activity_count, g.actor_count) for g in groups.results}
    assert counts == {"post": (3, 1), "like": (1, 1)}

    notifications = e2e_client.notification_feed("notification", "bob")
    first = await notifications.get(mark_seen=True)
    assert (first.unseen, first.unread) == (2, 2)
    second = await notifications.get(mark_read=[first.results[0].id])
    assert (second.unseen, second.unread) == (0, 2)
    assert all(g.is_seen for g in second.results)
    third = await notifications.get()
    assert third.unread == 1

    async_groups = [
        g async for g in e2e_client.aggregated_feed("aggregated", "bob").iterate(page_size=1)
    ]
    assert len(async_groups) == 2


async def test_iterate_every_page(e2e_client: AsyncStreamClient) -> None:
    feed = e2e_client.feed("user", "alice")
    await feed.add_activities([post(i, time=T0 + timedelta(seconds=i)) for i in range(7)])
    objects = [a.object async for a in feed.iterate(page_size=3)]
    assert objects == [f"post:{i}" for i in reversed(range(7))]
    assert len([a async for a in feed.iterate(page_size=3, max_items=4)]) == 4


async def test_enriched_read_path(e2e_client: AsyncStreamClient) -> None:
    feed = e2e_client.feed("user", "alice")
    await feed.add_activity(post(1, time=T0))
    page = await feed.get(reactions=ReactionOptions(counts=True), user_id="alice")
    assert len(page.results) == 1


async def test_api_errors_are_typed(e2e_client: AsyncStreamClient) -> None:
    with pytest.raises(errors.FeedConfigError, match="not configured: 'nope'"):
        await e2e_client.feed("nope", "x").get()
    with pytest.raises(errors.InputError):
        await e2e_client.feed("timeline", "bob").follow("aggregated:alice")


async def test_wrong_secret_is_not_allowed(stream_emulator: object) -> None:
    from stream_async.testing import client_for

    client = client_for(stream_emulator, api_secret="not-the-emulator-secret-0123456789abcdef")  # type: ignore[arg-type]
    with pytest.raises(errors.NotAllowedError):
        await client.feed("user", "alice").get()
    wrong_key = client_for(stream_emulator, api_key="unknown")  # type: ignore[arg-type]
    with pytest.raises(errors.ApiKeyError):
        await wrong_key.feed("user", "alice").get()
