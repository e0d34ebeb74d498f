"""Collections, files and images on the wire, on every sender; uploads as multipart parts.

Paths from stream-rest-api.txt: "Collection" (collections/(collection_name)/), "Collection
Detail" (collections/(collection_name)/(id)/), "Batch Collection" (collections/), "Files"
(files/), "Images" (images/). Claims from auth-scopes.md, "Least-privilege signing"
(collections and files: resource by name, action by verb, feed_id "*").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from stream_async import AsyncStreamClient
from stream_async.models import (
    CollectionObjectResponse,
    EmptyResponse,
    FileResponse,
    SelectCollectionsResponse,
    UpsertCollectionsResponse,
)
from tests.conftest import API_KEY, API_SECRET
from tests.contract.wire import Case, assert_common_headers, equal, params, run_case
from tests.support.multipart import file_part, payload
from tests.support.payloads import COLLECTION_OBJECT
from tests.support.recording import Recorded, RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

OBJECT = COLLECTION_OBJECT
CDN = "https://cdn.example.com/stream/photo.png?sig=1"


def scope(resource: str, action: str) -> dict[str, str]:
    return {"resource": resource, "action": action, "feed_id": "*"}


def collection_added(result: CollectionObjectResponse) -> None:
    assert isinstance(result, CollectionObjectResponse)
    assert result.foreign_id == "food:cheese"
    assert result.created_at == datetime(2018, 11, 29, 12, 3, 52, 792967, tzinfo=timezone.utc)
    assert result.duration == "2ms"


def selected(result: SelectCollectionsResponse) -> None:
    assert isinstance(result, SelectCollectionsResponse)
    assert [o.id for o in result.objects] == ["cheese", "b"]
    assert result.objects[1].data == {"id": "b", "x": 1}


def upserted(result: UpsertCollectionsResponse) -> None:
    assert isinstance(result, UpsertCollectionsResponse)
    assert result.data == {"food": [{"id": "a", "name": "A"}, {"id": "b-2", "data": {"x": 1}}]}


def empty(result: Any) -> None:
    assert isinstance(result, EmptyResponse)
    assert result.duration == "1ms"


def delete_upload(kind: str) -> Callable[[AsyncStreamClient], Awaitable[Any]]:
    return lambda c: getattr(c, kind).delete(CDN)


CASES = [
    Case(
        "collection_add",
        lambda c: c.collections.add(
            "food", {"name": "Cheese Burger"}, id="cheese", user_id="alice"
        ),
        "POST",
        "/api/v1.0/collections/food/",
        scope("collections", "write"),
        body={"data": {"name": "Cheese Burger"}, "id": "cheese", "user_id": "alice"},
        reply=Reply(201, {**OBJECT, "duration": "2ms"}),
        check=collection_added,
    ),
    Case(
        "collection_add_data_only",
        lambda c: c.collections.add("food", {"name": "x"}),
        "POST",
        "/api/v1.0/collections/food/",
        scope("collections", "write"),
        body={"data": {"name": "x"}},
        reply=Reply(201, OBJECT),
    ),
    Case(
        "collection_get",
        lambda c: c.collections.get("food", "cheese-1"),
        "GET",
        "/api/v1.0/collections/food/cheese-1/",
        scope("collections", "read"),
        reply=Reply(200, OBJECT),
        check=lambda r: equal(r.data, {"name": "Cheese Burger"}),
    ),
    Case(
        "collection_update",
        lambda c: c.collections.update("food", "cheese-1", {"name": "Gouda"}),
        "PUT",
        "/api/v1.0/collections/food/cheese-1/",
        scope("collections", "write"),
        body={"data": {"name": "Gouda"}},
        reply=Reply(201, OBJECT),
    ),
    Case(
        "collection_delete",
        lambda c: c.collections.delete("food", "cheese-1"),
        "DELETE",
        "/api/v1.0/collections/food/cheese-1/",
        scope("collections", "delete"),
        check=empty,
    ),
    Case(
        "collections_upsert",
        lambda c: c.collections.upsert(
            "food", [{"id": "a", "name": "A"}, {"id": "b-2", "data": {"x": 1}}]
        ),
        "POST",
        "/api/v1.0/collections/",
        scope("collections", "write"),
        body={"data": {"food": [{"id": "a", "name": "A"}, {"id": "b-2", "data": {"x": 1}}]}},
        reply=Reply(
            201, {"data": {"food": [{"id": "a", "name": "A"}, {"id": "b-2", "data": {"x": 1}}]}}
        ),
        check=upserted,
    ),
    Case(
        "collections_select",
        lambda c: c.collections.select("food", ["cheese", "b"]),
        "GET",
        "/api/v1.0/collections/",
        scope("collections", "read"),
        query=[("foreign_ids", "food:cheese,food:b")],
        reply=Reply(
            200,
            {
                "response": {
                    "data": [
                        OBJECT,
                        {**OBJECT, "id": "b", "foreign_id": "food:b", "data": {"id": "b", "x": 1}},
                    ]
                }
            },
        ),
        check=selected,
    ),
    Case(
        "collections_delete_many",
        lambda c: c.collections.delete_many("food", ("a", "b")),
        "DELETE",
        "/api/v1.0/collections/",
        scope("collections", "delete"),
        query=[("collection_name", "food"), ("ids", "a,b")],
        check=empty,
    ),
    *[
        Case(
            f"{kind}_delete",
            delete_upload(kind),
            "DELETE",
            f"/api/v1.0/{kind}/",
            scope("files", "delete"),
            query=[("url", CDN)],
            check=empty,
        )
        for kind in ("files", "images")
    ],
    Case(
        "image_process",
        lambda c: c.images.process(CDN, resize="crop", crop=["top", "left"], w=100, h=50),
        "GET",
        "/api/v1.0/images/",
        scope("files", "read"),
        query=[
            ("url", CDN),
            ("resize", "crop"),
            ("crop", "top,left"),
            ("w", "100"),
            ("h", "50"),
        ],
        reply=Reply(200, {"file": "https://cdn.example.com/p.png?w=100&h=50"}),
        check=lambda r: equal(r.file, "https://cdn.example.com/p.png?w=100&h=50"),
    ),
    Case(
        "image_process_one_crop",
        lambda c: c.images.process(CDN, crop="center"),
        "GET",
        "/api/v1.0/images/",
        scope("files", "read"),
        query=[("url", CDN), ("crop", "center")],
        reply=Reply(200, {"file": CDN}),
    ),
]


@params(CASES)
async def test_wire_shape(case: Case, sdk: AsyncStreamClient, server: RecordingServer) -> None:
    await run_case(case, sdk, server)


async def test_client_side_collection_add_leaves_user_id_out(
    user_sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(Reply(201, OBJECT))
    await user_sdk.collections.add("food", {"name": "x"}, id="cheese", user_id="eric")
    request = server.last
    assert (request.method, request.path) == ("POST", b"/api/v1.0/collections/food/")
    assert request.json() == {"data": {"name": "x"}, "id": "cheese"}
    assert request.claims(API_SECRET) == {"user_id": "eric"}


async def test_batches_split_at_1000_ids(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    def found(request: Recorded) -> Reply:
        keys = dict(request.query)["foreign_ids"].split(",")
        data = [{**OBJECT, "id": k.split(":")[1], "foreign_id": k} for k in keys]
        return Reply(200, {"response": {"data": data}})

    server.script(found, found, found)
    ids = [str(i) for i in range(2001)]
    result = await sdk.collections.select("food", ids)
    assert sorted(o.id for o in result.objects) == sorted(ids)
    sizes = sorted(len(dict(r.query)["foreign_ids"].split(",")) for r in server.requests)
    assert sizes == [1, 1000, 1000]
    server.reset()
    await sdk.collections.delete_many("food", ids)
    sizes = sorted(len(dict(r.query)["ids"].split(",")) for r in server.requests)
    assert sizes == [1, 1000, 1000]


def only_part(request: Recorded) -> Message:
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    return file_part(request.headers["content-type"], request.body)


def assert_upload(request: Recorded, kind: str) -> None:
    assert (request.method, request.path.decode()) == ("POST", f"/api/v1.0/{kind}/")
    assert request.query == [("api_key", API_KEY)]
    assert request.claims(API_SECRET) == scope("files", "write")
    assert_common_headers(request)


async def test_upload_bytes(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    server.script(Reply(201, {"file": CDN, "duration": "40ms"}))
    result = await sdk.files.upload(b"hello world", filename="hello.txt")
    request = server.last
    assert_upload(request, "files")
    part = only_part(request)
    assert (part.get_filename(), part.get_content_type()) == ("hello.txt", "text/plain")
    assert payload(part) == b"hello world"
    assert isinstance(result, FileResponse)
    assert (result.file, result.url, result.duration) == (CDN, CDN, "40ms")


async def test_upload_defaults(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    server.script(Reply(201, {"file": CDN}), Reply(201, {"file": CDN}))
    await sdk.files.upload(bytearray(b"\x00\x01"))
    await sdk.files.upload(b"{}", filename="data.bin", content_type="application/json")
    first, second = (only_part(r) for r in server.requests)
    assert (first.get_filename(), first.get_content_type()) == ("file", "application/octet-stream")
    assert payload(first) == b"\x00\x01"
    assert (second.get_filename(), second.get_content_type()) == ("data.bin", "application/json")


async def test_upload_a_large_image_from_a_path(
    sdk: AsyncStreamClient, server: RecordingServer, tmp_path: Path
) -> None:
    photo = tmp_path / "holiday photo.jpg"
    photo.write_bytes(bytes(range(256)) * 8192)  # 2 MiB, larger than one read
    server.script(Reply(201, {"file": CDN}))
    result = await sdk.images.upload(photo)
    request = server.last
    assert_upload(request, "images")
    part = only_part(request)
    assert (part.get_filename(), part.get_content_type()) == ("holiday photo.jpg", "image/jpeg")
    assert payload(part) == photo.read_bytes()
    assert result.file == CDN


async def test_upload_an_open_file_from_its_position(
    sdk: AsyncStreamClient, server: RecordingServer, tmp_path: Path
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 ...")
    server.script(Reply(201, {"file": CDN}))
    with report.open("rb") as handle:
        handle.read(3)
        await sdk.files.upload(handle)
        assert not handle.closed
    part = only_part(server.last)
    assert (part.get_filename(), part.get_content_type()) == ("report.pdf", "application/pdf")
    assert payload(part) == b"%PDF-1.4 ..."


async def test_image_upload_with_explicit_type(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(Reply(201, {"file": CDN}))
    await sdk.images.upload(b"\x89PNG", content_type="image/png")
    assert_upload(server.last, "images")
    part = only_part(server.last)
    assert (part.get_filename(), part.get_content_type()) == ("file", "image/png")
    assert payload(part) == b"\x89PNG"
