"""Stream's default client-side policies, row by row of the client-side policies note
(user tokens: alice, bob, carl; statuses, codes and texts as the note gives them), and the
feed-group modes that change them."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio
from PIL import Image

from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.emulator.config import FeedGroupConfig, default_feed_groups
from tests.emulator.conftest import Api, error, ok, token

pytestmark = pytest.mark.asyncio

ALICE = token(user_id="alice")
BOB = token(user_id="bob")
CARL = token(user_id="carl")

DENIED_DETAIL = (
    "You do not have permission to do this, you got this error because there are no policies "
    "allowing this request on this application. Please consult the documentation "
    "https://getstream.io/docs/"
)
"""Note §1: the live server's policy denial text."""


def denied(response: httpx.Response) -> None:
    """Note §1: 403, code 17, ``NotAllowedException`` and the long permission text."""
    body = error(response, 403, 17)
    assert body["exception"] == "NotAllowedException"
    assert body["detail"] == DENIED_DETAIL


def post(actor: str = "SU:alice", **fields: Any) -> dict[str, Any]:
    return {"actor": actor, "verb": "post", "object": "note:1", **fields}


async def add(api: Api, feed: str, auth: str, **fields: Any) -> httpx.Response:
    actor = fields.pop("actor", f"SU:{_user_of(auth)}")
    path = f"feed/{feed.replace(':', '/')}/"
    return await api.request("POST", path, json=post(actor, **fields), auth=auth)


def _user_of(auth: str) -> str:
    return {ALICE: "alice", BOB: "bob", CARL: "carl"}[auth]


async def read(api: Api, feed: str, auth: str, **params: Any) -> httpx.Response:
    return await api.request(
        "GET", f"enrich/feed/{feed.replace(':', '/')}/", params=params, auth=auth
    )


