"""Response details the official clients' live tests assert (more-endpoints.md §6-§8):
where ``target_feeds``/``target_feeds_extra_data`` appear, reaction filter ``next``, direct
children counts, ``rankingVars`` validation, the refused image's sniffed type, reaction
filter bounds that name a deleted reaction or none, and feeds of activities sharing a
time."""

from __future__ import annotations

import io
import random
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from stream_async.emulator import Emulator
from stream_async.emulator.handlers.files import sniff_type
from tests.emulator.conftest import Api, error, ids

pytestmark = pytest.mark.asyncio

# more-endpoints.md §6.1: the 11 reaction fields of an exact key-set check.
REACTION_KEYS = {
    "id", "kind", "activity_id", "user_id", "user", "data", "created_at", "updated_at",
    "parent", "latest_children", "children_counts",
}  # fmt: skip
# The 8 keys of an activity (api-semantics.md §3.1), as read from a flat feed.
ACTIVITY_KEYS = {"id", "actor", "verb", "object", "foreign_id", "time", "target", "origin"}
REACTION_FLAGS = {
    "withOwnReactions": "true",
    "withRecentReactions": "true",
    "withReactionCounts": "true",
    "user_id": "alice",
}


async def _activity(api: Api, feed: str = "user:1", **fields: Any) -> str:
    added = await api.add(feed, **fields)
    activity_id: str = added["id"]
    return activity_id


async def _enriched(api: Api, feed: str, **params: Any) -> list[dict[str, Any]]:
    page = await api.get(f"enrich/feed/{feed.replace(':', '/')}/", **params)
    results: list[dict[str, Any]] = page["results"]
    return results


# -- §6.1 target_feeds / target_feeds_extra_data ----------------------------------------------


async def test_empty_target_feeds_leave_both_keys_out(api: Api) -> None:
    activity_id = await _activity(api)
    added = await api.react(activity_id, target_feeds=[])
    assert set(added) == REACTION_KEYS
    fetched = await api.get(f"reaction/{added['id']}/")
    assert set(fetched) == REACTION_KEYS


async def test_extra_data_is_echoed_by_add_and_update_only(api: Api) -> None:
    activity_id = await _activity(api)
    added = await api.react(
        activity_id,
        kind="comment",
        target_feeds=["user:2"],
        target_feeds_extra_data={"custom": "yay"},
    )
    assert set(added) == REACTION_KEYS | {"target_feeds", "target_feeds_extra_data"}
    assert added["target_feeds"] == ["user:2"]
    assert added["target_feeds_extra_data"] == {"custom": "yay"}
    reaction_id = added["id"]

    fetched = await api.get(f"reaction/{reaction_id}/")
    assert set(fetched) == REACTION_KEYS | {"target_feeds"}
    [filtered] = (await api.get(f"reaction/activity_id/{activity_id}/"))["results"]
    assert set(filtered) == REACTION_KEYS | {"target_feeds"}
    [many] = (await api.get("reaction/get_many/", ids=reaction_id))["results"]
    assert set(many) == REACTION_KEYS | {"target_feeds"}

    [activity] = await _enriched(api, "user:1", withOwnChildren="true", **REACTION_FLAGS)
    [own] = activity["own_reactions"]["comment"]
    [latest] = activity["latest_reactions"]["comment"]
    assert set(own) == REACTION_KEYS | {"own_children", "target_feeds"}
    assert set(latest) == REACTION_KEYS | {"own_children", "target_feeds"}

    # The PUT response echoes the extra data only when the PUT body gives it.
    updated = await api.put(f"reaction/{reaction_id}/", {"data": {"n": 1}})
    assert set(updated) == REACTION_KEYS | {"target_feeds"}
    given = {"target_feeds_extra_data": {"custom": "again"}}
    updated = await api.put(f"reaction/{reaction_id}/", given)
    assert set(updated) == REACTION_KEYS | {"target_feeds", "target_feeds_extra_data"}
    assert updated["target_feeds_extra_data"] == {"custom": "again"}
    assert set(await api.get(f"reaction/{reaction_id}/")) == REACTION_KEYS | {"target_feeds"}

    # Emptying the targets drops the key everywhere.
    emptied = await api.put(f"reaction/{reaction_id}/", {"target_feeds": []})
    assert set(emptied) == REACTION_KEYS
    assert set(await api.get(f"reaction/{reaction_id}/")) == REACTION_KEYS


