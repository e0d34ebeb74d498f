"""Users: add, get_or_create, get with follow counts, update, delete (§3.5)."""

from __future__ import annotations

import re

import pytest

from tests.emulator.conftest import Api, error

pytestmark = pytest.mark.asyncio

USER_KEYS = {"id", "data", "created_at", "updated_at"}
Z_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


async def test_add_and_get(api: Api) -> None:
    added = await api.post("user/", {"id": "alice", "data": None})
    assert set(added) == USER_KEYS
    assert added["data"] == {}
    assert Z_TIME.fullmatch(added["created_at"])
    assert added["created_at"] == added["updated_at"]
    assert await api.get("user/alice/") == added


async def test_adding_twice_is_409_code_22_unless_get_or_create(api: Api) -> None:
    added = await api.post("user/", {"id": "alice", "data": {"a": 1}})
    again = await api.request("POST", "user/", json={"id": "alice", "data": {"a": 2}})
    assert error(again, 409, 22)["exception"] == "ConflictException"
    kept = await api.post("user/", {"id": "alice", "data": {"a": 2}}, get_or_create="True")
    assert kept == added
    created = await api.post("user/", {"id": "bob"}, get_or_create="true")
    assert created["id"] == "bob"


@pytest.mark.parametrize(
    "body",
    [{"id": "alice", "data": "text"}, {"data": {}}, {"id": ""}, {"id": "x" * 256}, {"id": 3}],
)
async def test_invalid_users_are_400(api: Api, body: dict[str, object]) -> None:
    error(await api.request("POST", "user/", json=body), 400, 4)


async def test_follow_counts_count_timeline_to_user_follows(api: Api) -> None:
    await api.post("user/", {"id": "alice"})
    await api.follow("timeline:bob", "user:alice")
    await api.follow("timeline:carol", "user:alice")
    await api.follow("flat:dave", "user:alice")
    await api.follow("timeline:alice", "user:bob")
    await api.follow("timeline:alice", "flat:x")
    plain = await api.get("user/alice/")
    assert "followers_count" not in plain
    counted = await api.get("user/alice/", with_follow_counts="true")
    assert (counted["followers_count"], counted["following_count"]) == (2, 1)


async def test_update_and_delete(api: Api) -> None:
    added = await api.post("user/", {"id": "alice", "data": {"a": 1}})
    updated = await api.put("user/alice/", {"data": {"b": 2}})
    assert updated["data"] == {"b": 2}
    assert updated["created_at"] == added["created_at"]
    assert updated["updated_at"] > added["updated_at"]
    error(await api.request("PUT", "user/alice/", json={"data": [1]}), 400, 4)
    assert await api.delete("user/alice/") == {}
    error(await api.request("GET", "user/alice/"), 404, 16)
    error(await api.request("PUT", "user/alice/", json={"data": {}}), 404, 16)
    error(await api.request("DELETE", "user/alice/", json={}), 404, 16)
