"""Audit logs (GET audit_logs/) and moderation flags (POST moderation/flag): what is logged,
filters, cursors, validation, scopes (more-endpoints §3, §4)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.emulator.store import Activity as StoredActivity
from stream_async.emulator.store import database
from tests.emulator.conftest import Api, error, token

pytestmark = pytest.mark.asyncio

Z_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
ENTRY_KEYS = {"entity_type", "entity_id", "action", "user_id", "custom", "created_at"}


async def logs(api: Api, **params: Any) -> dict[str, Any]:
    return await api.get("audit_logs/", **params)


def actions(page: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (e["entity_type"], e["entity_id"], e["action"], e["user_id"]) for e in page["audit_logs"]
    ]


async def test_activity_create_update_delete_are_logged_newest_first(api: Api) -> None:
    added = await api.add(
        "user:alice", actor="userid:1", foreign_id="post:1", time="2024-01-01T00:00:00"
    )
    activity_id = added["id"]
    await api.post("activity/", {"id": activity_id, "set": {"score": 1}})
    await api.post(
        "activities/",
        {"activities": [{"actor": "userid:1", "verb": "post", "object": "note:2",
                         "foreign_id": "post:1", "time": "2024-01-01T00:00:00"}]},
    )  # fmt: skip
    await api.delete(f"feed/user/alice/{activity_id}/")
    page = await logs(api, entity_type="activity", entity_id=activity_id)
    assert set(page) == {"audit_logs", "next", "prev"}
    assert actions(page) == [
        ("activity", activity_id, "delete", "userid:1"),
        ("activity", activity_id, "update", "userid:1"),
        ("activity", activity_id, "update", "userid:1"),
        ("activity", activity_id, "create", "userid:1"),
    ]
    first = page["audit_logs"][-1]
    assert set(first) == ENTRY_KEYS
    assert first["custom"] == {}
    assert Z_TIME.fullmatch(first["created_at"])
    assert (page["next"], page["prev"]) == ("", "")
    by_actor = await logs(api, user_id="userid:1")
    assert actions(by_actor) == actions(page)


async def test_re_adding_identical_activity_logs_nothing_new(api: Api) -> None:
    fields = {"foreign_id": "post:1", "time": "2024-01-01T00:00:00"}
    added = await api.add("user:alice", **fields)
    await api.add("user:bob", **fields)
    page = await logs(api, entity_type="activity", entity_id=added["id"])
    assert [e["action"] for e in page["audit_logs"]] == ["create"]


async def test_only_changes_are_logged(api: Api) -> None:
    time = "2024-01-01T00:00:00"
    added = await api.add("user:alice", actor="userid:1", foreign_id="post:1", time=time)
    activity_id = added["id"]
    for _ in range(2):
        await api.post("activity/", {"id": activity_id, "set": {"x": 1}})
    await api.post("activity/", {"id": activity_id, "unset": ["missing"]})
    to_targets = {"foreign_id": "post:1", "time": time, "new_targets": ["user:bob"]}
    path = "feed_targets/user/alice/activity_to_targets/"
    for _ in range(2):
        await api.post(path, to_targets)
    page = await logs(api, entity_type="activity", entity_id=activity_id)
    assert [e["action"] for e in page["audit_logs"]] == ["update", "update", "create"]


async def test_a_change_of_json_type_is_a_change(api: Api) -> None:
    # 1, 1.0 and true compare equal in Python but are different JSON values
    time = "2024-01-01T00:00:00"
    added = await api.add("user:alice", actor="userid:1", foreign_id="post:1", time=time, x=1)
    for value in (True, 1.0, 1):
        await api.post("activity/", {"id": added["id"], "set": {"x": value}})
        (stored,) = (await api.get("activities/", ids=added["id"]))["results"]
        assert (type(stored["x"]), stored["x"]) == (type(value), value)
    fields = {k: added[k] for k in ("actor", "verb", "object", "foreign_id", "time")}
    await api.post("activities/", {"activities": [{**fields, "x": False}]})
    await api.post("activities/", {"activities": [{**fields, "x": 0}]})
    page = await logs(api, entity_type="activity", entity_id=added["id"])
    assert [e["action"] for e in page["audit_logs"]] == ["update"] * 5 + ["create"]


async def test_a_batch_stores_and_logs_each_activity_once(
    api: Api, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    time = "2024-01-01T00:00:00"
    added = await api.add("user:alice", actor="userid:1", foreign_id="post:1", time=time)
    activity_id = added["id"]
    changes = [{"id": activity_id, "set": {"x": 1}}, {"id": activity_id, "set": {"y": 2}}]
    saved: list[dict[str, Any]] = []
    save_data = emulator.store.save_data

    def counted(activity: StoredActivity) -> None:
        saved.append(activity.data)
        save_data(activity)

    monkeypatch.setattr(emulator.store, "save_data", counted)
    done = await api.post("activity/", {"changes": changes})
    assert [(data["x"], data["y"]) for data in saved] == [(1, 2)]
    assert [(a["id"], a["x"], a["y"]) for a in done["activities"]] == [
        (activity_id, 1, 2),
        (activity_id, 1, 2),
    ]
    fields = {"actor": "userid:1", "verb": "post", "foreign_id": "post:1", "time": time}
    replaced = [{**fields, "object": "note:2"}, {**fields, "object": "note:3"}]
    await api.post("activities/", {"activities": replaced})
    page = await logs(api, entity_type="activity", entity_id=activity_id)
    assert [e["action"] for e in page["audit_logs"]] == ["update", "update", "create"]
    (stored,) = (await api.get("activities/", ids=activity_id))["results"]
    assert stored["object"] == "note:3"
    assert "x" not in stored


async def test_entries_are_stamped_by_the_store_clock(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = datetime(2030, 1, 1, tzinfo=timezone.utc)
    monkeypatch.setattr(database, "utcnow", lambda: frozen)
    first = await api.add("user:alice", actor="userid:1")
    second = await api.add("user:alice", actor="userid:1")
    page = await logs(api, user_id="userid:1")
    stamps = [entry["created_at"] for entry in page["audit_logs"]]
    assert stamps == sorted(set(stamps), reverse=True)
    assert stamps[0] > second["time"] + "Z"
    assert stamps[1] > first["time"] + "Z"


async def test_an_activity_is_deleted_when_the_last_feed_lets_go(api: Api) -> None:
    added = await api.add("user:alice", to=["user:bob"])
    await api.delete(f"feed/user/bob/{added['id']}/")
    assert [e["action"] for e in (await logs(api, user_id="alice"))["audit_logs"]] == ["create"]
    await api.delete(f"feed/user/alice/{added['id']}/")
    assert [e["action"] for e in (await logs(api, user_id="alice"))["audit_logs"]] == [
        "delete",
        "create",
    ]


async def test_reactions_are_logged_with_their_user(api: Api) -> None:
    reaction = await api.react("activity-1", user_id="carol")
    rid = reaction["id"]
    await api.put(f"reaction/{rid}/", {"data": {"x": 1}})
    await api.delete(f"reaction/{rid}/", soft="true")
    await api.put(f"reaction/{rid}/restore/", {})
    await api.delete(f"reaction/{rid}/")
    page = await logs(api, entity_type="reaction", entity_id=rid)
    assert [e["action"] for e in page["audit_logs"]] == [
        "delete",
        "update",
        "delete",
        "update",
        "create",
    ]
    assert {e["user_id"] for e in page["audit_logs"]} == {"carol"}


async def test_users_are_logged(api: Api) -> None:
    await api.post("user/", {"id": "dave", "data": {}})
    await api.post("user/", {"id": "dave"}, get_or_create="true")
    await api.put("user/dave/", {"data": {"a": 1}})
    await api.delete("user/dave/")
    page = await logs(api, entity_type="user", entity_id="dave")
    assert actions(page) == [
        ("user", "dave", "delete", "dave"),
        ("user", "dave", "update", "dave"),
        ("user", "dave", "create", "dave"),
    ]


async def test_filters_combine(api: Api) -> None:
    await api.post("user/", {"id": "erin"})
    await api.react("activity-1", user_id="erin")
    only_users = await logs(api, user_id="erin", entity_type="user")
    assert actions(only_users) == [("user", "erin", "create", "erin")]
    assert len((await logs(api, user_id="erin"))["audit_logs"]) == 2
    none = await logs(api, entity_type="feed", entity_id="user:erin")
    assert none == {"audit_logs": [], "next": "", "prev": ""}


async def test_next_and_prev_cursors_walk_the_log(api: Api) -> None:
    await api.post("user/", {"id": "frank"})
    for number in range(4):
        await api.put("user/frank/", {"data": {"n": number}})
    first = await logs(api, user_id="frank", limit=2)
    assert [e["action"] for e in first["audit_logs"]] == ["update", "update"]
    assert first["prev"] == ""
    assert first["next"]
    second = await logs(api, user_id="frank", limit=2, next=first["next"])
    third = await logs(api, user_id="frank", limit=2, next=second["next"])
    assert [e["action"] for e in third["audit_logs"]] == ["create"]
    assert third["next"] == ""
    assert third["prev"]
    back = await logs(api, user_id="frank", limit=2, prev=third["prev"])
    assert back["audit_logs"] == second["audit_logs"]
    assert back["next"] == second["next"]
    top = await logs(api, user_id="frank", limit=2, prev=back["prev"])
    assert top["audit_logs"] == first["audit_logs"]
    assert top["prev"] == ""
    assert top["next"] == first["next"]


async def test_a_full_last_page_ends_with_an_empty_next(api: Api) -> None:
    await api.post("user/", {"id": "gina"})
    await api.put("user/gina/", {"data": {}})
    page = await logs(api, user_id="gina", limit=2)
    assert len(page["audit_logs"]) == 2
    assert page["next"] == ""


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"entity_type": "activity"},
        {"entity_id": "x"},
        {"entity_type": "comment", "entity_id": "x"},
        {"user_id": "a", "limit": "0"},
        {"user_id": "a", "limit": "101"},
        {"user_id": "a", "limit": "many"},
        {"user_id": "a", "next": "bm90LWEtY3Vyc29y"},
        {"user_id": "a", "next": "%%%"},
        {"user_id": "a", "next": "A"},  # not base64
        {"user_id": "a", "next": "_w"},  # not UTF-8
        {"user_id": "a", "next": "bHQ6wrI"},  # "lt:²", a digit int() refuses
        {"user_id": "a", "prev": "bHQ6MQ"},  # a next cursor given as prev
        {"user_id": "a", "next": "bHQ6MQ", "prev": "Z3Q6MQ"},
    ],
)
async def test_bad_queries_are_400_code_4(api: Api, params: dict[str, str]) -> None:
    error(await api.request("GET", "audit_logs/", params=params), 400, 4)


async def test_limit_bounds_are_accepted(api: Api) -> None:
    await logs(api, user_id="a", limit="1")
    await logs(api, user_id="a", limit="100")


async def test_flags_answer_201_and_are_audited(api: Api, emulator: Emulator) -> None:
    added = await api.add("user:alice", actor="SU:alice")
    reaction = await api.react(added["id"], user_id="bob")
    user = await api.post(
        "moderation/flag",
        {"entity_type": "stream:user", "entity_id": "mallory", "user_id": "alice",
         "reason": "spam", "custom": {"note": 1}},
    )  # fmt: skip
    assert set(user) == {"flag_id", "flagged_by", "reason", "created_at", "target_user_id"}
    assert (user["flagged_by"], user["reason"], user["target_user_id"]) == (
        "alice",
        "spam",
        "mallory",
    )
    assert Z_TIME.fullmatch(user["created_at"])
    activity = await api.post(
        "moderation/flag/",
        {"entity_type": "stream:feeds:v2:activity", "entity_id": added["id"], "user_id": "bob",
         "reason": "rude"},
    )  # fmt: skip
    assert activity["target_user_id"] == "alice"
    flagged = await api.post(
        "moderation/flag",
        {"entity_type": "stream:feeds:v2:reaction", "entity_id": reaction["id"],
         "user_id": "carol", "reason": "abuse"},
    )  # fmt: skip
    assert flagged["target_user_id"] == "bob"
    unknown = await api.post(
        "moderation/flag",
        {"entity_type": "stream:feeds:v2:reaction", "entity_id": "nope", "user_id": "carol",
         "reason": "abuse"},
    )  # fmt: skip
    assert "target_user_id" not in unknown
    gone = await api.post(
        "moderation/flag",
        {"entity_type": "stream:feeds:v2:activity", "entity_id": "nope", "user_id": "carol",
         "reason": "abuse"},
    )  # fmt: skip
    assert "target_user_id" not in gone
    page = await logs(api, entity_type="user", entity_id="mallory")
    assert page["audit_logs"][0]["action"] == "flag"
    assert page["audit_logs"][0]["user_id"] == "alice"
    assert page["audit_logs"][0]["custom"] == {"flag_id": user["flag_id"], "reason": "spam"}
    by_reaction = await logs(api, entity_type="reaction", entity_id=reaction["id"])
    assert [e["action"] for e in by_reaction["audit_logs"]] == ["flag", "create"]
    flags, total = emulator.store.flags(10)
    assert total == 5
    assert flags[-1].custom == {"note": 1}
    assert flags[0].id == gone["flag_id"]


@pytest.mark.parametrize(
    "body",
    [
        {"entity_type": "user", "entity_id": "x", "user_id": "a", "reason": "r"},
        {"entity_type": "stream:user", "user_id": "a", "reason": "r"},
        {"entity_type": "stream:user", "entity_id": "x", "reason": "r"},
        {"entity_type": "stream:user", "entity_id": "x", "user_id": "a"},
        {"entity_type": "stream:user", "entity_id": "x", "user_id": "a", "reason": ""},
        {"entity_type": "stream:user", "entity_id": "x", "user_id": "a", "reason": "r",
         "custom": [1]},
    ],
)  # fmt: skip
async def test_bad_flags_are_400_code_4(api: Api, body: dict[str, Any]) -> None:
    error(await api.request("POST", "moderation/flag", json=body), 400, 4)


FLAG = {"entity_type": "stream:user", "entity_id": "x", "user_id": "a", "reason": "r"}


async def test_exact_scopes_are_accepted(api: Api) -> None:
    reader = token(resource="audit_logs", action="read", feed_id="*")
    writer = token(resource="moderation", action="write", feed_id="*")
    ok_get = await api.request("GET", "audit_logs/", params={"user_id": "a"}, auth=reader)
    assert ok_get.status_code == 200
    ok_post = await api.request("POST", "moderation/flag", json=FLAG, auth=writer)
    assert ok_post.status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "claims"),
    [
        ("GET", "audit_logs/", {"user_id": "a"}),
        ("GET", "audit_logs/", {"resource": "audit_logs", "action": "write", "feed_id": "*"}),
        ("GET", "audit_logs/", {"resource": "moderation", "action": "read", "feed_id": "*"}),
        ("GET", "audit_logs/", {"resource": "audit_logs", "action": "read", "feed_id": "user1"}),
        ("POST", "moderation/flag", {"user_id": "a"}),
        ("POST", "moderation/flag", {"resource": "moderation", "action": "read", "feed_id": "*"}),
        ("POST", "moderation/flag", {"resource": "audit_logs", "action": "write", "feed_id": "*"}),
    ],
)
async def test_user_tokens_and_other_scopes_are_403_code_17(
    api: Api, method: str, path: str, claims: dict[str, str]
) -> None:
    response = await api.request(
        method,
        path,
        params={"user_id": "a"} if method == "GET" else None,
        json=FLAG if method == "POST" else None,
        auth=token(**claims),
    )
    error(response, 403, 17)


async def test_reset_forgets_the_log_and_flags(api: Api, emulator: Emulator) -> None:
    await api.post("user/", {"id": "hank"})
    await api.post("moderation/flag", FLAG)
    emulator.reset()
    assert (await logs(api, user_id="hank"))["audit_logs"] == []
    assert emulator.store.flags(10) == ([], 0)


async def test_the_log_and_flags_survive_a_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(data_dir=tmp_path)

    async def session(emulator: Emulator) -> tuple[Api, httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=emulator.app)
        client = httpx.AsyncClient(transport=transport, base_url="http://emulator")
        return Api(client), client

    first, http = await session(Emulator(config))
    await first.post("user/", {"id": "ivy"})
    await first.post("moderation/flag", {**FLAG, "entity_id": "ivy"})
    await http.aclose()
    restarted = Emulator(config)
    second, http = await session(restarted)
    await second.put("user/ivy/", {"data": {"n": 1}})
    page = await logs(second, entity_type="user", entity_id="ivy")
    assert [e["action"] for e in page["audit_logs"]] == ["update", "flag", "create"]
    assert restarted.store.flags(10)[1] == 1
    await http.aclose()
    restarted.store.close()


async def test_deleting_what_is_not_stored_logs_nothing(emulator: Emulator) -> None:
    with emulator.store.transaction():
        emulator.store.delete_user("nobody")
        emulator.store.delete_reaction("nothing")
    assert emulator.store.audit_entries({}, limit=10) == []