async def test_target_feed_activity_carries_the_reaction_without_extra_data(api: Api) -> None:
    activity_id = await _activity(api)
    added = await api.react(
        activity_id,
        kind="comment",
        target_feeds=["user:2", "notification:2"],
        target_feeds_extra_data={"custom": "yay"},
    )
    for feed in ("user:2", "notification:2"):
        page = await api.get(f"enrich/feed/{feed.replace(':', '/')}/")
        results = page["results"]
        [activity] = results if feed == "user:2" else results[0]["activities"]
        assert set(activity) == ACTIVITY_KEYS | {"reaction", "custom"}
        assert activity["custom"] == "yay"
        expected = {key: value for key, value in added.items() if key != "target_feeds_extra_data"}
        assert activity["reaction"] == expected
        assert activity["reaction"]["target_feeds"] == ["user:2", "notification:2"]


async def test_child_without_targets_has_neither_key(api: Api) -> None:
    top = await api.react(await _activity(api), target_feeds=["user:2"])
    child = await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "bob"})
    assert set(child) == REACTION_KEYS
    [listed] = (await api.get(f"reaction/{top['id']}/"))["latest_children"]["reply"]
    assert set(listed) == REACTION_KEYS


# -- §6.3 filter next --------------------------------------------------------------------------


async def test_filter_next_is_empty_after_a_full_last_page(api: Api) -> None:
    activity_id = await _activity(api)
    for _ in range(25):
        await api.react(activity_id)
    path = f"reaction/activity_id/{activity_id}/like/"
    page = await api.get(path, limit=5)
    pages = [page]
    while page["next"]:
        query = {k: v[-1] for k, v in parse_qs(urlsplit(page["next"]).query).items()}
        query.pop("api_key")
        page = await api.get(path, **query)
        pages.append(page)
    assert [len(page["results"]) for page in pages] == [5, 5, 5, 5, 5]
    assert pages[-1]["next"] == ""
    assert pages[-2]["next"] != ""
    assert len({reaction["id"] for page in pages for reaction in page["results"]}) == 25


async def test_filter_next_when_exactly_one_more_follows(api: Api) -> None:
    activity_id = await _activity(api)
    for _ in range(6):
        await api.react(activity_id)
    path = f"reaction/activity_id/{activity_id}/"
    assert (await api.get(path, limit=6))["next"] == ""
    assert (await api.get(path, limit=5))["next"] != ""
    oldest = await api.get(path, limit=5)
    ascending = await api.get(path, id_gte=oldest["results"][-1]["id"], limit=1)
    assert ascending["next"] != ""
    assert (await api.get(path, id_gte=oldest["results"][0]["id"], limit=1))["next"] == ""


# -- §6.2 children and counts ------------------------------------------------------------------


async def _child(api: Api, parent: str, kind: str, user_id: str = "bob") -> dict[str, Any]:
    return await api.post("reaction/", {"kind": kind, "parent": parent, "user_id": user_id})


async def test_children_counts_count_direct_children_only(api: Api) -> None:
    activity_id = await _activity(api)
    parent = await api.react(activity_id, kind="comment")
    child = await _child(api, parent["id"], "like")
    grandchild = await _child(api, child["id"], "like")
    fetched = await api.get(f"reaction/{parent['id']}/")
    assert fetched["children_counts"] == {"like": 1}
    [listed_child] = fetched["latest_children"]["like"]
    assert listed_child["children_counts"] == {"like": 1}
    assert [c["id"] for c in listed_child["latest_children"]["like"]] == [grandchild["id"]]

    [activity] = await _enriched(api, "user:1", **REACTION_FLAGS)
    assert activity["reaction_counts"] == {"comment": 1}
    [comment] = activity["latest_reactions"]["comment"]
    assert comment["children_counts"] == {"like": 1}
    [nested] = comment["latest_children"]["like"]
    assert nested["id"] == child["id"]
    assert nested["children_counts"] == {"like": 1}
    assert nested["latest_children"]["like"][0]["id"] == grandchild["id"]


async def test_reaction_counts_count_top_level_reactions_only(api: Api) -> None:
    activity_id = await _activity(api)
    comment = await api.react(activity_id, kind="comment")
    for _ in range(30):
        await _child(api, comment["id"], "comment")
    [activity] = await _enriched(api, "user:1", **REACTION_FLAGS)
    assert activity["reaction_counts"] == {"comment": 1}
    [top] = activity["latest_reactions"]["comment"]
    assert top["children_counts"] == {"comment": 30}
    assert len(top["latest_children"]["comment"]) == 10


