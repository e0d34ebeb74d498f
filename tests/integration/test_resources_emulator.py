"""Reactions, enrichment, users, collections, files, images, Open Graph, analytics and
personalization: the SDK against the emulator, on asyncio and trio, in-process and over a
real loopback socket on the default sender (see ``conftest.py``)."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from PIL import Image

from stream_async import AsyncStreamClient, errors
from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.resources.feeds import ReactionOptions
from stream_async.testing import client_for, new_emulator, serve_emulator
from tests.integration.conftest import Emulated, assert_stamped_since

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


async def a_post(client: AsyncStreamClient, user: str = "alice") -> str:
    added = await client.feed("user", user).add_activity(
        {"actor": f"SU:{user}", "verb": "post", "object": "picture:1", "time": T0}
    )
    return added.id


async def test_reactions_lifecycle(e2e_client: AsyncStreamClient) -> None:
    post = await a_post(e2e_client)
    reactions = e2e_client.reactions
    before = datetime.now(timezone.utc)
    like = await reactions.add("like", post, "bob")
    assert (like.kind, like.activity_id, like.user_id, like.parent) == ("like", post, "bob", "")
    assert_stamped_since(like.created_at, before)
    comment = await reactions.add(
        "comment", post, "carol", data={"text": "nice"}, target_feeds=["notification:alice"]
    )
    reply = await reactions.add_child("comment", comment.id, "alice", data={"text": "thanks"})
    assert reply.parent == comment.id

    found = await reactions.get(comment.id)
    assert found.data == {"text": "nice"}
    assert found.children_counts == {"comment": 1}
    assert [c.id for c in found.latest_children["comment"]] == [reply.id]

    updated = await reactions.update(comment.id, data={"text": "very nice"})
    assert updated.data == {"text": "very nice"}
    notified = await e2e_client.notification_feed("notification", "alice").get()
    assert notified.results[0].activities[0].foreign_id == f"reaction:{comment.id}"

    deleting = datetime.now(timezone.utc)
    await reactions.delete(like.id, soft=True)
    assert_stamped_since((await reactions.get(like.id)).deleted_at, deleting)
    page = await reactions.filter(activity_id=post)
    assert {r.id for r in page.results} == {comment.id}
    await reactions.restore(like.id)
    assert (await reactions.get(like.id)).deleted_at is None
    with pytest.raises(errors.DoesNotExistError):
        await reactions.restore(like.id)

    kinds = await reactions.filter(activity_id=post, kind="like", with_activity_data=True)
    assert [r.id for r in kinds.results] == [like.id]
    children = await reactions.filter(reaction_id=comment.id)
    assert [r.id for r in children.results] == [reply.id]
    by_user = await reactions.filter(user_id="carol")
    assert [r.id for r in by_user.results] == [comment.id]

    await reactions.delete(like.id)
    with pytest.raises(errors.NotFoundError):
        await reactions.get(like.id)
    with pytest.raises(errors.ConflictError):
        await reactions.add("like", post, "bob", id=comment.id)


async def test_reactions_iterate_follows_next(e2e_client: AsyncStreamClient) -> None:
    post = await a_post(e2e_client)
    for i in range(12):
        await e2e_client.reactions.add("like", post, f"user-{i}")
    seen = [r.user_id async for r in e2e_client.reactions.iterate(activity_id=post, limit=5)]
    assert sorted(seen) == sorted(f"user-{i}" for i in range(12))
    assert len(set(seen)) == 12
    some = [r async for r in e2e_client.reactions.iterate(activity_id=post, max_items=7)]
    assert len(some) == 7


async def test_enriched_reads(e2e_client: AsyncStreamClient) -> None:
    await e2e_client.users.add("alice", {"name": "Alice"})
    await e2e_client.collections.add("food", {"name": "Burger"}, id="burger")
    post = await e2e_client.feed("user", "alice").add_activity(
        {
            "actor": e2e_client.users.create_reference("alice"),
            "verb": "eat",
            "object": e2e_client.collections.create_reference("food", "burger"),
            "time": T0,
        }
    )
    await e2e_client.reactions.add("like", post.id, "alice")
    await e2e_client.reactions.add("like", post.id, "bob")
    await e2e_client.reactions.add("comment", post.id, "bob", data={"text": "hi"})

    page = await e2e_client.feed("user", "alice").get(
        reactions=ReactionOptions(own=True, recent=True, counts=True, kinds=["like"]),
        user_id="alice",
    )
    [activity] = page.results
    assert isinstance(activity.actor, dict)
    assert activity.actor["data"] == {"name": "Alice"}
    assert isinstance(activity.object, dict)
    assert activity.object["data"] == {"name": "Burger"}
    assert activity.reaction_counts == {"like": 2}
    assert activity.own_reactions is not None
    assert [r["user_id"] for r in activity.own_reactions["like"]] == ["alice"]
    assert activity.latest_reactions is not None
    assert len(activity.latest_reactions["like"]) == 2

    plain = await e2e_client.feed("user", "alice").get()
    assert plain.results[0].actor == "SU:alice"
    found = await e2e_client.activities.get([post.id], enrich=True)
    assert isinstance(found.results[0].actor, dict)


async def test_users(e2e_client: AsyncStreamClient) -> None:
    users = e2e_client.users
    alice = await users.add("alice", {"name": "Alice"})
    assert (alice.id, alice.data) == ("alice", {"name": "Alice"})
    with pytest.raises(errors.ConflictError):
        await users.add("alice", {"name": "again"})
    same = await users.add("alice", {"name": "ignored"}, get_or_create=True)
    assert same.data == {"name": "Alice"}
    assert same.created_at == alice.created_at

    await e2e_client.feed("timeline", "bob").follow("user:alice")
    counted = await users.get("alice", with_follow_counts=True)
    assert counted.followers_count == 1
    assert counted.following_count == 0
    updated = await users.update("alice", {"name": "Alice B."})
    assert updated.data == {"name": "Alice B."}
    await users.delete("alice")
    with pytest.raises(errors.DoesNotExistError):
        await users.get("alice")


async def test_collections(e2e_client: AsyncStreamClient) -> None:
    food = e2e_client.collections
    burger = await food.add("food", {"name": "Burger"}, id="burger")
    assert (burger.collection, burger.foreign_id) == ("food", "food:burger")
    generated = await food.add("food", {"name": "Fries"})
    assert len(generated.id) == 36
    with pytest.raises(errors.ConflictError):
        await food.add("food", {"name": "Burger"}, id="burger")
    assert (await food.get("food", "burger")).data == {"name": "Burger"}
    assert (await food.update("food", "burger", {"name": "Cheeseburger"})).data == {
        "name": "Cheeseburger"
    }
    await food.delete("food", "burger")
    with pytest.raises(errors.NotFoundError):
        await food.get("food", "burger")

    upserted = await food.upsert("food", [{"id": f"item-{i}", "n": i} for i in range(3)])
    assert len(upserted.data["food"]) == 3
    selected = await food.select("food", ["item-0", "item-2", "missing"])
    assert sorted(o.id for o in selected.objects) == ["item-0", "item-2"]
    await food.delete_many("food", ["item-0", "item-1"])
    assert [o.id for o in (await food.select("food", ["item-0", "item-2"])).objects] == ["item-2"]


def png(width: int = 40, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_files_and_images(e2e_client: AsyncStreamClient, tmp_path: Path) -> None:
    uploaded = await e2e_client.files.upload(b"hello world", filename="hello.txt")
    assert "hello.txt?" in uploaded.file
    document = tmp_path / "report.txt"
    document.write_bytes(b"x" * 100_000)
    from_path = await e2e_client.files.upload(document)
    assert "report.txt" in from_path.file
    await e2e_client.files.delete(uploaded.file)
    with pytest.raises(errors.NotFoundError):
        await e2e_client.files.delete(uploaded.file)

    image = await e2e_client.images.upload(png(), filename="red.png")
    thumb = await e2e_client.images.process(image.file, w=10, h=10, resize="crop")
    assert thumb.file != image.file
    with pytest.raises(errors.InputError, match="not supported"):
        await e2e_client.images.upload(b"not an image", filename="x.png", content_type="image/png")
    await e2e_client.images.delete(image.file)


async def test_uploaded_file_is_served_back(
    e2e_client: AsyncStreamClient, emulated: Emulated
) -> None:
    uploaded = await e2e_client.files.upload(b"payload", filename="data.bin")
    async with emulated.http() as http:
        assert (await http.get(uploaded.file)).content == b"payload"


OG_PAGE = """<html><head>
<meta property="og:title" content="Stream" />
<meta property="og:type" content="website" />
<meta property="og:description" content="Feeds" />
<meta property="og:image" content="https://example.test/a.png" />
<meta property="og:image:width" content="100" />
</head></html>"""


def og_emulator() -> Emulator:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/none":
            return httpx.Response(200, text="<html></html>")
        return httpx.Response(200, text=OG_PAGE, headers={"content-type": "text/html"})

    return new_emulator(EmulatorConfig(og_transport=httpx.MockTransport(serve)))


async def check_open_graph(client: AsyncStreamClient) -> None:
    og = await client.og("https://example.test/page")
    assert (og.title, og.type, og.description) == ("Stream", "website", "Feeds")
    assert [(i.image, i.width) for i in og.images] == [("https://example.test/a.png", "100")]
    # api-semantics.md, section 4: the detail of an Open Graph miss
    with pytest.raises(errors.InputError) as info:
        await client.og("https://example.test/none")
    assert info.value.detail == "couldn't find og data for the provided url"


async def test_open_graph_in_process() -> None:
    await check_open_graph(client_for(og_emulator()))


@pytest.mark.socket
async def test_open_graph_over_a_socket() -> None:
    """The emulator fetches pages through a mock transport: no network, even over a socket."""
    with serve_emulator(og_emulator()) as server:
        async with server.client() as client:
            await check_open_graph(client)


async def test_analytics_and_personalization(
    e2e_client: AsyncStreamClient, emulated: Emulated
) -> None:
    await e2e_client.track_engagements(
        [{"label": "click", "content": {"foreign_id": "post:1"}, "user_data": "alice"}]
    )
    await e2e_client.track_impressions([{"content_list": ["post:1"], "user_data": "alice"}])
    assert len(emulated.emulator.store.analytics_events) == 2
    recommended = await e2e_client.personalization.get("follow_recommendations", user_id="a")
    assert recommended.results == []
    await e2e_client.personalization.post("object_metadata", data={"tags": ["x"]})
    await e2e_client.personalization.delete("object_metadata", foreign_id="food:1")


async def test_client_side_user_token(e2e_client: AsyncStreamClient, emulated: Emulated) -> None:
    post = await a_post(e2e_client)
    token = e2e_client.create_user_token("bob")
    async with emulated.client(api_secret=None, token=token) as bob:
        like = await bob.reactions.add("like", post)
        assert like.user_id == "bob"
        item = await bob.collections.add("food", {"name": "Soup"})
        assert item.data == {"name": "Soup"}
        # Stream's default policies: user feeds are global read, timelines private
        assert [a.id for a in (await bob.feed("user", "alice").get()).results] == [post]
        with pytest.raises(errors.NotAllowedError):
            await bob.feed("timeline", "alice").get()
