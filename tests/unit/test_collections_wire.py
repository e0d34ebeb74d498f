"""What ``client.collections`` puts on the wire and what it refuses to send."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import jwt
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.models import (
    CollectionObject,
    CollectionObjectResponse,
    EmptyResponse,
    SelectCollectionsResponse,
    UpsertCollectionsResponse,
)
from stream_async.resources import Collections, collection_reference
from tests.conftest import API_KEY, API_SECRET, BASE_URL, claims

pytestmark = pytest.mark.anyio

OBJECT: dict[str, Any] = {
    "id": "cheese",
    "collection": "food",
    "foreign_id": "food:cheese",
    "data": {"name": "Cheese Burger"},
    "created_at": "2018-11-29T12:03:52.792967Z",
    "updated_at": "2018-11-29T12:28:20.735841Z",
}
READ = {"resource": "collections", "action": "read", "feed_id": "*"}
WRITE = {"resource": "collections", "action": "write", "feed_id": "*"}
DELETE = {"resource": "collections", "action": "delete", "feed_id": "*"}


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


@pytest.fixture
async def user_client(router: respx.Router) -> AsyncIterator[AsyncStreamClient]:
    """A client-side client (user token for ``alice``) answered by ``router``."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    token = jwt.encode({"user_id": "alice"}, API_SECRET, algorithm="HS256")
    async with AsyncStreamClient(
        api_key=API_KEY, token=token, base_url=BASE_URL, http_client=http
    ) as c:
        yield c
    await http.aclose()


async def test_add_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("collections/food/").respond(201, json={**OBJECT, "duration": "2ms"})
    result = await client.collections.add(
        "food", {"name": "Cheese Burger"}, id="cheese", user_id="alice"
    )

    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.path == "/api/v1.0/collections/food/"
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert claims(request) == WRITE
    assert body(request) == {"data": {"name": "Cheese Burger"}, "id": "cheese", "user_id": "alice"}
    assert isinstance(result, CollectionObjectResponse)
    assert result.foreign_id == "food:cheese"
    assert result.created_at == datetime(2018, 11, 29, 12, 3, 52, 792967, tzinfo=timezone.utc)
    assert result.duration == "2ms"