# -- §7 rankingVars ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rankingVars", "ranking_vars"])
@pytest.mark.parametrize("root", ["feed", "enrich/feed"])
async def test_ranking_vars_must_be_a_json_object(api: Api, name: str, root: str) -> None:
    await _activity(api, "user:alice")
    path = f"{root}/user/alice/"
    for value in ('{"popular":1,"music":4}', '{"sports":1,"music":4}', "{}"):
        assert len((await api.get(path, **{name: value}))["results"]) == 1
    for value in ('["popular",1]', "nope", "null", '"x"', "1", ""):
        response = await api.request("GET", path, params={name: value})
        body = error(response, 400, 4)
        assert body["exception"] == "InputException"
        assert name in body["detail"]
    limited = await api.get(path, withScoreVars="true", limit=4, offset=2)
    assert limited["results"] == []


# -- §8 refused images -------------------------------------------------------------------------


async def test_random_bytes_are_named_application_octet_stream(api: Api) -> None:
    # cloud/images.js: helloworld.txt, 256 KiB of random bytes sent as text/plain
    data = random.Random(2018).randbytes(256 * 1024)
    response = await api.request(
        "POST", "images/", files={"file": ("helloworld.txt", io.BytesIO(data), "text/plain")}
    )
    body = error(response, 400, 4)
    assert body["detail"] == "File type application/octet-stream is not supported"
    assert body["exception"] == "InputException"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"hello world\n", "text/plain"),
        (b"", "text/plain"),
        (b"\xef\xbb\xbfbom", "text/plain"),
        (b"  <!DOCTYPE html><p>x</p>", "text/html"),
        (b"<html>", "text/html"),
        (b"<hx>", "text/plain"),
        (b"<?xml version='1.0'?><a/>", "text/xml"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"%!PS-Adobe-3.0", "application/postscript"),
        (b"PK\x03\x04rest", "application/zip"),
        (b"\x1f\x8b\x08\x00", "application/x-gzip"),
        (b"OggS\x00", "application/ogg"),
        (b"ID3\x03", "audio/mpeg"),
        (b"\x89PNG\r\n\x1a\ntruncated", "application/octet-stream"),
        (b"\xff\xd8\xff\xe0", "application/octet-stream"),
        (b"GIF89a", "application/octet-stream"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "application/octet-stream"),
        (b"RIFF1234WAVE", "text/plain"),
        (b"abc\x00def", "application/octet-stream"),
        (b"x" * 600 + b"\x00", "text/plain"),
    ],
)
async def test_sniffed_types(data: bytes, named: str) -> None:
    assert sniff_type(data) == named


async def test_refused_image_names_the_sniffed_not_the_declared_type(api: Api) -> None:
    for declared in ("image/png", "text/plain", "application/octet-stream"):
        response = await api.request(
            "POST", "images/", files={"file": ("page.html", b"<html><body>", declared)}
        )
        assert error(response, 400, 4)["detail"] == "File type text/html is not supported"


# -- reaction filter bounds that name no reaction --------------------------------------------


async def test_filter_bounds_naming_no_reaction(api: Api) -> None:
    activity_id = await _activity(api)
    path = f"reaction/activity_id/{activity_id}/"
    older = [(await api.react(activity_id))["id"] for _ in range(2)]
    # An activity id is a version-1 UUID carrying the time it was made: between the two.
    between = await _activity(api, "user:9")
    assert uuid.UUID(between).version == 1
    newer = [(await api.react(activity_id))["id"] for _ in range(2)]
    assert ids(await api.get(path, id_lt=between)) == older[::-1]
    assert ids(await api.get(path, id_lte=between)) == older[::-1]
    assert ids(await api.get(path, id_gt=between)) == newer
    assert ids(await api.get(path, id_gte=between)) == newer
    page = await api.get(path, id_lt=between, limit=1)
    assert ids(page) == [older[1]]
    assert parse_qs(urlsplit(page["next"]).query)["id_lt"] == [older[1]]

    # Ids that carry no time name no place: the page is empty and ends the walk.
    for name in ("id_lt", "id_lte", "id_gt", "id_gte"):
        for value in (str(uuid.uuid4()), "not-a-uuid"):
            assert await api.get(path, **{name: value}) == {"results": [], "next": ""}
    mixed = await api.request("GET", path, params={"id_lt": str(uuid.uuid4()), "id_gt": older[0]})
    error(mixed, 400, 4)


