"""User tokens on the client-side endpoints, and the server scopes of the new endpoints."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import Api, error, ok, token

pytestmark = pytest.mark.asyncio

ALICE = token(user_id="alice")
BOB = token(user_id="bob")


async def test_reactions_act_as_the_token_user(api: Api) -> None:
    activity = await api.add("user:1")
    body = {"kind": "like", "activity_id": activity["id"]}
    added = ok(await api.request("POST", "reaction/", json=body, auth=ALICE), 201)
    assert added["user_id"] == "alice"
    same = {**body, "user_id": "alice"}
    ok(await api.request("POST", "reaction/", json=same, auth=ALICE), 201)
    other = {**body, "user_id": "bob"}
    # client-side-policies §3.3: a foreign user_id in the body is a 400, not a 403
    error(await api.request("POST", "reaction/", json=other, auth=ALICE), 400, 4)
    path = f"reaction/{added['id']}/"
    ok(await api.request("GET", path, auth=BOB))
    error(await api.request("PUT", path, json={"data": {}}, auth=BOB), 403, 17)
    error(await api.request("DELETE", path, json={}, auth=BOB), 403, 17)
    ok(await api.request("DELETE", path, params={"soft": "1"}, json={}, auth=ALICE))
    error(await api.request("PUT", f"{path}restore/", auth=BOB), 403, 17)
    ok(await api.request("PUT", f"{path}restore/", auth=ALICE), 201)
    ok(await api.request("PUT", path, json={"data": {"x": 1}}, auth=ALICE), 201)
    own = await api.request(
        "GET", "reaction/user_id/alice/", params={"with_own_children": "true"}, auth=ALICE
    )
    assert ok(own)["results"][0]["own_children"] == {}


async def test_users_can_only_write_themselves(api: Api) -> None:
    ok(await api.request("POST", "user/", json={"id": "alice"}, auth=ALICE), 201)
    error(await api.request("POST", "user/", json={"id": "bob"}, auth=ALICE), 403, 17)
    ok(await api.request("GET", "user/alice/", auth=BOB))
    error(await api.request("PUT", "user/alice/", json={"data": {}}, auth=BOB), 403, 17)
    error(await api.request("DELETE", "user/alice/", json={}, auth=BOB), 403, 17)
    ok(await api.request("PUT", "user/alice/", json={"data": {"a": 1}}, auth=ALICE), 201)
    ok(await api.request("DELETE", "user/alice/", json={}, auth=ALICE))


async def test_collection_objects_belong_to_the_token_user(api: Api) -> None:
    body = {"id": "pizza", "data": {"a": 1}}
    ok(await api.request("POST", "collections/food/", json=body, auth=ALICE), 201)
    other = {"id": "soup", "data": {"a": 1}, "user_id": "bob"}
    # client-side-policies §4 rule 9: a foreign body user_id is a 400 (collections too)
    error(await api.request("POST", "collections/food/", json=other, auth=ALICE), 400, 4)
    error(await api.request("PUT", "collections/food/pizza/", json=body, auth=BOB), 403, 17)
    ok(await api.request("PUT", "collections/food/pizza/", json=body, auth=ALICE), 201)
    error(await api.request("DELETE", "collections/food/pizza/", json={}, auth=BOB), 403, 17)
    await api.post("collections/food/", {"id": "server", "data": {"a": 1}})
    ok(await api.request("DELETE", "collections/food/server/", json={}, auth=BOB))
    batch = await api.request(
        "GET", "collections/", params={"foreign_ids": "food:pizza"}, auth=ALICE
    )
    error(batch, 403, 17)


async def test_uploads_belong_to_the_token_user(api: Api) -> None:
    files = {"file": ("a.txt", b"x", "text/plain")}
    uploaded = ok(await api.request("POST", "files/", files=files, auth=ALICE), 201)
    params = {"url": uploaded["file"]}
    error(await api.request("DELETE", "files/", params=params, json={}, auth=BOB), 403, 17)
    ok(await api.request("DELETE", "files/", params=params, json={}, auth=ALICE))


async def test_open_graph_takes_user_tokens(api: Api) -> None:
    error(await api.request("GET", "og/", params={"url": "ftp://x"}, auth=ALICE), 400, 4)


@pytest.mark.parametrize(
    ("method", "path", "resource", "action"),
    [
        ("POST", "reaction/", "reactions", "write"),
        ("GET", "reaction/x/", "reactions", "read"),
        ("DELETE", "reaction/x/", "reactions", "delete"),
        ("POST", "user/", "users", "write"),
        ("GET", "user/x/", "users", "read"),
        ("GET", "collections/", "collections", "read"),
        ("POST", "collections/", "collections", "write"),
        ("DELETE", "collections/", "collections", "delete"),
        ("GET", "collections/food/x/", "collections", "read"),
        ("POST", "files/", "files", "write"),
        ("DELETE", "images/", "files", "delete"),
        ("GET", "images/", "files", "read"),
        ("GET", "og/", "*", "read"),
    ],
)
async def test_least_privilege_server_scopes(
    api: Api, method: str, path: str, resource: str, action: str
) -> None:
    right = token(resource=resource, action=action, feed_id="*")
    response = await api.request(method, path, json={}, auth=right)
    assert response.status_code != 403, response.text
    wrong_resource = token(resource="feed", action=action, feed_id="*")
    error(await api.request(method, path, json={}, auth=wrong_resource), 403, 17)
    other = "read" if action != "read" else "write"
    wrong_action = token(resource=resource, action=other, feed_id="*")
    error(await api.request(method, path, json={}, auth=wrong_action), 403, 17)