async def test_add_without_id_sends_only_data(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("collections/food/").respond(201, json=OBJECT)
    await client.collections.add("food", {"name": "x"})
    assert body(route.calls.last.request) == {"data": {"name": "x"}}


async def test_client_side_add_leaves_user_id_out(
    user_client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("collections/food/").respond(201, json=OBJECT)
    await user_client.collections.add("food", {"name": "x"}, id="cheese", user_id="alice")
    request = route.calls.last.request
    assert body(request) == {"data": {"name": "x"}, "id": "cheese"}
    assert claims(request) == {"user_id": "alice"}


async def test_get_update_delete_wire_shapes(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    got = router.get("collections/food/cheese-1/").respond(200, json=OBJECT)
    put = router.put("collections/food/cheese-1/").respond(201, json=OBJECT)
    deleted = router.delete("collections/food/cheese-1/").respond(200, json={"duration": "1ms"})

    result = await client.collections.get("food", "cheese-1")
    await client.collections.update("food", "cheese-1", {"name": "Gouda"})
    removed = await client.collections.delete("food", "cheese-1")

    assert isinstance(result, CollectionObjectResponse)
    assert result.data == {"name": "Cheese Burger"}
    assert claims(got.calls.last.request) == READ
    assert got.calls.last.request.content == b""
    assert body(put.calls.last.request) == {"data": {"name": "Gouda"}}
    assert claims(put.calls.last.request) == WRITE
    assert claims(deleted.calls.last.request) == DELETE
    assert deleted.calls.last.request.method == "DELETE"
    assert isinstance(removed, EmptyResponse)


async def test_upsert_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    items: list[dict[str, Any]] = [{"id": "a", "name": "A"}, {"id": "b-2", "data": {"x": 1}}]
    route = router.post("collections/").respond(
        201, json={"data": {"food": items}, "duration": "3ms"}
    )
    result = await client.collections.upsert("food", items)

    request = route.calls.last.request
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert claims(request) == WRITE
    assert body(request) == {"data": {"food": items}}
    assert isinstance(result, UpsertCollectionsResponse)
    assert result.data == {"food": items}


async def test_select_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    upserted = {**OBJECT, "id": "b", "foreign_id": "food:b", "data": {"id": "b", "x": 1}}
    route = router.get("collections/").respond(
        200, json={"response": {"data": [OBJECT, upserted]}, "duration": "1ms"}
    )
    result = await client.collections.select("food", ["cheese", "b"])

    request = route.calls.last.request
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("foreign_ids", "food:cheese,food:b"),
    ]
    assert claims(request) == READ
    assert isinstance(result, SelectCollectionsResponse)
    assert [o.id for o in result.objects] == ["cheese", "b"]
    assert all(isinstance(o, CollectionObject) for o in result.objects)
    assert result.objects[1].data == {"id": "b", "x": 1}


async def test_delete_many_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.delete("collections/").respond(200, json={"duration": "1ms"})
    result = await client.collections.delete_many("food", ("a", "b"))
    request = route.calls.last.request
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("collection_name", "food"),
        ("ids", "a,b"),
    ]
    assert claims(request) == DELETE
    assert isinstance(result, EmptyResponse)


async def test_empty_batches_send_nothing(client: AsyncStreamClient, router: respx.Router) -> None:
    upserted = await client.collections.upsert("food", [])
    selected = await client.collections.select("food", [])
    deleted = await client.collections.delete_many("food", [])
    assert upserted.data == {"food": []}
    assert selected.objects == []
    assert deleted.raw_response is None
    assert router.calls.call_count == 0


async def test_batches_split_at_1000_ids(client: AsyncStreamClient, router: respx.Router) -> None:
    def found(request: httpx.Request) -> httpx.Response:
        keys = request.url.params["foreign_ids"].split(",")
        data = [
            {
                "id": k.split(":")[1],
                "collection": "food",
                "foreign_id": k,
                "data": {},
                "created_at": "2020-01-01T00:00:00Z",
                "updated_at": "2020-01-01T00:00:00Z",
            }
            for k in keys
        ]
        return httpx.Response(200, json={"response": {"data": data}})

    select = router.get("collections/").mock(side_effect=found)
    delete = router.delete("collections/").respond(200, json={"duration": "1ms"})
    ids = [str(i) for i in range(2001)]
    result = await client.collections.select("food", ids)
    assert select.call_count == 3
    assert sorted(o.id for o in result.objects) == sorted(ids)
    await client.collections.delete_many("food", ids)
    sizes = sorted(len(c.request.url.params["ids"].split(",")) for c in delete.calls)
    assert sizes == [1, 1000, 1000]


LONG = "x" * 256


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "field"),
    [
        ("add", ("foo-bar", {"a": 1}), {}, "collection_name"),
        ("add", ("", {"a": 1}), {}, "collection_name"),
        ("add", (LONG, {"a": 1}), {}, "collection_name"),
        ("add", ("food", {}), {}, "data"),
        ("add", ("food", "text"), {}, "data"),
        ("add", ("food", {"a": 1}), {"id": "!abc!"}, "id"),
        ("add", ("food", {"a": 1}), {"id": LONG}, "id"),
        ("add", ("food", {"a": 1}), {"user_id": ""}, "user_id"),
        ("get", ("food", ""), {}, "id"),
        ("get", ("food", "a/b"), {}, "id"),
        ("get", ("fo od", "a"), {}, "collection_name"),
        ("update", ("food", "a", {}), {}, "data"),
        ("update", ("food", "a", None), {}, "data"),
        ("delete", ("food", None), {}, "id"),
        ("upsert", ("food", {"id": "a"}), {}, "items"),
        ("upsert", ("food", "a"), {}, "items"),
        ("upsert", ("food", ["a"]), {}, "items[0]"),
        ("upsert", ("food", [{"name": "no id"}]), {}, "items[0].id"),
        ("upsert", ("food", [{"id": "a"}, {"id": "a"}]), {}, "items[1].id"),
        ("upsert", ("foo:d", [{"id": "a"}]), {}, "collection_name"),
        ("select", ("food", "a,b"), {}, "ids"),
        ("select", ("food", ["a", "b c"]), {}, "ids[1]"),
        ("delete_many", ("food", [""]), {}, "ids[0]"),
        ("delete_many", ("", ["a"]), {}, "collection_name"),
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
        await getattr(client.collections, method)(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


def test_create_reference() -> None:
    entry = CollectionObject.model_validate(OBJECT)
    assert collection_reference("food", "cheese") == "SO:food:cheese"
    assert collection_reference(entry) == "SO:food:cheese"
    assert collection_reference({"collection": "food", "id": "b"}) == "SO:food:b"
    assert Collections.create_reference("food", "c") == "SO:food:c"
    bad: list[tuple[Any, ...]] = [("food",), ("food", "a b"), (entry, "x"), ({"id": "b"},)]
    for bad_args in bad:
        with pytest.raises(StreamValidationError):
            collection_reference(*bad_args)


async def test_namespace(client: AsyncStreamClient) -> None:
    assert client.collections.create_reference("food", "a") == "SO:food:a"
    assert repr(client.collections) == "Collections()"