async def test_deleted_cursor_bounds(api: Api) -> None:
    activity_id = await _activity(api)
    path = f"reaction/activity_id/{activity_id}/"
    added = [(await api.react(activity_id))["id"] for _ in range(5)]
    # A soft-deleted reaction is still stored: it keeps its place as a bound.
    await api.delete(f"reaction/{added[2]}/", soft="true")
    assert ids(await api.get(path, id_lt=added[2])) == [added[1], added[0]]
    assert ids(await api.get(path, id_gte=added[2])) == [added[3], added[4]]
    # A hard-deleted one is gone from reads, but still stands for its old place.
    first = await api.get(path, limit=2)
    assert ids(first) == [added[4], added[3]]
    await api.delete(f"reaction/{added[3]}/")
    error(await api.request("GET", f"reaction/{added[3]}/"), 404, 16)
    cursor = parse_qs(urlsplit(first["next"]).query)["id_lt"][0]
    assert cursor == added[3]
    assert ids(await api.get(path, id_lt=cursor, limit=2)) == [added[1], added[0]]
    assert ids(await api.get(path, id_lte=cursor)) == [added[1], added[0]]
    assert ids(await api.get(path, id_gt=cursor)) == [added[4]]
    assert ids(await api.get(path, id_gte=cursor)) == [added[4]]


def _next_query(page: dict[str, Any]) -> dict[str, str]:
    query = {k: v[-1] for k, v in parse_qs(urlsplit(page["next"]).query).items()}
    query.pop("api_key")
    return query


async def test_walk_survives_its_cursor_being_hard_deleted(api: Api) -> None:
    activity_id = await _activity(api)
    likes = [(await api.react(activity_id, user_id=f"u{i}"))["id"] for i in range(25)]
    path = f"reaction/activity_id/{activity_id}/like/"
    page = await api.get(path, limit=5)
    walked = ids(page)
    while page["next"]:
        query = _next_query(page)
        # The reaction the next page starts after is deleted before that page is read.
        assert query["id_lt"] == walked[-1]
        await api.delete(f"reaction/{walked[-1]}/")
        page = await api.get(path, **query)
        walked += ids(page)
    assert walked == likes[::-1]
    remaining = ids(await api.get(path, limit=25))
    assert remaining == [like for like in likes[::-1] if like not in walked[4:20:5]]


async def test_children_deleted_with_their_parent_keep_their_places(api: Api) -> None:
    activity_id = await _activity(api)
    parent = await api.react(activity_id, kind="comment")
    other = await api.react(activity_id, kind="comment")
    children = [(await _child(api, parent["id"], "reply"))["id"] for _ in range(3)]
    grandchild = (await _child(api, children[1], "reply"))["id"]
    mine = [(await _child(api, other["id"], "reply"))["id"] for _ in range(2)]
    await api.delete(f"reaction/{parent['id']}/")
    for gone in (parent["id"], *children, grandchild):
        error(await api.request("GET", f"reaction/{gone}/"), 404, 16)
    # bob's replies, oldest first after each deleted one: only those to the other comment.
    path = "reaction/user_id/bob/"
    assert ids(await api.get(path, id_gt=children[0])) == mine
    assert ids(await api.get(path, id_gt=grandchild)) == mine
    assert ids(await api.get(path, id_lt=grandchild)) == []
    top = f"reaction/activity_id/{activity_id}/"
    assert ids(await api.get(top, id_gt=parent["id"])) == [other["id"]]
    # A reply, placed among the top-level comments by its time: after both comments.
    assert ids(await api.get(top, id_lt=children[2])) == [other["id"]]
    assert ids(await api.get(top, id_gt=children[2])) == []


async def test_a_deleted_id_given_again_takes_the_new_place(api: Api, emulator: Emulator) -> None:
    activity_id = await _activity(api)
    path = f"reaction/activity_id/{activity_id}/"
    first = (await api.react(activity_id, id="again"))["id"]
    middle = (await api.react(activity_id))["id"]
    await api.delete(f"reaction/{first}/")
    assert ids(await api.get(path, id_gt="again")) == [middle]
    await api.react(activity_id, id="again")
    assert ids(await api.get(path, id_gt="again")) == []
    assert ids(await api.get(path, id_lt="again")) == [middle]
    # The old place is gone, not merely shadowed.
    places = emulator.store.db.execute("SELECT count(*) FROM deleted_reactions")
    assert places.fetchone()[0] == 0