def png(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(buffer, format="JPEG")
    return buffer.getvalue()


# -- §2 / §3.1 feeds and activities ---------------------------------------------------------


async def test_own_user_feed_reads_empty_and_takes_adds(api: Api) -> None:
    assert ok(await read(api, "user:alice", ALICE))["results"] == []
    added = ok(await add(api, "user:alice", ALICE), 201)
    assert added["actor"] == "SU:alice"
    page = ok(await read(api, "user:alice", ALICE, id_lte=added["id"], id_gte=added["id"], limit=1))
    assert [item["id"] for item in page["results"]] == [added["id"]]


async def test_own_feeds_of_every_group_are_readable_and_writable(api: Api) -> None:
    for group in ("user", "timeline", "flat", "topic", "aggregated", "notification"):
        ok(await add(api, f"{group}:alice", ALICE), 201)
        assert ok(await read(api, f"{group}:alice", ALICE))["results"], group


async def test_other_users_user_feed_is_readable_with_the_readers_own_reactions(
    api: Api,
) -> None:
    added = ok(await add(api, "user:alice", ALICE), 201)
    like = {"kind": "like", "activity_id": added["id"]}
    ok(await api.request("POST", "reaction/", json=like, auth=BOB), 201)
    flags = {
        "withOwnReactions": "true",
        "withRecentReactions": "true",
        "withReactionCounts": "true",
    }
    as_bob = ok(await read(api, "user:alice", BOB, **flags))["results"][0]
    assert [r["user_id"] for r in as_bob["own_reactions"]["like"]] == ["bob"]
    assert as_bob["reaction_counts"] == {"like": 1}
    as_carl = ok(await read(api, "user:alice", CARL, **flags))["results"][0]
    assert as_carl["own_reactions"] == {}
    ok(await read(api, "user:alice", BOB, withScoreVars="true", limit=4, offset=2))
    # plain (not enriched) reads follow the same rule
    ok(await api.request("GET", "feed/user/alice/", auth=BOB))


async def test_other_users_timeline_and_notification_are_private(api: Api) -> None:
    denied(await read(api, "timeline:alice", BOB))
    denied(await api.request("GET", "feed/timeline/alice/", auth=BOB))
    denied(await read(api, "notification:alice", BOB))
    denied(await read(api, "aggregated:alice", BOB))


async def test_own_notification_feed_reads_with_marks(api: Api) -> None:
    page = ok(await read(api, "notification:alice", ALICE, mark_seen="true", mark_read="true"))
    assert (page["unseen"], page["unread"]) == (0, 0)


async def test_actor_must_be_the_token_user(api: Api) -> None:
    denied(await add(api, "user:alice", ALICE, actor="SU:bob"))
    # forms the live tests do not cover: refused too (a documented choice)
    denied(await add(api, "user:alice", ALICE, actor="alice"))
    denied(await add(api, "user:alice", ALICE, actor="user:1"))
    batch = {"activities": [post(), post("SU:bob")]}
    denied(await api.request("POST", "feed/user/alice/", json=batch, auth=ALICE))
    assert ok(await read(api, "user:alice", ALICE))["results"] == []
    ok(
        await api.request("POST", "feed/user/alice/", json={"activities": [post()]}, auth=ALICE),
        201,
    )


async def test_other_users_feeds_cannot_be_written_directly(api: Api) -> None:
    denied(await add(api, "timeline:bob", ALICE))
    denied(await add(api, "user:bob", ALICE))
    # global write opens notification feeds to to/target_feeds, not to direct adds
    denied(await add(api, "notification:bob", ALICE))


async def test_to_targets(api: Api) -> None:
    denied(await add(api, "user:alice", ALICE, to=["timeline:123"]))
    denied(await add(api, "user:alice", ALICE, to=["user:123"]))
    added = ok(await add(api, "user:alice", ALICE, to=["notification:123"]), 201)
    assert added["to"] == ["notification:123"]
    ok(await add(api, "user:alice", ALICE, to=["timeline:alice", "notification:alice"]), 201)
    # validation comes first: a string is a 400 even when it names a forbidden feed
    error(await add(api, "user:alice", ALICE, to="abc"), 400, 4)
    error(await add(api, "user:alice", ALICE, to="timeline:123"), 400, 4)
    assert len(ok(await api.request("GET", "feed/notification/123/"))["results"]) == 1


async def test_delete_own_even_unknown_but_not_others(api: Api) -> None:
    ok(await api.request("DELETE", f"feed/user/alice/{uuid.uuid4()}/", json={}, auth=ALICE))
    added = ok(await add(api, "user:bob", BOB), 201)
    denied(await api.request("DELETE", f"feed/user/bob/{added['id']}/", json={}, auth=ALICE))
    assert len(ok(await read(api, "user:bob", BOB))["results"]) == 1
    ok(await api.request("DELETE", f"feed/user/bob/{added['id']}/", json={}, auth=BOB))


async def test_activity_reads_by_id_and_foreign_id(api: Api) -> None:
    own = ok(
        await add(api, "user:alice", ALICE, foreign_id="post:1", time="2026-01-01T00:00:00"), 201
    )
    other = ok(await add(api, "timeline:bob", BOB), 201)
    for path in ("enrich/activities/", "activities/"):
        page = ok(await api.request("GET", path, params={"ids": own["id"]}, auth=ALICE))
        assert [item["id"] for item in page["results"]] == [own["id"]]
    flags = {"ids": own["id"], "withReactionCounts": "true", "withOwnReactions": "true"}
    ok(await api.request("GET", "enrich/activities/", params=flags, auth=ALICE))
    # untested live; allowed (reads are not owner-checked)
    page = ok(await api.request("GET", "activities/", params={"ids": other["id"]}, auth=ALICE))
    assert len(page["results"]) == 1
    by_foreign = {"foreign_ids": "post:1", "timestamps": "2026-01-01T00:00:00"}
    page = ok(await api.request("GET", "activities/", params=by_foreign, auth=BOB))
    assert [item["id"] for item in page["results"]] == [own["id"]]


async def test_partial_update_only_of_own_activities(api: Api) -> None:
    own = ok(await add(api, "user:alice", ALICE), 201)
    other = ok(await add(api, "user:bob", BOB), 201)
    change = {"id": own["id"], "set": {"text": "hi"}}
    assert ok(await api.request("POST", "activity/", json=change, auth=ALICE), 201)["text"] == "hi"
    denied(await api.request("POST", "activity/", json={**change, "id": other["id"]}, auth=ALICE))
    steal = {"id": own["id"], "set": {"actor": "SU:bob"}}
    denied(await api.request("POST", "activity/", json=steal, auth=ALICE))
    batch = {"changes": [change, {"id": other["id"], "set": {"text": "x"}}]}
    denied(await api.request("POST", "activity/", json=batch, auth=ALICE))
    assert "text" not in ok(await read(api, "user:bob", BOB))["results"][0]
    # 404 before 403
    unknown = {"id": str(uuid.uuid4()), "set": {"text": "x"}}
    error(await api.request("POST", "activity/", json=unknown, auth=ALICE), 404, 16)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("activities/", {"activities": [post(foreign_id="f:1", time="2026-01-01T00:00:00")]}),
        ("feed/add_to_many/", {"feeds": ["user:alice"], "activity": post()}),
        ("follow_many/", [{"source": "timeline:alice", "target": "user:bob"}]),
        ("unfollow_many/", [{"source": "timeline:alice", "target": "user:bob"}]),
        ("collections/", {"data": {"food": [{"id": "1", "name": "soup"}]}}),
    ],
)
async def test_server_only_batch_calls(api: Api, path: str, body: Any) -> None:
    denied(await api.request("POST", path, json=body, auth=ALICE))


async def test_collections_batch_reads_and_deletes_are_server_only(api: Api) -> None:
    select = {"foreign_ids": "food:1"}
    denied(await api.request("GET", "collections/", params=select, auth=ALICE))
    remove = {"collection_name": "food", "ids": "1"}
    denied(await api.request("DELETE", "collections/", params=remove, json={}, auth=ALICE))


