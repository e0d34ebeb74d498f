"""Collections: per-object calls and the batch upsert, select and delete (§3.6)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.emulator.conftest import Api, error, ok

pytestmark = pytest.mark.asyncio

OBJECT_KEYS = {"id", "collection", "foreign_id", "data", "created_at", "updated_at"}
Z_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


async def test_add_get_update_delete(api: Api) -> None:
    added = await api.post("collections/food/", {"id": "pizza", "data": {"slices": 8}})
    assert set(added) == OBJECT_KEYS
    assert (added["collection"], added["foreign_id"]) == ("food", "food:pizza")
    assert Z_TIME.fullmatch(added["created_at"])
    assert await api.get("collections/food/pizza/") == added
    updated = await api.put("collections/food/pizza/", {"data": {"slices": 6}, "id": "pizza"})
    assert updated["data"] == {"slices": 6}
    assert updated["updated_at"] > added["updated_at"]
    assert await api.delete("collections/food/pizza/") == {}
    error(await api.request("GET", "collections/food/pizza/"), 404, 16)
    error(await api.request("DELETE", "collections/food/pizza/", json={}), 404, 16)
    error(await api.request("PUT", "collections/food/pizza/", json={"data": {"a": 1}}), 404, 16)
    again = await api.post("collections/food/", {"id": "pizza", "data": {"slices": 4}})
    assert again["updated_at"] > updated["updated_at"]


async def test_generated_ids_and_conflicts(api: Api) -> None:
    added = await api.post("collections/food/", {"data": {"a": 1}, "id": None, "user_id": None})
    assert len(added["id"]) == 36
    assert uuid.UUID(added["id"])
    body = {"id": added["id"], "data": {"a": 2}}
    assert error(await api.request("POST", "collections/food/", json=body), 409, 22)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("collections/food/", {"data": {}}),
        ("collections/food/", {"data": "text"}),
        ("collections/food/", {"id": "!abcdee!", "data": {"a": 1}}),
        ("collections/fo!od/", {"data": {"a": 1}}),
        ("collections/food/", {"data": {"a": 1}, "user_id": 5}),
    ],
)
async def test_invalid_objects_are_400(api: Api, path: str, body: dict[str, Any]) -> None:
    error(await api.request("POST", path, json=body), 400, 4)


async def test_update_cannot_change_the_id_or_empty_the_data(api: Api) -> None:
    await api.post("collections/food/", {"id": "pizza", "data": {"a": 1}})
    moved = {"id": "other", "data": {"a": 2}}
    error(await api.request("PUT", "collections/food/pizza/", json=moved), 400, 4)
    error(await api.request("PUT", "collections/food/pizza/", json={"data": {}}), 400, 4)


async def test_upsert_select_and_delete_many(api: Api) -> None:
    await api.post("collections/food/", {"id": "old", "data": {"v": 0}})
    created = (await api.get("collections/food/old/"))["created_at"]
    items = {
        "food": [
            {"id": "old", "data": {"v": 1}, "user_id": "alice"},
            {"id": "new", "name": "flat field"},
        ],
        "drinks": [{"id": "tea", "data": {"hot": True}}],
    }
    upserted = await api.post("collections/", {"data": items})
    assert upserted == {"data": items}
    selected = await api.get("collections/", foreign_ids="food:old,drinks:tea,food:missing")
    data = selected["response"]["data"]
    assert [item["foreign_id"] for item in data] == ["food:old", "drinks:tea"]
    assert data[0]["data"] == {"id": "old", "data": {"v": 1}, "user_id": "alice"}
    assert data[0]["created_at"] == created
    assert set(data[1]) == OBJECT_KEYS
    params = [("collection_name", "food"), ("ids", "old"), ("ids", "new,missing")]
    assert ok(await api.request("DELETE", "collections/", params=params, json={})) == {}
    remaining = await api.get("collections/", foreign_ids="food:old,food:new,drinks:tea")
    assert [item["id"] for item in remaining["response"]["data"]] == ["tea"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"data": {}},
        {"data": {"food": {"id": "x"}}},
        {"data": {"food": ["x"]}},
        {"data": {"food": [{"name": "no id"}]}},
        {"data": {"food": [{"id": "a"}, {"id": "a"}]}},
        {"data": {"f!": [{"id": "a"}]}},
    ],
)
async def test_invalid_upserts_are_400(api: Api, body: dict[str, Any]) -> None:
    error(await api.request("POST", "collections/", json=body), 400, 4)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("GET", {}),
        ("GET", {"foreign_ids": "nocolon"}),
        ("DELETE", {"ids": "a"}),
        ("DELETE", {"collection_name": "food"}),
    ],
)
async def test_batch_queries_are_checked(api: Api, method: str, params: dict[str, str]) -> None:
    error(await api.request(method, "collections/", params=params, json={}), 400, 4)
