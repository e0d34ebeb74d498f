"""Batch users on ``users/`` (more-endpoints.md §1): add many with and without ``override``,
get many (missing ids omitted), delete many; server tokens only, scoped like ``user/``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Api, error, token

pytestmark = pytest.mark.asyncio

USER_KEYS = {"id", "data", "created_at", "updated_at"}


async def test_add_many_creates_and_answers_201(api: Api) -> None:
    body = {"users": [{"id": "u1", "data": {"a": 1}}, {"id": "u2", "data": {"b": 2}}]}
    added = await api.post("users/", {**body, "override": True})
    assert [u["id"] for u in added["created_users"]] == ["u1", "u2"]
    assert all(set(u) == USER_KEYS for u in added["created_users"])
    assert [u["data"] for u in added["created_users"]] == [{"a": 1}, {"b": 2}]
    assert await api.get("user/u1/") == added["created_users"][0]


async def test_without_override_existing_users_are_untouched_and_not_listed(api: Api) -> None:
    first = await api.post("user/", {"id": "u1", "data": {"v": "old"}})
    body = {"users": [{"id": "u1", "data": {"v": "new"}}, {"id": "u2"}], "override": False}
    added = await api.post("users/", body)
    assert [u["id"] for u in added["created_users"]] == ["u2"]
    assert added["created_users"][0]["data"] == {}
    assert await api.get("user/u1/") == first
    # No "override" at all means false, as the JavaScript client's default.
    again = await api.post("users/", {"users": [{"id": "u1", "data": {"v": "x"}}]})
    assert again["created_users"] == []


async def test_override_replaces_data_and_keeps_created_at(api: Api) -> None:
    first = await api.post("user/", {"id": "u1", "data": {"v": "old"}})
    body = {"users": [{"id": "u1", "data": {"v": "new"}}], "override": True}
    (replaced,) = (await api.post("users/", body))["created_users"]
    assert replaced["data"] == {"v": "new"}
    assert replaced["created_at"] == first["created_at"]
    assert replaced["updated_at"] > first["updated_at"]
    assert (await api.get("user/u1/"))["data"] == {"v": "new"}


async def test_get_many_omits_missing_ids(api: Api) -> None:
    await api.post("users/", {"users": [{"id": "u1", "data": {"a": 1}}, {"id": "u2"}]})
    found = await api.get("users/", ids="u2,nobody,u1")
    assert [u["id"] for u in found["users"]] == ["u2", "u1"]
    assert found["users"][1]["data"] == {"a": 1}
    assert (await api.get("users/", ids="nobody")) == {"users": []}


async def test_delete_many_then_get_many_is_empty(api: Api) -> None:
    await api.post("users/", {"users": [{"id": "u1"}, {"id": "u2"}, {"id": "u3"}]})
    assert await api.delete("users/", ids="u1,u2,nobody") == {}
    assert (await api.get("users/", ids="u1,u2"))["users"] == []
    assert [u["id"] for u in (await api.get("users/", ids="u3"))["users"]] == ["u3"]


@pytest.mark.parametrize(
    "body",
    [
        {"users": "u1"},
        {"users": ["u1"]},
        {"users": [{"id": ""}]},
        {"users": [{"id": "u1", "data": [1]}]},
        {"users": [{"id": "u1"}, {"id": "u1"}]},
        {"users": [{"id": "u1"}], "override": "maybe"},
        {"users": [{"id": f"u{i}"} for i in range(101)]},
    ],
)
async def test_bad_add_many_is_400_code_4(api: Api, body: dict[str, Any]) -> None:
    error(await api.request("POST", "users/", json=body), 400, 4)
    assert (await api.get("users/", ids="u1"))["users"] == []


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_reads_and_deletes_need_ids(api: Api, method: str) -> None:
    error(await api.request(method, "users/"), 400, 4)
    many = ",".join(f"u{i}" for i in range(101))
    error(await api.request(method, "users/", params={"ids": many}), 400, 4)


SCOPED = [
    ("POST", "write", {"users": [{"id": "u1"}]}, 201),
    ("GET", "read", None, 200),
    ("DELETE", "delete", None, 200),
]


@pytest.mark.parametrize(("method", "action", "body", "status"), SCOPED)
async def test_scopes_are_users_by_verb(
    api: Api, method: str, action: str, body: Any, status: int
) -> None:
    right = token(resource="users", action=action, feed_id="*")
    response = await api.request(method, "users/", params={"ids": "u1"}, json=body, auth=right)
    assert response.status_code == status
    wrong_action = token(
        resource="users", action="read" if action != "read" else "write", feed_id="*"
    )
    error(
        await api.request(method, "users/", params={"ids": "u1"}, json=body, auth=wrong_action),
        403,
        17,
    )
    other = token(resource="collections", action="*", feed_id="*")
    error(await api.request(method, "users/", params={"ids": "u1"}, json=body, auth=other), 403, 17)
    user = token(user_id="u1")
    error(await api.request(method, "users/", params={"ids": "u1"}, json=body, auth=user), 403, 17)