async def test_to_target_updates_follow_the_write_and_target_rules(api: Api) -> None:
    ok(await add(api, "user:alice", ALICE, foreign_id="f:1", time="2026-01-01T00:00:00"), 201)
    change = {"foreign_id": "f:1", "time": "2026-01-01T00:00:00"}
    path = "feed_targets/user/alice/activity_to_targets/"
    done = ok(
        await api.request(
            "POST", path, json={**change, "added_targets": ["notification:bob"]}, auth=ALICE
        ),
        201,
    )
    assert done["added"] == ["notification:bob"]
    denied(
        await api.request(
            "POST", path, json={**change, "added_targets": ["timeline:bob"]}, auth=ALICE
        )
    )
    denied(
        await api.request("POST", path, json={**change, "new_targets": ["user:bob"]}, auth=ALICE)
    )
    ok(await add(api, "user:bob", BOB, foreign_id="f:1", time="2026-01-01T00:00:00"), 201)
    other = "feed_targets/user/bob/activity_to_targets/"
    denied(
        await api.request("POST", other, json={**change, "new_targets": ["user:bob"]}, auth=ALICE)
    )


# -- §3.2 follows -------------------------------------------------------------------------


async def test_follow_from_own_feeds(api: Api) -> None:
    posted = ok(await add(api, "user:bob", BOB), 201)
    follow = {"target": "user:bob"}
    ok(await api.request("POST", "feed/timeline/alice/following/", json=follow, auth=ALICE), 201)
    copied = ok(await read(api, "timeline:alice", ALICE))["results"]
    assert [item["id"] for item in copied] == [posted["id"]]
    for source, target in [
        ("user:alice", "timeline:bob"),
        ("user:alice", "user:carl"),
        ("timeline:alice", "timeline:carl"),
        ("notification:alice", "user:carl"),
    ]:
        path = f"feed/{source.replace(':', '/')}/following/"
        ok(await api.request("POST", path, json={"target": target}, auth=ALICE), 201)
    denied(
        await api.request(
            "POST", "feed/timeline/bob/following/", json={"target": "user:alice"}, auth=ALICE
        )
    )
    denied(
        await api.request(
            "POST", "feed/timeline/bob/follows/", json={"target": "user:alice"}, auth=ALICE
        )
    )


async def test_unfollow_from_own_feeds_only(api: Api) -> None:
    await api.follow("timeline:bob", "user:alice")
    denied(
        await api.request("DELETE", "feed/timeline/bob/following/user:alice/", json={}, auth=ALICE)
    )
    ok(await api.request("DELETE", "feed/timeline/bob/following/user:alice/", json={}, auth=BOB))


async def test_follower_lists_of_own_feeds_only(api: Api) -> None:
    for reader in ("bob", "carl", "dave"):
        await api.follow(f"timeline:{reader}", "user:alice")
        await api.follow("timeline:alice", f"user:{reader}")
    followers = ok(await api.request("GET", "feed/user/alice/followers/", auth=ALICE))
    assert len(followers["results"]) == 3
    following = ok(await api.request("GET", "feed/timeline/alice/following/", auth=ALICE))
    assert len(following["results"]) == 3
    denied(await api.request("GET", "feed/timeline/bob/followers/", auth=ALICE))
    denied(await api.request("GET", "feed/user/bob/following/", auth=ALICE))
    denied(await api.request("GET", "feed/user/bob/followers/", auth=ALICE))


async def test_follow_stats_take_user_tokens(api: Api) -> None:
    await api.follow("timeline:alice", "user:bob")
    own = {"followers": "timeline:alice", "following": "timeline:alice"}
    stats = ok(await api.request("GET", "stats/follow/", params=own, auth=ALICE))["results"]
    assert (stats["followers"]["count"], stats["following"]["count"]) == (0, 1)
    slugs = {**own, "followers_slugs": "timeline", "following_slugs": "user,timeline"}
    ok(await api.request("GET", "stats/follow/", params=slugs, auth=ALICE))
    others = {"followers": "user:bob", "following": "timeline:bob"}
    stats = ok(await api.request("GET", "stats/follow/", params=others, auth=ALICE))["results"]
    assert stats["followers"]["count"] == 1


# -- §3.3 reactions -------------------------------------------------------------------------


async def test_reaction_adds_act_as_the_token_user(api: Api) -> None:
    own = ok(await add(api, "user:alice", ALICE), 201)
    other = ok(await add(api, "user:bob", BOB), 201)
    for activity in (own, other):
        body = {"kind": "like", "activity_id": activity["id"], "data": {"a": 1}}
        added = ok(await api.request("POST", "reaction/", json=body, auth=ALICE), 201)
        assert added["user_id"] == "alice"


