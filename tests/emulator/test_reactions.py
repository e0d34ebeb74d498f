"""Reactions: add, children, get, update, delete, restore, filter, target feeds (§3.4)."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from stream_async.emulator import Emulator
from tests.emulator.conftest import Api, error, ids

pytestmark = pytest.mark.asyncio

REACTION_KEYS = {
    "id", "kind", "activity_id", "user_id", "user", "data", "created_at", "updated_at",
    "parent", "latest_children", "children_counts",
}  # fmt: skip
Z_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
ONE_OF = ["one of activity_id or parent must not be empty"]


async def _activity(api: Api, feed: str = "user:1") -> str:
    added = await api.add(feed)
    activity_id: str = added["id"]
    return activity_id


async def _page(api: Api, path: str, **params: Any) -> dict[str, Any]:
    return await api.get(path, **params)


async def test_added_reaction_has_exactly_the_documented_keys(api: Api) -> None:
    activity_id = await _activity(api)
    added = await api.react(activity_id, data=None)
    assert set(added) == REACTION_KEYS
    assert uuid.UUID(added["id"]).version == 4
    assert added["data"] == {}
    assert added["parent"] == ""
    assert added["latest_children"] == {}
    assert added["children_counts"] == {}
    assert Z_TIME.fullmatch(added["created_at"])
    assert added["created_at"] == added["updated_at"]
    assert added["user"] == {
        "error": "ReferenceNotFound",
        "reference": "SU:alice",
        "reference_type": "user",
        "id": "alice",
    }
    await api.post("user/", {"id": "alice", "data": {"name": "Alice"}})
    fetched = await api.get(f"reaction/{added['id']}/")
    assert fetched["user"]["data"] == {"name": "Alice"}
    assert set(fetched["user"]) == {"id", "data", "created_at", "updated_at"}


async def test_client_given_ids_are_kept_and_duplicates_are_409(api: Api) -> None:
    activity_id = await _activity(api)
    added = await api.react(activity_id, id="my-reaction")
    assert added["id"] == "my-reaction"
    body = {"kind": "like", "activity_id": activity_id, "user_id": "bob", "id": "my-reaction"}
    response = await api.request("POST", "reaction/", json=body)
    assert error(response, 409, 22)["exception"] == "ConflictException"


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"data": "text"}, ["data"]),
        ({"data": [1]}, ["data"]),
        ({"kind": "k" * 256}, ["kind"]),
        ({"kind": ""}, ["kind"]),
        ({"user_id": None}, ["user_id"]),
        ({"user_id": "u" * 256}, ["user_id"]),
        ({"id": 7}, ["id"]),
        ({"target_feeds": "user:2"}, ["target_feeds"]),
        ({"target_feeds_extra_data": []}, ["target_feeds_extra_data"]),
        ({"activity_id": None}, ["activity_id", "parent"]),
        ({"parent": "p"}, ["activity_id", "parent"]),
        ({"activity_id": 12}, ["activity_id"]),
    ],
)
async def test_invalid_reactions_are_400_and_store_nothing(
    api: Api, emulator: Emulator, fields: dict[str, Any], names: list[str]
) -> None:
    body = {"kind": "like", "activity_id": "a1", "user_id": "alice", **fields}
    response = await api.request("POST", "reaction/", json=body)
    assert sorted(error(response, 400, 4)["exception_fields"]) == names
    assert emulator.store.reaction_ids() == []


async def test_exactly_one_of_activity_id_and_parent(api: Api) -> None:
    body = {"kind": "like", "user_id": "alice"}
    failed = error(await api.request("POST", "reaction/", json=body), 400, 4)
    assert failed["exception_fields"] == {"activity_id": ONE_OF, "parent": ONE_OF}
    assert failed["detail"] == "Errors for fields 'activity_id', 'parent'"


async def test_unknown_target_feed_group_is_400_code_6(api: Api, emulator: Emulator) -> None:
    body = {"kind": "like", "activity_id": "a1", "user_id": "u", "target_feeds": ["nope:1"]}
    error(await api.request("POST", "reaction/", json=body), 400, 6)
    assert emulator.store.reaction_ids() == []


async def test_children_nest_three_levels(api: Api) -> None:
    activity_id = await _activity(api)
    top = await api.react(activity_id)
    child = await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "bob"})
    assert child["activity_id"] == activity_id
    assert child["parent"] == top["id"]
    grandchild = await api.post("reaction/", {"kind": "r", "parent": child["id"], "user_id": "c"})
    response = await api.request(
        "POST", "reaction/", json={"kind": "r", "parent": grandchild["id"], "user_id": "d"}
    )
    assert "3 levels" in error(response, 400, 4)["detail"]
    parent = await api.get(f"reaction/{top['id']}/")
    assert parent["children_counts"] == {"reply": 1}
    assert parent["latest_children"]["reply"][0]["id"] == child["id"]
    assert parent["latest_children"]["reply"][0]["children_counts"] == {"r": 1}


async def test_missing_parent_is_400(api: Api) -> None:
    body = {"kind": "reply", "parent": "missing", "user_id": "bob"}
    assert "missing" in error(await api.request("POST", "reaction/", json=body), 400, 4)["detail"]


async def test_latest_children_are_the_ten_newest_grouped_by_kind(api: Api) -> None:
    top = await api.react(await _activity(api))
    added = []
    for kind in ["clap"] * 4 + ["like"] * 4 + ["unlike"] * 4:
        body = {"kind": kind, "parent": top["id"], "user_id": "bob"}
        added.append(await api.post("reaction/", body))
    parent = await api.get(f"reaction/{top['id']}/")
    assert parent["children_counts"] == {"clap": 4, "like": 4, "unlike": 4}
    shown = {
        kind: [child["id"] for child in items] for kind, items in parent["latest_children"].items()
    }
    assert shown == {
        "unlike": [child["id"] for child in reversed(added[8:])],
        "like": [child["id"] for child in reversed(added[4:8])],
        "clap": [child["id"] for child in reversed(added[2:4])],
    }


async def test_get_and_get_many(api: Api) -> None:
    activity_id = await _activity(api)
    first, second = await api.react(activity_id), await api.react(activity_id, kind="comment")
    assert await api.get(f"reaction/{first['id']}/") == first
    error(await api.request("GET", "reaction/nope/"), 404, 16)
    many = await api.get("reaction/get_many/", ids=f"{second['id']},nope,{first['id']}")
    assert ids(many) == [second["id"], first["id"]]
    await api.delete(f"reaction/{first['id']}/", soft="true")
    assert ids(await api.get("reaction/get_many/", ids=first["id"])) == []
    with_deleted = await api.get("reaction/get_many/", ids=first["id"], include_deleted="true")
    assert "deleted_at" in with_deleted["results"][0]
    error(await api.request("GET", "reaction/get_many/"), 400, 4)


async def test_update_changes_data_and_updated_at(api: Api) -> None:
    added = await api.react(await _activity(api), data={"a": 1})
    updated = await api.put(f"reaction/{added['id']}/", {"data": {"b": 2}, "target_feeds": None})
    assert updated["data"] == {"b": 2}
    assert updated["updated_at"] > added["updated_at"]
    assert updated["created_at"] == added["created_at"]
    same = await api.put(f"reaction/{added['id']}/", {})
    assert same["data"] == {"b": 2}
    response = await api.request("PUT", f"reaction/{added['id']}/", json={"data": "x"})
    error(response, 400, 4)
    error(await api.request("PUT", "reaction/nope/", json={}), 404, 16)


async def test_hard_delete_removes_the_reaction_and_its_children(
    api: Api, emulator: Emulator
) -> None:
    top = await api.react(await _activity(api))
    child = await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "b"})
    await api.post("reaction/", {"kind": "reply", "parent": child["id"], "user_id": "c"})
    assert await api.delete(f"reaction/{child['id']}/", soft="false") == {}
    assert (await api.get(f"reaction/{top['id']}/"))["children_counts"] == {}
    assert emulator.store.reaction_ids() == [top["id"]]
    await api.delete(f"reaction/{top['id']}/")
    error(await api.request("GET", f"reaction/{top['id']}/"), 404, 16)
    error(await api.request("DELETE", f"reaction/{top['id']}/", json={}), 404, 16)


async def test_soft_delete_and_restore(api: Api) -> None:
    activity_id = await _activity(api)
    added = await api.react(activity_id)
    error(await api.request("PUT", f"reaction/{added['id']}/restore/"), 404, 16)
    await api.delete(f"reaction/{added['id']}/", soft="True")
    deleted = await api.get(f"reaction/{added['id']}/")
    assert Z_TIME.fullmatch(deleted["deleted_at"])
    assert (await api.get(f"reaction/activity_id/{activity_id}/"))["results"] == []
    await api.put(f"reaction/{added['id']}/restore/", {})
    restored = await api.get(f"reaction/{added['id']}/")
    assert "deleted_at" not in restored
    assert ids(await api.get(f"reaction/activity_id/{activity_id}/")) == [added["id"]]


async def _many(api: Api, activity_id: str, count: int, kind: str = "like") -> list[str]:
    return [(await api.react(activity_id, kind=kind))["id"] for _ in range(count)]


async def test_filter_orders_and_bounds(api: Api) -> None:
    activity_id = await _activity(api)
    added = await _many(api, activity_id, 6)
    path = f"reaction/activity_id/{activity_id}/"
    newest = list(reversed(added))
    assert ids(await _page(api, path)) == newest
    assert ids(await _page(api, path, id_lt=added[3])) == newest[3:]
    assert ids(await _page(api, path, id_lte=added[3])) == newest[2:]
    assert ids(await _page(api, path, id_gt=added[3])) == added[4:]
    assert ids(await _page(api, path, id_gte=added[3])) == added[3:]
    # more-endpoints.md §6 task: a bound naming no reaction is a bound, not an error
    assert await _page(api, path, id_lt="nope") == {"results": [], "next": ""}
    both = {"id_lt": added[1], "id_gt": added[0]}
    error(await api.request("GET", path, params=both), 400, 4)
    error(await api.request("GET", f"reaction/feed_id/{activity_id}/"), 400, 4)


async def test_filter_limit_defaults_to_10_and_clamps_at_25(api: Api) -> None:
    activity_id = await _activity(api)
    await _many(api, activity_id, 15, "like")
    await _many(api, activity_id, 15, "clap")
    path = f"reaction/activity_id/{activity_id}/"
    assert len((await _page(api, path))["results"]) == 10
    assert len((await _page(api, path, limit=300))["results"]) == 25
    assert {r["kind"] for r in (await _page(api, path, limit=100))["results"]} == {"like", "clap"}
    likes = await _page(api, f"{path}like/", limit=100)
    assert len(likes["results"]) == 15
    assert likes["next"] == ""
    assert (await _page(api, path, limit=0)) == {"results": [], "next": ""}


async def test_filter_next_links_walk_every_page(api: Api) -> None:
    activity_id = await _activity(api)
    added = await _many(api, activity_id, 7)
    page = await _page(api, f"reaction/activity_id/{activity_id}/like/", limit=3, extra="kept")
    seen = ids(page)
    while page["next"]:
        link = urlsplit(page["next"])
        assert link.path == f"/api/v1.0/reaction/activity_id/{activity_id}/like/"
        query = {key: values[-1] for key, values in parse_qs(link.query).items()}
        assert query["extra"] == "kept"
        assert query["limit"] == "3"
        query.pop("api_key")
        page = await _page(api, link.path.removeprefix("/api/v1.0/"), **query)
        seen += ids(page)
    assert seen == list(reversed(added))
    ascending = await _page(api, f"reaction/activity_id/{activity_id}/", id_gte=added[0], limit=5)
    assert parse_qs(urlsplit(ascending["next"]).query)["id_gt"] == [added[4]]


async def test_filter_by_user_and_by_reaction(api: Api) -> None:
    activity_id = await _activity(api)
    top = await api.react(activity_id, user_id="bob")
    child = await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "bob"})
    await api.react(activity_id, user_id="carol")
    assert ids(await _page(api, "reaction/user_id/bob/")) == [child["id"], top["id"]]
    assert ids(await _page(api, f"reaction/reaction_id/{top['id']}/")) == [child["id"]]
    assert ids(await _page(api, "reaction/reaction_id/nope/")) == []


async def test_filter_with_own_children(api: Api) -> None:
    top = await api.react(await _activity(api))
    mine = await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "bob"})
    await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "eve"})
    page = await _page(
        api, "reaction/user_id/alice/", with_own_children="true", children_user_id="bob"
    )
    own = page["results"][0]["own_children"]
    assert [child["id"] for child in own["reply"]] == [mine["id"]]
    assert "own_children" not in (await _page(api, "reaction/user_id/alice/"))["results"][0]
    for _ in range(5):
        await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "bob"})
    page = await _page(api, "reaction/user_id/alice/", withOwnChildren="1", user_id="bob")
    assert len(page["results"][0]["own_children"]["reply"]) == 5


async def test_filter_with_activity_data(api: Api) -> None:
    activity_id = await _activity(api)
    liked = await api.react(activity_id)
    page = await _page(api, f"reaction/activity_id/{activity_id}/", with_activity_data="true")
    activity = page["activity"]
    assert activity["id"] == activity_id
    assert activity["reaction_counts"] == {"like": 1}
    assert activity["latest_reactions"]["like"][0]["id"] == liked["id"]
    assert activity["latest_reactions_extra"] == {"like": {"next": ""}}
    assert activity["own_reactions"] == {}
    missing = await _page(api, "reaction/activity_id/nope/", with_activity_data="true")
    assert missing["activity"]["reference_type"] == "activity"
    user_page = await _page(api, "reaction/user_id/alice/", with_activity_data="true")
    assert "activity" not in user_page


async def test_target_feeds_get_the_reaction_activity(api: Api, emulator: Emulator) -> None:
    activity_id = await _activity(api)
    await api.follow("timeline:2", "user:2")
    added = await api.react(
        activity_id,
        kind="comment",
        target_feeds=["user:2", "flat:9 sometoken"],
        target_feeds_extra_data={"extra": 1, "actor": "ignored", "to": ["user:3"]},
    )
    assert set(added) == REACTION_KEYS | {"target_feeds", "target_feeds_extra_data"}
    assert added["target_feeds"] == ["user:2", "flat:9"]
    [activity] = (await api.read("user:2"))["results"]
    expected = {
        "actor": "SU:alice",
        "verb": "comment",
        "object": f"SA:{activity_id}",
        "foreign_id": f"reaction:{added['id']}",
        "time": added["created_at"].removesuffix("Z"),
        "target": "",
        "origin": None,
        "reaction": f"SR:{added['id']}",
        "extra": 1,
    }
    assert {key: value for key, value in activity.items() if key != "id"} == expected
    assert ids(await api.read("timeline:2")) == [activity["id"]]
    assert ids(await api.read("flat:9")) == [activity["id"]]
    assert (await api.read("user:3"))["results"] == []

    moved = await api.put(f"reaction/{added['id']}/", {"target_feeds": ["flat:9", "topic:1"]})
    assert moved["target_feeds"] == ["flat:9", "topic:1"]
    assert (await api.read("user:2"))["results"] == []
    assert (await api.read("timeline:2"))["results"] == []
    assert ids(await api.read("topic:1")) == [activity["id"]]

    await api.put(f"reaction/{added['id']}/", {"target_feeds_extra_data": {"extra": 2}})
    assert (await api.read("topic:1"))["results"][0]["extra"] == 2

    await api.delete(f"reaction/{added['id']}/")
    assert (await api.read("flat:9"))["results"] == []
    assert (await api.read("topic:1"))["results"] == []
    assert emulator.store.activity_ids() == [activity_id]


async def test_child_reactions_with_target_feeds(api: Api) -> None:
    top = await api.react(await _activity(api))
    body = {"kind": "reply", "parent": top["id"], "user_id": "bob", "target_feeds": ["user:5"]}
    child = await api.post("reaction/", body)
    [activity] = (await api.read("user:5"))["results"]
    assert activity["reaction"] == f"SR:{child['id']}"
    await api.delete(f"reaction/{top['id']}/")
    assert (await api.read("user:5"))["results"] == []


async def test_bad_target_feed_update_changes_nothing(api: Api) -> None:
    added = await api.react(await _activity(api), target_feeds=["user:2"], data={"a": 1})
    body = {"data": {"b": 2}, "target_feeds_extra_data": {"target": {"x": 1}}}
    error(await api.request("PUT", f"reaction/{added['id']}/", json=body), 400, 4)
    assert (await api.get(f"reaction/{added['id']}/"))["data"] == {"a": 1}
    assert len((await api.read("user:2"))["results"]) == 1
