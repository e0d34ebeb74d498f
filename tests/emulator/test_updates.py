"""GET activities/, full updates (POST activities/) and partial updates (POST activity/)."""

from __future__ import annotations

from typing import Any

import pytest

from stream_async.emulator import Emulator
from tests.emulator.conftest import Api, error

pytestmark = pytest.mark.asyncio

TIME = "2021-06-01T12:00:00.123456"


async def _post(api: Api, **fields: Any) -> dict[str, Any]:
    return await api.add("user:1", foreign_id="post:1", time=TIME, **fields)


async def test_get_activities_by_ids(api: Api) -> None:
    first = await api.add("user:1")
    second = await api.add("user:2")
    found = await api.get("activities/", ids=f"{second['id']},missing,{first['id']}")
    assert [item["id"] for item in found["results"]] == [second["id"], first["id"]]
    assert set(found) == {"results"}
    repeated = await api.request(
        "GET", "enrich/activities/", params=[("ids", first["id"]), ("ids", second["id"])]
    )
    assert [item["id"] for item in repeated.json()["results"]] == [first["id"], second["id"]]


async def test_get_activities_by_foreign_ids_and_timestamps(api: Api) -> None:
    added = await _post(api)
    other = await api.add("user:1", foreign_id="post:2", time="2021-06-02T00:00:00")
    found = await api.get(
        "activities/",
        foreign_ids="post:1,post:2,post:3",
        timestamps=f"{TIME},2021-06-02T00:00:00.000Z,2021-06-03T00:00:00",
    )
    assert [item["id"] for item in found["results"]] == [added["id"], other["id"]]
    java_millis = await api.get("activities/", foreign_ids="post:1", timestamps=TIME[:-3])
    assert [item["id"] for item in java_millis["results"]] == [added["id"]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"foreign_ids": "a,b", "timestamps": TIME},
        {"foreign_ids": "a", "timestamps": "soon"},
        {"ids": ",".join(f"id{i}" for i in range(101))},
    ],
)
async def test_get_activities_errors(api: Api, params: dict[str, str]) -> None:
    error(await api.request("GET", "activities/", params=params), 400, 4)


async def test_full_update_replaces_fields_and_keeps_id_and_to(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    added = await _post(api, extra="old", to=["topic:1"])
    update = {"actor": "bob", "verb": "edit", "object": 7, "foreign_id": "post:1", "time": TIME}
    assert await api.post("activities/", {"activities": [{**update, "to": ["topic:9"]}]}) == {}
    for feed, origin in (("user:1", None), ("timeline:1", "user:1"), ("topic:1", None)):
        [item] = (await api.read(feed))["results"]
        assert item == {
            **update,
            "object": "7",
            "id": added["id"],
            "target": "",
            "origin": origin,
            "to": ["topic:1"],
        }


async def test_full_update_of_unknown_activity_stores_it_outside_feeds(api: Api) -> None:
    update = {"actor": "a", "verb": "v", "object": "o", "foreign_id": "new:1", "time": TIME}
    await api.post("activities/", {"activities": [update]})
    found = await api.get("activities/", foreign_ids="new:1", timestamps=TIME)
    assert [item["actor"] for item in found["results"]] == ["a"]
    assert (await api.read("user:1"))["results"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"activities": [{"actor": "a", "verb": "v", "object": "o", "time": TIME}]},
        {"activities": [{"actor": "a", "verb": "v", "object": "o", "foreign_id": "x"}]},
        {"activities": {"actor": "a"}},
        {},
        {
            "activities": [
                {"actor": "a", "verb": "v", "object": "o", "foreign_id": "x", "time": TIME}
            ]
            * 101
        },
    ],
)
async def test_full_update_errors_change_nothing(api: Api, body: dict[str, Any]) -> None:
    added = await _post(api)
    batch = {"activities": [{**added, "actor": "changed"}, *body.get("activities", [])]}
    if not isinstance(body.get("activities"), list):
        batch = body
    error(await api.request("POST", "activities/", json=batch), 400, 4)
    assert (await api.read("user:1"))["results"][0]["actor"] == "alice"