async def test_foreign_user_id_in_a_reaction_is_400(api: Api) -> None:
    body = {"user_id": "bob", "kind": "like", "activity_id": str(uuid.uuid4())}
    answer = error(await api.request("POST", "reaction/", json=body, auth=ALICE), 400, 4)
    assert answer["exception"] == "InputException"


async def test_reaction_target_feeds(api: Api) -> None:
    unknown = {"kind": "like", "activity_id": str(uuid.uuid4()), "target_feeds": ["timeline:123"]}
    denied(await api.request("POST", "reaction/", json=unknown, auth=ALICE))
    denied(
        await api.request(
            "POST", "reaction/", json={**unknown, "target_feeds": ["user:bob"]}, auth=ALICE
        )
    )
    activity = ok(await add(api, "user:bob", BOB), 201)
    body = {
        "kind": "comment",
        "activity_id": activity["id"],
        "target_feeds": ["user:alice", "notification:bob"],
        "target_feeds_extra_data": {"text": "hi"},
    }
    added = ok(await api.request("POST", "reaction/", json=body, auth=ALICE), 201)
    notified = ok(await read(api, "notification:bob", BOB))["results"]
    assert notified[0]["activities"][0]["text"] == "hi"
    path = f"reaction/{added['id']}/"
    denied(await api.request("PUT", path, json={"target_feeds": ["timeline:bob"]}, auth=ALICE))
    ok(
        await api.request("PUT", path, json={"target_feeds": ["notification:carl"]}, auth=ALICE),
        201,
    )


async def test_reaction_children_and_reads(api: Api) -> None:
    activity = ok(await add(api, "user:alice", ALICE), 201)
    body = {"kind": "comment", "activity_id": activity["id"]}
    parent = ok(await api.request("POST", "reaction/", json=body, auth=BOB), 201)
    child = {"kind": "like", "parent": parent["id"]}
    ok(await api.request("POST", "reaction/", json=child, auth=ALICE), 201)
    bad_parent = {"kind": "like", "parent": str(uuid.uuid4())}
    error(await api.request("POST", "reaction/", json=bad_parent, auth=ALICE), 400, 4)
    ok(await api.request("GET", f"reaction/{parent['id']}/", auth=CARL))
    for path in (
        f"reaction/activity_id/{activity['id']}/",
        f"reaction/activity_id/{activity['id']}/comment/",
        f"reaction/reaction_id/{parent['id']}/like/",
        "reaction/user_id/bob/",
    ):
        assert ok(await api.request("GET", path, auth=CARL))["results"], path


async def test_reaction_changes_by_their_creator_only(api: Api) -> None:
    activity = ok(await add(api, "user:alice", ALICE), 201)
    mine = ok(
        await api.request(
            "POST", "reaction/", json={"kind": "like", "activity_id": activity["id"]}, auth=ALICE
        ),
        201,
    )
    path = f"reaction/{mine['id']}/"
    ok(await api.request("PUT", path, json={"data": {"x": 1}}, auth=ALICE), 201)
    denied(await api.request("PUT", path, json={"data": {"x": 2}}, auth=BOB))
    denied(await api.request("DELETE", path, json={}, auth=BOB))
    # created server-side for bob: alice may not delete it
    bobs = await api.react(activity["id"], user_id="bob")
    denied(await api.request("DELETE", f"reaction/{bobs['id']}/", json={}, auth=ALICE))
    ok(await api.request("DELETE", path, params={"soft": "true"}, json={}, auth=ALICE))
    restored = await api.request("PUT", f"{path}restore/", auth=ALICE)
    assert restored.is_success
    ok(await api.request("DELETE", path, json={}, auth=ALICE))
    # hard-deleted: 404 to a non-owner, not 403
    error(await api.request("GET", path, auth=BOB), 404, 16)
    error(await api.request("PUT", path, json={"data": {}}, auth=BOB), 404, 16)
    error(await api.request("DELETE", path, json={}, auth=BOB), 404, 16)


async def test_reaction_id_conflicts_and_bad_data(api: Api) -> None:
    body = {"kind": "like", "activity_id": "a1", "id": "r1"}
    ok(await api.request("POST", "reaction/", json=body, auth=ALICE), 201)
    error(await api.request("POST", "reaction/", json=body, auth=ALICE), 409, 22)
    error(
        await api.request(
            "POST", "reaction/", json={**body, "id": "r2", "data": "some string"}, auth=ALICE
        ),
        400,
        4,
    )


# -- §3.4 users ---------------------------------------------------------------------------


