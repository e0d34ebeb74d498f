"""Data privacy (more-endpoints.md §2): delete activities (by id, or foreign id and time),
delete reactions (hard and soft), export a user's ids; ``discard_deleted_activities`` on
feed reads (§9). Server tokens only, resource ``data_privacy``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from stream_async.emulator import Emulator, EmulatorConfig
from tests.emulator.conftest import Api, error, ids, token

pytestmark = pytest.mark.asyncio

DISCARD = {"discard_deleted_activities": "true"}


async def delete_activities(api: Api, *entries: dict[str, Any]) -> dict[str, Any]:
    return await api.post("data_privacy/delete_activities/", {"activities": list(entries)}, 200)


async def test_deleted_activities_leave_lookups_at_once(api: Api) -> None:
    gone = await api.add("user:alice")
    kept = await api.add("user:alice", object="note:2")
    assert await delete_activities(api, {"id": gone["id"]}) == {}
    both = f"{gone['id']},{kept['id']}"
    assert ids(await api.get("activities/", ids=both)) == [kept["id"]]
    assert ids(await api.get("enrich/activities/", ids=both)) == [kept["id"]]


async def test_feeds_list_them_until_read_with_discard_deleted_activities(api: Api) -> None:
    await api.follow("timeline:carol", "user:alice")
    gone = await api.add("user:alice", to=["user:bob"])
    kept = await api.add("user:alice", object="note:2")
    await delete_activities(api, {"id": gone["id"], "remove_from_feeds": ["user:alice"]})
    assert ids(await api.read("user:alice")) == [kept["id"], gone["id"]]
    assert ids(await api.read("user:bob")) == [gone["id"]]
    assert ids(await api.read("timeline:carol")) == [kept["id"], gone["id"]]
    for feed in ("user:alice", "timeline:carol"):
        assert ids(await api.read(feed, **DISCARD)) == [kept["id"]]
        assert ids(await api.get(f"enrich/feed/{feed.replace(':', '/')}/", **DISCARD)) == [
            kept["id"]
        ]
    assert ids(await api.read("user:bob", **DISCARD)) == []
    assert ids(await api.read("user:alice", discard_deleted_activities="false")) == [
        kept["id"],
        gone["id"],
    ]


async def test_discarding_pages_over_what_is_left(api: Api) -> None:
    added = [await api.add("user:alice", object=f"note:{i}") for i in range(5)]
    await delete_activities(api, {"id": added[4]["id"]}, {"id": added[2]["id"]})
    page = await api.read("user:alice", limit=2, **DISCARD)
    assert ids(page) == [added[3]["id"], added[1]["id"]]
    assert "discard_deleted_activities=true" in page["next"]


async def test_by_foreign_id_and_time(api: Api) -> None:
    time = "2024-03-04T05:06:07.000008"
    gone = await api.add("user:alice", foreign_id="post:1", time=time)
    other = await api.add("user:alice", foreign_id="post:1", time="2024-03-04T05:06:08")
    await delete_activities(api, {"foreign_id": "post:1", "time": time})
    assert ids(await api.get("activities/", ids=f"{gone['id']},{other['id']}")) == [other["id"]]
    found = await api.get("activities/", foreign_ids="post:1", timestamps=time)
    assert found["results"] == []


async def test_writing_a_deleted_activity_again_brings_it_back(api: Api) -> None:
    time = "2024-03-04T05:06:07"
    gone = await api.add("user:alice", foreign_id="post:1", time=time)
    await delete_activities(api, {"id": gone["id"]})
    again = await api.add("user:alice", foreign_id="post:1", time=time)
    assert again["id"] == gone["id"]
    assert ids(await api.read("user:alice", **DISCARD)) == [gone["id"]]


async def audit(api: Api, entity_type: str, entity_id: str) -> list[tuple[str, str]]:
    page = await api.get("audit_logs/", entity_type=entity_type, entity_id=entity_id)
    return [(entry["action"], entry["user_id"]) for entry in page["audit_logs"]]


async def test_deleting_an_activity_is_audited_once(api: Api) -> None:
    time = "2024-03-04T05:06:07"
    gone = await api.add("user:alice", actor="userid:1", foreign_id="post:1", time=time)
    for _ in range(2):
        await delete_activities(api, {"id": gone["id"]})
    assert await audit(api, "activity", gone["id"]) == [
        ("delete", "userid:1"),
        ("create", "userid:1"),
    ]
    await api.add("user:alice", actor="userid:1", foreign_id="post:1", time=time)
    await delete_activities(api, {"foreign_id": "post:1", "time": time})
    await api.delete(f"feed/user/alice/{gone['id']}/")
    assert [action for action, _ in await audit(api, "activity", gone["id"])] == [
        "delete",
        "create",
        "delete",
        "create",
    ]


async def test_deleted_activities_cannot_be_updated(api: Api) -> None:
    time = "2024-03-04T05:06:07"
    gone = await api.add("user:alice", foreign_id="post:1", time=time)
    kept = await api.add("user:alice", foreign_id="post:2", time=time)
    await delete_activities(api, {"id": gone["id"]})
    by_foreign_id = {"foreign_id": "post:1", "time": time, "set": {"x": 1}}
    for body in (
        {"id": gone["id"], "set": {"x": 1}},
        by_foreign_id,
        {"changes": [{"id": kept["id"], "set": {"x": 1}}, by_foreign_id]},
    ):
        error(await api.request("POST", "activity/", json=body), 404, 16)
    fields = {"actor": "alice", "verb": "post", "object": "note:9", "time": time}
    replace = [{**fields, "foreign_id": "post:2"}, {**fields, "foreign_id": "post:1"}]
    response = await api.request("POST", "activities/", json={"activities": replace})
    error(response, 404, 16)
    targets = {"foreign_id": "post:1", "time": time, "new_targets": ["user:bob"]}
    response = await api.request(
        "POST", "feed_targets/user/alice/activity_to_targets/", json=targets
    )
    error(response, 404, 16)
    assert (await api.read("user:bob"))["results"] == []
    assert await audit(api, "activity", kept["id"]) == [("create", "alice")]
    assert (await api.get("activities/", ids=kept["id"]))["results"] == [kept]
    (listed,) = [a for a in (await api.read("user:alice"))["results"] if a["id"] == gone["id"]]
    assert (listed["object"], "x" in listed) == (gone["object"], False)


async def test_reaction_deletes_are_audited(api: Api) -> None:
    hard = await api.react("activity-1", user_id="carol")
    soft = await api.react("activity-1", user_id="carol")
    await api.post("data_privacy/delete_reactions/", {"ids": [hard["id"]]}, 200)
    body = {"ids": [soft["id"]], "soft_delete": True}
    for _ in range(2):
        await api.post("data_privacy/delete_reactions/", body, 200)
    for reaction in (hard, soft):
        assert await audit(api, "reaction", reaction["id"]) == [
            ("delete", "carol"),
            ("create", "carol"),
        ]


async def test_aggregated_groups_of_deleted_activities_are_discarded(api: Api) -> None:
    liked = await api.add("aggregated:alice", verb="like")
    await api.add("aggregated:alice", verb="post")
    await delete_activities(api, {"id": liked["id"]})
    assert len((await api.read("aggregated:alice"))["results"]) == 2
    (group,) = (await api.read("aggregated:alice", **DISCARD))["results"]
    assert group["verb"] == "post"
    assert group["activity_count"] == 1


async def test_unknown_activities_are_skipped(api: Api) -> None:
    body = {"foreign_id": "nothing:1", "time": "2024-01-01T00:00:00"}
    assert await delete_activities(api, {"id": "no-such-id"}, body) == {}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, 4),
        ({"activities": {"id": "a"}}, 4),
        ({"activities": ["a"]}, 4),
        ({"activities": [{"id": ""}]}, 4),
        ({"activities": [{"foreign_id": "f:1"}]}, 4),
        ({"activities": [{"foreign_id": "f:1", "time": "yesterday"}]}, 4),
        ({"activities": [{"id": "a", "remove_from_feeds": "user:a"}]}, 4),
        ({"activities": [{"id": "a", "remove_from_feeds": ["alice"]}]}, 4),
        ({"activities": [{"id": "a", "remove_from_feeds": ["nope:alice"]}]}, 6),
        ({"activities": [{"id": f"a{i}"} for i in range(101)]}, 4),
    ],
)
async def test_bad_activity_deletes_are_400(api: Api, body: dict[str, Any], code: int) -> None:
    error(await api.request("POST", "data_privacy/delete_activities/", json=body), 400, code)


async def test_hard_deleted_reactions_are_gone(api: Api) -> None:
    activity = await api.add("user:alice")
    gone = await api.react(activity["id"], target_feeds=["user:bob"])
    child = await api.post("reaction/", {"kind": "c", "parent": gone["id"], "user_id": "bob"})
    kept = await api.react(activity["id"])
    assert len((await api.read("user:bob"))["results"]) == 1
    body = {"ids": [gone["id"], "no-such-reaction"]}
    assert await api.post("data_privacy/delete_reactions/", body, 200) == {}
    for reaction in (gone, child):
        response = await api.request("GET", f"reaction/{reaction['id']}/")
        error(response, 404, 16)
    listed = await api.get(f"reaction/activity_id/{activity['id']}/")
    assert [r["id"] for r in listed["results"]] == [kept["id"]]
    assert (await api.read("user:bob"))["results"] == []


async def test_soft_deleted_reactions_still_read_but_leave_filters(api: Api) -> None:
    activity = await api.add("user:alice")
    soft = await api.react(activity["id"])
    kept = await api.react(activity["id"])
    body = {"ids": [soft["id"]], "soft_delete": True}
    await api.post("data_privacy/delete_reactions/", body, 200)
    read = await api.get(f"reaction/{soft['id']}/")
    assert read["id"] == soft["id"]
    assert read["deleted_at"]
    listed = await api.get(f"reaction/activity_id/{activity['id']}/")
    assert [r["id"] for r in listed["results"]] == [kept["id"]]
    await api.post("data_privacy/delete_reactions/", body, 200)
    assert (await api.get(f"reaction/{soft['id']}/"))["deleted_at"] == read["deleted_at"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": "r1"},
        {"ids": [3]},
        {"ids": ["r1"], "soft_delete": "maybe"},
        {"ids": [f"r{i}" for i in range(101)]},
    ],
)
async def test_bad_reaction_deletes_are_400_code_4(api: Api, body: dict[str, Any]) -> None:
    error(await api.request("POST", "data_privacy/delete_reactions/", json=body), 400, 4)


async def test_export_lists_a_users_activities_and_reactions(api: Api) -> None:
    first = await api.add("user:alice", actor="alice", object="note:1")
    await api.add("user:alice", actor="SU:alice", object="note:2")
    await api.add("user:bob", actor="bob")
    second = await api.add("user:bob", actor="alice", object="note:3")
    gone = await api.add("user:alice", actor="alice", object="note:4")
    await delete_activities(api, {"id": gone["id"]})
    r1 = await api.react(first["id"], user_id="alice")
    await api.react(first["id"], user_id="bob")
    r3 = await api.react(second["id"], user_id="alice")
    exported = await api.get("data_privacy/export_ids/alice")
    assert exported == {
        "export": {
            "user_id": "alice",
            "activity_count": 2,
            "activity_ids": [first["id"], second["id"]],
            "reaction_count": 2,
            "reaction_ids": [r1["id"], r3["id"]],
        }
    }
    nobody = await api.get("data_privacy/export_ids/nobody")
    assert nobody["export"]["activity_ids"] == nobody["export"]["reaction_ids"] == []


SCOPES: list[tuple[str, str, Any, str]] = [
    ("POST", "data_privacy/delete_activities/", {"activities": []}, "write"),
    ("POST", "data_privacy/delete_reactions/", {"ids": []}, "write"),
    ("GET", "data_privacy/export_ids/alice", None, "read"),
]


@pytest.mark.parametrize(("method", "path", "body", "action"), SCOPES)
async def test_scopes_are_data_privacy(
    api: Api, method: str, path: str, body: Any, action: str
) -> None:
    right = token(resource="data_privacy", action=action, feed_id="*")
    assert (await api.request(method, path, json=body, auth=right)).status_code == 200
    other = "read" if action == "write" else "write"
    wrong_action = token(resource="data_privacy", action=other, feed_id="*")
    error(await api.request(method, path, json=body, auth=wrong_action), 403, 17)
    wrong_resource = token(resource="activities", action="*", feed_id="*")
    error(await api.request(method, path, json=body, auth=wrong_resource), 403, 17)
    user = token(user_id="alice")
    error(await api.request(method, path, json=body, auth=user), 403, 17)


async def test_deletion_marks_survive_a_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(data_dir=tmp_path)
    first = Emulator(config)
    async with client(first) as http:
        api = Api(http)
        gone = await api.add("user:alice")
        await delete_activities(api, {"id": gone["id"]})
    first.store.close()
    async with client(Emulator(config)) as http:
        api = Api(http)
        assert ids(await api.read("user:alice")) == [gone["id"]]
        assert ids(await api.read("user:alice", **DISCARD)) == []


def client(emulator: Emulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url="http://emulator"
    )
