"""What ``client.users`` puts on the wire and what it refuses to send."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.models import EmptyResponse, User, UserResponse
from stream_async.resources import Users, user_reference
from tests.conftest import API_KEY, claims

pytestmark = pytest.mark.anyio

STORED: dict[str, Any] = {
    "id": "alice",
    "data": {"name": "Alice"},
    "created_at": "2018-12-27T13:02:03.013191Z",
    "updated_at": "2018-12-27T13:02:03.013191Z",
    "duration": "0.9ms",
}


def body(request: Any) -> Any:
    return json.loads(request.content)


@pytest.mark.parametrize(("get_or_create", "sent"), [(False, "false"), (True, "true")])
async def test_add_wire_shape(
    client: AsyncStreamClient, router: respx.Router, get_or_create: bool, sent: str
) -> None:
    route = router.post("user/").respond(201, json=STORED)
    result = await client.users.add("alice", {"name": "Alice"}, get_or_create=get_or_create)

    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.path == "/api/v1.0/user/"
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("get_or_create", sent),
    ]
    assert claims(request) == {"resource": "users", "action": "write", "feed_id": "*"}
    assert body(request) == {"id": "alice", "data": {"name": "Alice"}}
    assert isinstance(result, UserResponse)
    assert result.data == {"name": "Alice"}
    assert result.created_at == datetime(2018, 12, 27, 13, 2, 3, 13191, tzinfo=timezone.utc)
    assert result.followers_count is None
    assert result.duration == "0.9ms"


async def test_add_without_data_sends_only_the_id(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("user/").respond(201, json={**STORED, "data": {}})
    result = await client.users.add("alice")
    assert body(route.calls.last.request) == {"id": "alice"}
    assert result.data == {}


async def test_get_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("user/alice/").respond(200, json=STORED)
    result = await client.users.get("alice")
    request = route.calls.last.request
    assert request.method == "GET"
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert claims(request) == {"resource": "users", "action": "read", "feed_id": "*"}
    assert result.id == "alice"


async def test_get_with_follow_counts(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("user/alice/").respond(
        200, json={**STORED, "followers_count": 3, "following_count": 5}
    )
    result = await client.users.get("alice", with_follow_counts=True)
    assert dict(route.calls.last.request.url.params) == {
        "api_key": API_KEY,
        "with_follow_counts": "true",
    }
    assert (result.followers_count, result.following_count) == (3, 5)


async def test_update_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.put("user/alice/").respond(201, json=STORED)
    await client.users.update("alice", {"name": "Al"})
    request = route.calls.last.request
    assert request.method == "PUT"
    assert body(request) == {"data": {"name": "Al"}}
    assert claims(request) == {"resource": "users", "action": "write", "feed_id": "*"}


async def test_delete_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.delete("user/alice/").respond(200, json={"duration": "1ms"})
    result = await client.users.delete("alice")
    request = route.calls.last.request
    assert request.method == "DELETE"
    assert request.content == b""
    assert claims(request) == {"resource": "users", "action": "delete", "feed_id": "*"}
    assert isinstance(result, EmptyResponse)


async def test_user_ids_are_percent_encoded(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get(url__regex=r".*").respond(200, json=STORED)
    await client.users.get("a b/..")
    assert route.calls.last.request.url.raw_path.startswith(b"/api/v1.0/user/a%20b%2F../?")


LONG = "u" * 256


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "field"),
    [
        ("add", ("",), {}, "user_id"),
        ("add", (LONG,), {}, "user_id"),
        ("add", (7,), {}, "user_id"),
        ("add", ("alice", "data"), {}, "data"),
        ("add", ("alice", ["a"]), {}, "data"),
        ("add", ("alice",), {"get_or_create": "yes"}, "get_or_create"),
        ("get", ("",), {}, "user_id"),
        ("get", ("alice",), {"with_follow_counts": 1}, "with_follow_counts"),
        ("update", ("alice", None), {}, "data"),
        ("update", (None, {}), {}, "user_id"),
        ("delete", (LONG,), {}, "user_id"),
    ],
)
async def test_bad_input_raises_before_sending(
    client: AsyncStreamClient,
    router: respx.Router,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await getattr(client.users, method)(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


def test_create_reference() -> None:
    user = User.model_validate(STORED)
    assert user_reference("alice") == "SU:alice"
    assert user_reference(user) == "SU:alice"
    assert user_reference({"id": "bob", "data": {}}) == "SU:bob"
    assert Users.create_reference("carol") == "SU:carol"
    with pytest.raises(StreamValidationError):
        user_reference({"name": "no id"})
    with pytest.raises(StreamValidationError):
        user_reference("")


async def test_create_reference_on_the_namespace(client: AsyncStreamClient) -> None:
    assert client.users.create_reference("alice") == "SU:alice"
    assert repr(client.users) == "Users()"