async def test_users(api: Api) -> None:
    error(await api.request("GET", "user/alice/", auth=ALICE), 404, 16)
    body = {"id": "alice", "data": {"name": "Alice"}}
    created = ok(
        await api.request("POST", "user/", params={"get_or_create": "true"}, json=body, auth=ALICE),
        201,
    )
    again = {"id": "alice", "data": {"name": "changed"}}
    kept = ok(
        await api.request(
            "POST", "user/", params={"get_or_create": "true"}, json=again, auth=ALICE
        ),
        201,
    )
    assert kept == created
    error(await api.request("POST", "user/", json={"id": "alice"}, auth=ALICE), 409, 22)
    denied(await api.request("POST", "user/", json={"id": "bob"}, auth=ALICE))
    denied(
        await api.request(
            "POST", "user/", params={"get_or_create": "true"}, json={"id": "bob"}, auth=ALICE
        )
    )
    ok(await api.request("POST", "user/", json={"id": "bob"}, auth=BOB), 201)
    counted = ok(
        await api.request("GET", "user/bob/", params={"with_follow_counts": "true"}, auth=ALICE)
    )
    assert (counted["followers_count"], counted["following_count"]) == (0, 0)
    updated = ok(await api.request("PUT", "user/alice/", json={"data": {"a": 1}}, auth=ALICE), 201)
    assert updated["updated_at"] != created["updated_at"]
    error(await api.request("PUT", "user/alice/", json={"data": "some string"}, auth=ALICE), 400, 4)
    denied(await api.request("PUT", "user/bob/", json={"data": {}}, auth=ALICE))
    denied(await api.request("DELETE", "user/bob/", json={}, auth=ALICE))
    ok(await api.request("DELETE", "user/alice/", json={}, auth=ALICE))
    error(await api.request("GET", "user/alice/", auth=ALICE), 404, 16)


# -- §3.5 collections -----------------------------------------------------------------------


async def test_collection_objects(api: Api) -> None:
    ok(
        await api.request("POST", "collections/food/", json={"data": {"name": "soup"}}, auth=ALICE),
        201,
    )
    body = {"id": "cheese", "data": {"name": "cheese"}}
    added = ok(await api.request("POST", "collections/food/", json=body, auth=ALICE), 201)
    assert ok(await api.request("GET", "collections/food/cheese/", auth=BOB)) == ok(
        await api.request("GET", "collections/food/cheese/", auth=ALICE)
    )
    assert added["id"] == "cheese"
    # 409 for the owner and for anyone else, before any ownership check
    error(await api.request("POST", "collections/food/", json=body, auth=ALICE), 409, 22)
    error(await api.request("POST", "collections/food/", json=body, auth=BOB), 409, 22)
    ok(
        await api.request("PUT", "collections/food/cheese/", json={"data": {"a": 1}}, auth=ALICE),
        201,
    )
    denied(await api.request("PUT", "collections/food/cheese/", json={"data": {"a": 2}}, auth=BOB))
    error(
        await api.request(
            "PUT", "collections/food/cheese/", json={"id": 1234, "data": {"a": 1}}, auth=ALICE
        ),
        400,
        4,
    )
    denied(await api.request("DELETE", "collections/food/cheese/", json={}, auth=BOB))
    ok(await api.request("DELETE", "collections/food/cheese/", json={}, auth=ALICE))
    error(await api.request("GET", "collections/food/cheese/", auth=BOB), 404, 16)
    error(
        await api.request("POST", "collections/food/", json={"data": "string"}, auth=ALICE), 400, 4
    )
    error(await api.request("POST", "collections/food/", json={"data": {}}, auth=ALICE), 400, 4)


# -- §3.6 files, images, Open Graph ---------------------------------------------------------


async def test_files(api: Api) -> None:
    files = {"file": ("a.txt", b"x", "text/plain")}
    mine = ok(await api.request("POST", "files/", files=files, auth=ALICE), 201)["file"]
    bobs = ok(await api.request("POST", "files/", files=files, auth=BOB), 201)["file"]
    denied(await api.request("DELETE", "files/", params={"url": bobs}, json={}, auth=ALICE))
    ok(await api.request("DELETE", "files/", params={"url": mine}, json={}, auth=ALICE))
    error(await api.request("DELETE", "files/", params={"url": mine}, json={}, auth=ALICE), 404, 16)


async def test_images(api: Api) -> None:
    image = {"file": ("a.jpg", png(), "image/jpeg")}
    mine = ok(await api.request("POST", "images/", files=image, auth=ALICE), 201)["file"]
    text = {"file": ("a.txt", b"not an image", "text/plain")}
    error(await api.request("POST", "images/", files=text, auth=ALICE), 400, 4)
    sized = {"url": mine, "w": "10", "h": "10", "crop": "top", "resize": "crop"}
    ok(await api.request("GET", "images/", params=sized, auth=ALICE))
    error(await api.request("GET", "images/", params={**sized, "w": "-1"}, auth=ALICE), 400, 4)
    # bob crops alice's image: 403
    denied(await api.request("GET", "images/", params=sized, auth=BOB))
    denied(await api.request("DELETE", "images/", params={"url": mine}, json={}, auth=BOB))
    ok(await api.request("DELETE", "images/", params={"url": mine}, json={}, auth=ALICE))
    error(
        await api.request("DELETE", "images/", params={"url": mine}, json={}, auth=ALICE), 404, 16
    )
    error(await api.request("GET", "images/", params=sized, auth=BOB), 404, 16)