async def test_partial_update_single_form_by_id(api: Api) -> None:
    added = await _post(api, product={"price": 10, "name": "x"}, gone=1, tags=[1])
    change = {
        "id": added["id"],
        "set": {"product.price": 20, "foo.bar.baz": True, "verb": "edit", "object": 42},
        "unset": ["gone", "product.name", "missing.path", "tags.0"],
    }
    updated = await api.post("activity/", change)
    assert updated["product"] == {"price": 20}
    assert updated["foo"] == {"bar": {"baz": True}}
    assert updated["verb"] == "edit"
    assert updated["object"] == "42"
    assert "gone" not in updated
    assert updated["tags"] == [1]
    assert updated["id"] == added["id"]
    assert updated["time"] == added["time"]
    assert (await api.read("user:1"))["results"][0] == {**updated, "origin": None}


async def test_partial_update_batch_form_by_foreign_id(api: Api) -> None:
    first = await _post(api, score=1)
    second = await api.add("user:1", foreign_id="post:2", time=TIME)
    changes = [
        {"foreign_id": "post:1", "time": TIME, "set": {"score": 2}},
        {"id": second["id"], "unset": ["actor_extra"]},
        {"foreign_id": "post:1", "time": TIME, "set": {"bonus": 1}},
    ]
    result = await api.post("activity/", {"changes": changes})
    assert [item["id"] for item in result["activities"]] == [first["id"], second["id"], first["id"]]
    stored = await api.get("activities/", ids=first["id"])
    assert stored["results"][0]["score"] == 2
    assert stored["results"][0]["bonus"] == 1


def _many(count: int) -> dict[str, int]:
    return {f"k{i}": i for i in range(count)}


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"set": _many(26)}, 400, 4),
        ({"unset": [f"k{i}" for i in range(26)]}, 400, 4),
        ({"set": {"a": 1}, "unset": ["a"]}, 400, 4),
        ({"set": {"a.b": 1}, "unset": ["a"]}, 400, 4),
        ({"set": {"a": 1}, "unset": ["a.b"]}, 400, 4),
        ({"set": {"time": TIME}}, 400, 4),
        ({"set": {"id": "x"}}, 400, 4),
        ({"set": {"to": ["user:2"]}}, 400, 4),
        ({"unset": ["foreign_id"]}, 400, 4),
        ({"unset": ["actor"]}, 400, 4),
        ({"set": {"actor": {"id": 1}}}, 400, 4),
        ({"set": {"": 1}}, 400, 4),
        ({"set": {"a..b": 1}}, 400, 4),
        ({"set": {"actor.name": "x"}}, 400, 4),
        ({"set": ["a"]}, 400, 4),
        ({"unset": "a"}, 400, 4),
        ({"unset": [1]}, 400, 4),
    ],
)
async def test_partial_update_rules(
    api: Api, change: dict[str, Any], status: int, code: int
) -> None:
    added = await _post(api)
    error(await api.request("POST", "activity/", json={"id": added["id"], **change}), status, code)
    assert (await api.read("user:1"))["results"][0] == added


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"set": {"a": 1}}, 400, 4),
        ({"foreign_id": "post:1", "set": {"a": 1}}, 400, 4),
        ({"id": "missing", "set": {"a": 1}}, 404, 16),
        ({"foreign_id": "post:9", "time": TIME, "set": {"a": 1}}, 404, 16),
        ({"changes": "nope"}, 400, 4),
        ({"changes": ["nope"]}, 400, 4),
        ({"changes": [{"foreign_id": "post:1", "time": TIME, "set": {"a": 1}}] * 101}, 400, 4),
    ],
)
async def test_partial_update_addressing_errors(
    api: Api, body: dict[str, Any], status: int, code: int
) -> None:
    added = await _post(api)
    error(await api.request("POST", "activity/", json=body), status, code)
    assert (await api.read("user:1"))["results"][0] == added


async def test_partial_update_batch_is_all_or_nothing(api: Api, emulator: Emulator) -> None:
    added = await _post(api, nested="text")
    changes = [
        {"id": added["id"], "set": {"fine": 1}},
        {"id": added["id"], "set": {"nested.deeper": 1}},
    ]
    error(await api.request("POST", "activity/", json={"changes": changes}), 400, 4)
    missing = [{"id": added["id"], "set": {"fine": 1}}, {"id": "missing", "set": {"a": 1}}]
    error(await api.request("POST", "activity/", json={"changes": missing}), 404, 16)
    assert "fine" not in emulator.store.activity(added["id"]).data  # type: ignore[union-attr]