async def test_reset_forgets_deleted_places(api: Api, emulator: Emulator) -> None:
    activity_id = await _activity(api)
    gone = (await api.react(activity_id))["id"]
    await api.delete(f"reaction/{gone}/")
    assert emulator.store.reaction_position(gone) is not None
    emulator.reset()
    assert emulator.store.reaction_position(gone) is None
    after = await _activity(api)
    await api.react(after)
    path = f"reaction/activity_id/{after}/"
    assert await api.get(path, id_gt=gone) == {"results": [], "next": ""}


# -- ties in time ------------------------------------------------------------------------------

MILLI = "2024-05-01T12:00:00.123"


def _tied_batch() -> list[dict[str, Any]]:
    """Activities in one millisecond: distinct microseconds (out of order) and identical
    times, with and without foreign ids (distinct objects, so none is deduplicated)."""
    times = ["450", "100", "450", "999", "450", "000", "100"]
    batch = []
    for number, micros in enumerate(times):
        fields: dict[str, Any] = {
            "actor": "alice",
            "verb": "post",
            "object": f"note:{number}",
            "time": f"{MILLI}{micros}",
        }
        if number % 2 == 0:
            fields["foreign_id"] = f"post:{number}"
        batch.append(fields)
    return batch


def _expected_order(batch: list[dict[str, Any]], added: list[dict[str, Any]]) -> list[str]:
    """Time descending, ties newest insertion first."""
    order = sorted(range(len(batch)), key=lambda i: (batch[i]["time"], i), reverse=True)
    return [added[i]["id"] for i in order]


async def test_tied_activities_read_back_in_full_time_order(api: Api) -> None:
    batch = _tied_batch()
    added = (await api.post("feed/user/ties/", {"activities": batch}))["activities"]
    assert [a["time"] for a in added] == [b["time"] for b in batch]
    # Ids with a foreign id carry the time cut to milliseconds: all four share it.
    foreign = [uuid.UUID(a["id"]) for a in added if a["foreign_id"]]
    assert len(foreign) == 4
    assert len({value.time for value in foreign}) == 1
    # Ids without one carry the full time (api-semantics.md §6.1).
    plain = [uuid.UUID(a["id"]).time for a in added if not a["foreign_id"]]
    assert [(ticks - plain[2]) // 10 for ticks in plain] == [100, 999, 0]
    expected = _expected_order(batch, added)
    page = await api.read("user:ties")
    assert ids(page) == expected
    assert [a["time"][-3:] for a in page["results"]] == [
        "999", "450", "450", "450", "100", "100", "000"
    ]  # fmt: skip


@pytest.mark.parametrize("size", [1, 2, 3])
async def test_tied_activities_paginate_with_id_lt(api: Api, size: int) -> None:
    batch = _tied_batch()
    added = (await api.post("feed/user/ties/", {"activities": batch}))["activities"]
    # and one more added by itself later in the same millisecond as one of the batch
    extra = {"actor": "bob", "verb": "post", "object": "note:x", "time": f"{MILLI}450"}
    added.append(await api.post("feed/user/ties/", extra))
    batch.append(extra)
    expected = _expected_order(batch, added)
    walked: list[str] = []
    page = await api.read("user:ties", limit=size)
    while True:
        walked += ids(page)
        if not page["next"]:
            break
        page = await api.read("user:ties", limit=size, id_lt=walked[-1])
    assert walked == expected


async def test_tied_activities_bounds(api: Api) -> None:
    batch = _tied_batch()
    added = (await api.post("feed/user/ties/", {"activities": batch}))["activities"]
    expected = _expected_order(batch, added)
    for index in range(len(expected)):
        bound = expected[index]
        assert ids(await api.read("user:ties", id_lt=bound)) == expected[index + 1 :]
        assert ids(await api.read("user:ties", id_lte=bound)) == expected[index:]
        assert ids(await api.read("user:ties", id_gt=bound)) == expected[:index]
        assert ids(await api.read("user:ties", id_gte=bound)) == expected[: index + 1]
    middle = expected[3]
    both = await api.read("user:ties", id_gte=middle, id_lte=middle, limit=1)
    assert ids(both) == [middle]


async def test_tied_activities_reach_followers_in_the_same_order(api: Api) -> None:
    await api.follow("timeline:reader", "user:ties")
    batch = _tied_batch()
    added = (await api.post("feed/user/ties/", {"activities": batch}))["activities"]
    expected = _expected_order(batch, added)
    assert ids(await api.read("timeline:reader")) == expected
    assert ids(await api.read("timeline:reader", id_lt=expected[2], limit=2)) == expected[3:5]