async def test_server_uploads_are_anyones_to_process(api: Api) -> None:
    image = {"file": ("a.jpg", png(), "image/jpeg")}
    url = ok(await api.request("POST", "images/", files=image), 201)["file"]
    ok(await api.request("GET", "images/", params={"url": url, "w": "5"}, auth=BOB))


async def test_open_graph(api: Api) -> None:
    ok(await api.request("GET", "og/", params={"url": "https://example.test/a"}, auth=ALICE))


# -- §1 order of checks: 400, 404 and 409 before the policy 403 (rule 7) --------------------


async def test_feed_reads_validate_before_the_read_policy(api: Api) -> None:
    for params in (
        {"rankingVars": "[1]"},
        {"ranking_vars": "not json"},
        {"limit": "abc"},
        {"offset": "-1"},
        {"id_lt": "not-an-id"},
        {"discard_deleted_activities": "maybe"},
        {"withOwnReactions": "maybe"},
    ):
        error(await read(api, "timeline:bob", ALICE, **params), 400, 4)
    error(
        await api.request("GET", "feed/timeline/bob/", params={"limit": "abc"}, auth=ALICE),
        400,
        4,
    )
    denied(await read(api, "timeline:bob", ALICE, rankingVars='{"a": 1}', limit="5"))


async def test_follower_lists_validate_before_the_ownership_check(api: Api) -> None:
    for path in ("feed/timeline/bob/followers/", "feed/user/bob/following/"):
        for params in ({"limit": "abc"}, {"offset": "x"}):
            error(await api.request("GET", path, params=params, auth=ALICE), 400, 4)
        denied(await api.request("GET", path, params={"limit": "5"}, auth=ALICE))


async def test_feed_writes_validate_before_the_ownership_check(api: Api) -> None:
    added = ok(await add(api, "user:bob", BOB), 201)
    path = f"feed/user/bob/{added['id']}/"
    bad = {"foreign_id": "maybe"}
    error(await api.request("DELETE", path, params=bad, json={}, auth=ALICE), 400, 4)
    unfollow = "feed/timeline/bob/following/user:alice/"
    keep = {"keep_history": "maybe"}
    error(await api.request("DELETE", unfollow, params=keep, json={}, auth=ALICE), 400, 4)
    follow = "feed/timeline/bob/following/"
    error(await api.request("POST", follow, json={"target": "nope"}, auth=ALICE), 400, 4)
    copy = {"target": "user:alice", "activity_copy_limit": 5000}
    error(await api.request("POST", follow, json=copy, auth=ALICE), 400, 4)
    missing_object = {"actor": "SU:alice", "verb": "post"}
    error(await api.request("POST", "feed/user/bob/", json=missing_object, auth=ALICE), 400, 4)
    assert len(ok(await read(api, "user:bob", BOB))["results"]) == 1


async def test_to_target_updates_answer_404_and_400_before_403(api: Api) -> None:
    change = {"foreign_id": "f:1", "time": "2026-01-01T00:00:00", "new_targets": ["user:bob"]}
    other = "feed_targets/timeline/bob/activity_to_targets/"
    # no such activity in bob's feed: 404, although alice may not write to it
    error(await api.request("POST", other, json=change, auth=ALICE), 404, 16)
    ok(await add(api, "timeline:bob", BOB, foreign_id="f:1", time="2026-01-01T00:00:00"), 201)
    error(await api.request("POST", other, json={**change, "new_targets": "x"}, auth=ALICE), 400, 4)
    no_foreign_id = {"time": change["time"], "new_targets": ["user:bob"]}
    error(await api.request("POST", other, json=no_foreign_id, auth=ALICE), 400, 4)
    denied(await api.request("POST", other, json=change, auth=ALICE))
    # own feed, unknown activity: 404 before the forbidden target
    own = "feed_targets/user/alice/activity_to_targets/"
    forbidden = {**change, "new_targets": ["timeline:bob"]}
    error(await api.request("POST", own, json=forbidden, auth=ALICE), 404, 16)


async def test_partial_updates_answer_404_and_400_before_403(api: Api) -> None:
    other = ok(await add(api, "user:bob", BOB), 201)
    unknown = {"id": str(uuid.uuid4()), "set": {"text": "x"}}
    batch = {"changes": [{"id": other["id"], "set": {"text": "x"}}, unknown]}
    error(await api.request("POST", "activity/", json=batch, auth=ALICE), 404, 16)
    through_a_string = {"id": other["id"], "set": {"object.part": 1}}
    error(await api.request("POST", "activity/", json=through_a_string, auth=ALICE), 400, 4)
    bad_set = {"id": other["id"], "set": "text"}
    error(await api.request("POST", "activity/", json=bad_set, auth=ALICE), 400, 4)
    denied(await api.request("POST", "activity/", json={**unknown, "id": other["id"]}, auth=ALICE))


