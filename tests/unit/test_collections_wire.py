"""What ``client.collections`` refuses to send, and its references. What it sends is
pinned over a socket in tests/contract/."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.models import (
    CollectionObject,
)
from stream_async.resources import Collections, collection_reference
from tests.support.payloads import COLLECTION_OBJECT

pytestmark = pytest.mark.anyio

OBJECT = COLLECTION_OBJECT


async def test_empty_batches_send_nothing(client: AsyncStreamClient, router: respx.Router) -> None:
    upserted = await client.collections.upsert("food", [])
    selected = await client.collections.select("food", [])
    deleted = await client.collections.delete_many("food", [])
    assert upserted.data == {"food": []}
    assert selected.objects == []
    assert deleted.raw_response is None
    assert router.calls.call_count == 0


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