async def test_reaction_changes_answer_400_and_404_before_403(api: Api) -> None:
    activity = ok(await add(api, "user:alice", ALICE), 201)
    body = {"kind": "like", "activity_id": activity["id"]}
    mine = ok(await api.request("POST", "reaction/", json=body, auth=ALICE), 201)
    path = f"reaction/{mine['id']}/"
    for change in (
        {"data": "str"},
        {"target_feeds": "timeline:bob"},
        {"target_feeds_extra_data": "str"},
        {"target_feeds": ["user:bob"], "target_feeds_extra_data": {"target": {"a": 1}}},
    ):
        error(await api.request("PUT", path, json=change, auth=BOB), 400, 4)
    error(await api.request("PUT", path, content=b"not json", auth=BOB), 400, 4)
    soft = {"soft": "maybe"}
    error(await api.request("DELETE", path, params=soft, json={}, auth=BOB), 400, 4)
    # a live reaction has nothing to restore: 404 to its owner and to anyone else
    error(await api.request("PUT", f"{path}restore/", auth=ALICE), 404, 16)
    error(await api.request("PUT", f"{path}restore/", auth=BOB), 404, 16)
    ok(await api.request("DELETE", path, params={"soft": "true"}, json={}, auth=ALICE))
    denied(await api.request("PUT", f"{path}restore/", auth=BOB))
    denied(await api.request("PUT", path, json={"data": {"x": 1}}, auth=BOB))
    # a forbidden target with bad extra data is a 400 on add too
    extra = {"target": {"a": 1}}
    add_body = {**body, "target_feeds": ["timeline:bob"], "target_feeds_extra_data": extra}
    error(await api.request("POST", "reaction/", json=add_body, auth=ALICE), 400, 4)
    reaction = ok(await api.request("GET", path, auth=BOB))
    assert reaction["data"] == {}


async def test_user_writes_answer_400_404_and_409_before_403(api: Api) -> None:
    ok(await api.request("POST", "user/", json={"id": "bob"}, auth=BOB), 201)
    error(await api.request("POST", "user/", json={"id": "bob"}, auth=ALICE), 409, 22)
    error(await api.request("POST", "user/", json={"id": 123}, auth=ALICE), 400, 4)
    error(await api.request("POST", "user/", json={"id": "carl", "data": "s"}, auth=ALICE), 400, 4)
    denied(await api.request("POST", "user/", json={"id": "carl"}, auth=ALICE))
    error(await api.request("PUT", "user/bob/", json={"data": "str"}, auth=ALICE), 400, 4)
    error(await api.request("PUT", "user/nobody/", json={"data": {}}, auth=ALICE), 404, 16)
    error(await api.request("DELETE", "user/nobody/", json={}, auth=ALICE), 404, 16)
    # a user token may leave the id out: it is the token's user
    created = ok(await api.request("POST", "user/", json={"data": {"a": 1}}, auth=ALICE), 201)
    assert created["id"] == "alice"


async def test_collection_updates_answer_400_and_404_before_403(api: Api) -> None:
    body = {"id": "cheese", "data": {"name": "cheese"}}
    ok(await api.request("POST", "collections/food/", json=body, auth=ALICE), 201)
    path = "collections/food/cheese/"
    error(await api.request("PUT", path, json={"data": "str"}, auth=BOB), 400, 4)
    error(await api.request("PUT", path, json={"data": {}}, auth=BOB), 400, 4)
    error(await api.request("PUT", path, json={"id": "x", "data": {"a": 1}}, auth=BOB), 400, 4)
    error(await api.request("PUT", "collections/food/nope/", json=body, auth=BOB), 404, 16)
    error(await api.request("DELETE", "collections/food/nope/", json={}, auth=BOB), 404, 16)
    denied(await api.request("PUT", path, json={"data": {"a": 1}}, auth=BOB))


async def test_image_processing_validates_before_the_ownership_check(api: Api) -> None:
    image = {"file": ("a.jpg", png(), "image/jpeg")}
    mine = ok(await api.request("POST", "images/", files=image, auth=ALICE), 201)["file"]
    text = {"file": ("a.txt", b"x", "text/plain")}
    not_an_image = ok(await api.request("POST", "files/", files=text, auth=ALICE), 201)["file"]
    for params in (
        {"url": mine, "w": "-1"},
        {"url": mine, "h": "5000"},
        {"url": mine, "resize": "stretch"},
        {"url": mine, "crop": "middle"},
        {"url": not_an_image, "w": "5"},
    ):
        error(await api.request("GET", "images/", params=params, auth=BOB), 400, 4)
    error(await api.request("GET", "images/", params={"w": "5"}, auth=BOB), 400, 4)
    denied(await api.request("GET", "images/", params={"url": mine, "w": "5"}, auth=BOB))


# -- §3.6 personalized enriched feed (more-endpoints §5) --------------------------------------

PERSONALIZED = "enrich/personalization/feed/"


async def test_personalized_feed_of_oneself(api: Api) -> None:
    for params in (
        {"feed_slug": "timeline"},
        {"feed_slug": "timeline", "user_id": "alice", "endpoint": "personalized_feed"},
        {"user_id": "alice", "limit": "5", "offset": "2", "withOwnReactions": "true"},
    ):
        page = ok(await api.request("GET", PERSONALIZED, params=params, auth=ALICE))
        assert (page["results"], page["version"], page["next"]) == ([], "", "")
        assert set(page) == {"results", "limit", "offset", "version", "next"}
    assert (page["limit"], page["offset"]) == (5, 2)
    unknown = {"feed_slug": "timeline", "endpoint": "not_existing"}
    error(await api.request("GET", PERSONALIZED, params=unknown, auth=ALICE), 404, 16)


async def test_personalized_feed_of_another_user_is_denied(api: Api) -> None:
    other = {"feed_slug": "timeline", "user_id": "bob"}
    denied(await api.request("GET", PERSONALIZED, params=other, auth=ALICE))
    # 400 and 404 first
    error(
        await api.request("GET", PERSONALIZED, params={**other, "limit": "x"}, auth=ALICE), 400, 4
    )
    missing = {**other, "endpoint": "not_existing"}
    error(await api.request("GET", PERSONALIZED, params=missing, auth=ALICE), 404, 16)


async def test_personalized_feed_with_server_tokens(api: Api) -> None:
    params = {"feed_slug": "timeline", "user_id": "bob"}
    ok(await api.request("GET", PERSONALIZED, params=params))
    scoped = token(resource="personalization", action="read", feed_id="*")
    ok(await api.request("GET", PERSONALIZED, params=params, auth=scoped))
    writer = token(resource="personalization", action="write", feed_id="*")
    denied(await api.request("GET", PERSONALIZED, params=params, auth=writer))
    feeds = token(resource="feed", action="read", feed_id="*")
    denied(await api.request("GET", PERSONALIZED, params=params, auth=feeds))
    error(await api.request("GET", PERSONALIZED, params={"feed_slug": "timeline"}), 400, 4)


# -- feed-group modes --------------------------------------------------------------------------


def _emulator(**modes: str) -> Emulator:
    groups = dict(default_feed_groups())
    for name, mode in modes.items():
        kind = groups[name].kind if name in groups else "flat"
        groups[name] = FeedGroupConfig(kind, mode=mode)  # type: ignore[arg-type]
    return Emulator(EmulatorConfig(feed_groups=groups))


@pytest_asyncio.fixture
async def moded(request: pytest.FixtureRequest) -> Any:
    emulator = _emulator(**request.param)
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        yield Api(client)


@pytest.mark.parametrize("moded", [{"notification": "private"}], indirect=True)
async def test_private_notification_group_refuses_targets(moded: Api) -> None:
    denied(await add(moded, "user:alice", ALICE, to=["notification:bob"]))
    reaction = {"kind": "like", "activity_id": "a1", "target_feeds": ["notification:bob"]}
    denied(await moded.request("POST", "reaction/", json=reaction, auth=ALICE))
    ok(await add(moded, "user:alice", ALICE, to=["notification:alice"]), 201)


@pytest.mark.parametrize("moded", [{"news": "read-write"}], indirect=True)
async def test_read_write_group_is_readable_and_a_target(moded: Api) -> None:
    ok(await add(moded, "user:alice", ALICE, to=["news:bob"]), 201)
    assert len(ok(await read(moded, "news:bob", ALICE))["results"]) == 1
    reaction = {"kind": "like", "activity_id": "a1", "target_feeds": ["news:carl"]}
    ok(await moded.request("POST", "reaction/", json=reaction, auth=ALICE), 201)
    # still not writable directly, nor its follows
    denied(await add(moded, "news:bob", ALICE))
    denied(await moded.request("GET", "feed/news/bob/followers/", auth=ALICE))


@pytest.mark.parametrize("moded", [{"news": "write"}], indirect=True)
async def test_write_group_is_a_target_but_not_readable(moded: Api) -> None:
    ok(await add(moded, "user:alice", ALICE, to=["news:bob"]), 201)
    denied(await read(moded, "news:bob", ALICE))
    assert len(ok(await read(moded, "news:bob", BOB))["results"]) == 1


@pytest.mark.parametrize("moded", [{"timeline": "read", "user": "private"}], indirect=True)
async def test_modes_override_the_defaults(moded: Api) -> None:
    ok(await read(moded, "timeline:bob", ALICE))
    denied(await read(moded, "user:bob", ALICE))
    denied(await add(moded, "user:alice", ALICE, to=["timeline:bob"]))


@pytest.mark.parametrize("moded", [{"news": "private"}], indirect=True)
async def test_server_tokens_ignore_modes(moded: Api) -> None:
    await moded.add("news:bob")
    assert len((await moded.read("news:bob"))["results"]) == 1
    await moded.add("user:alice", to=["news:bob", "timeline:carl"])
