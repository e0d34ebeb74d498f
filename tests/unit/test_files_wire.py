"""``client.files`` and ``client.images``: uploads that stream from disk and close their
file, upload timeouts, and what they refuse to send. The wire shapes are pinned over a
socket in tests/contract/."""

from __future__ import annotations

import io
import os
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.errors import InternalServerError
from stream_async.resources import files as files_module
from tests.conftest import claims
from tests.support.multipart import file_part, payload

pytestmark = pytest.mark.anyio

CDN = "https://cdn.example.com/stream/photo.png?sig=1"
WRITE = {"resource": "files", "action": "write", "feed_id": "*"}


def form_file(request: httpx.Request) -> Message:
    """The single multipart part of an upload, parsed."""
    return file_part(request.headers["Content-Type"], request.content)


async def test_upload_uses_the_upload_timeout(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("files/").respond(201, json={"file": CDN})
    await client.files.upload(b"x")
    assert route.calls.last.request.extensions["timeout"]["write"] > client.timeout


async def test_upload_timeout_follows_with_options(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("images/").respond(201, json={"file": CDN})
    fast = client.with_options(upload_timeout=5, timeout=1)
    await fast.images.upload(b"x", filename="a.png")
    assert route.calls.last.request.extensions["timeout"]["read"] == 5
    deleted = router.delete("images/").respond(200, json={})
    await fast.images.delete(CDN)
    assert deleted.calls.last.request.extensions["timeout"]["read"] == 1


class CountingFile(io.FileIO):
    """A real file that records the largest read and whether it was closed."""

    largest_read = 0
    was_closed = False

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        CountingFile.largest_read = max(CountingFile.largest_read, len(data))
        return data

    def close(self) -> None:
        CountingFile.was_closed = True
        super().close()


@pytest.fixture
def counting_open(monkeypatch: pytest.MonkeyPatch) -> list[CountingFile]:
    opened: list[CountingFile] = []
    CountingFile.largest_read = 0
    CountingFile.was_closed = False

    def fake_open(location: str | os.PathLike[str]) -> CountingFile:
        stream = CountingFile(location, "rb")
        opened.append(stream)
        return stream

    monkeypatch.setattr(files_module, "_open", fake_open)
    return opened


async def test_path_upload_streams_and_closes(
    client: AsyncStreamClient,
    router: respx.Router,
    tmp_path: Path,
    counting_open: list[CountingFile],
) -> None:
    size = 6 * 1024 * 1024
    photo = tmp_path / "holiday photo.jpg"
    photo.write_bytes(os.urandom(1024) * (size // 1024))
    route = router.post("images/").respond(201, json={"file": CDN})

    result = await client.images.upload(photo)

    (stream,) = counting_open
    assert stream.closed
    assert CountingFile.was_closed
    assert 0 < CountingFile.largest_read <= 1024 * 1024, "the file was read whole"
    request = route.calls.last.request
    assert int(request.headers["Content-Length"]) > size
    part = form_file(request)
    assert part.get_filename() == "holiday photo.jpg"
    assert part.get_content_type() == "image/jpeg"
    assert payload(part) == photo.read_bytes()
    assert claims(request) == WRITE
    assert result.file == CDN


async def test_path_upload_closes_the_file_when_the_call_fails(
    client: AsyncStreamClient,
    router: respx.Router,
    tmp_path: Path,
    counting_open: list[CountingFile],
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hi")
    router.post("files/").respond(500, json={"detail": "boom", "code": -1})
    with pytest.raises(InternalServerError):
        await client.files.upload(str(notes))
    (stream,) = counting_open
    assert stream.closed


async def test_path_upload_of_a_small_file(
    client: AsyncStreamClient, router: respx.Router, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("# hi")
    route = router.post("files/").respond(201, json={"file": CDN})
    await client.files.upload(str(notes))
    part = form_file(route.calls.last.request)
    assert (part.get_filename(), part.get_content_type()) == ("notes.csv", "text/csv")
    assert payload(part) == b"# hi"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"url": "ftp://cdn.example.com/a.png"}, "url"),
        ({"url": "/relative/a.png"}, "url"),
        ({"url": "https://cdn.example.com/a b.png"}, "url"),
        ({"url": 5}, "url"),
        ({"resize": "stretch"}, "resize"),
        ({"crop": "middle"}, "crop"),
        ({"crop": []}, "crop"),
        ({"crop": ["top", "up"]}, "crop"),
        ({"crop": 1}, "crop"),
        ({"w": 0}, "w"),
        ({"w": True}, "w"),
        ({"h": -1}, "h"),
        ({"h": 2.5}, "h"),
    ],
)
async def test_bad_process_raises_before_sending(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    arguments = {"url": CDN, **kwargs}
    with pytest.raises(StreamValidationError) as info:
        await client.images.process(**arguments)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("file", "kwargs", "field"),
    [
        (123, {}, "file"),
        (None, {}, "file"),
        (io.StringIO("text"), {}, "file"),
        ("/no/such/file.txt", {}, "file"),
        (b"x", {"filename": ""}, "filename"),
        (b"x", {"filename": "../etc/passwd"}, "filename"),
        (b"x", {"filename": "a\r\nb.txt"}, "filename"),
        (b"x", {"filename": 5}, "filename"),
        (b"x", {"content_type": "png"}, "content_type"),
        (b"x", {"content_type": "text/plain\r\nX-Evil: 1"}, "content_type"),
    ],
)
async def test_bad_uploads_raise_before_sending(
    client: AsyncStreamClient, router: respx.Router, file: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.files.upload(file, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_a_directory_is_not_a_file(
    client: AsyncStreamClient, router: respx.Router, tmp_path: Path
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.files.upload(tmp_path)
    assert info.value.field == "file"
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("kwargs", "content_type"),
    [({}, "application/octet-stream"), ({"filename": "notes.txt"}, "text/plain")],
)
async def test_images_need_an_image_type(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], content_type: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.images.upload(b"x", **kwargs)
    assert info.value.field == "content_type"
    assert content_type in info.value.rule
    assert router.calls.call_count == 0


async def test_namespaces_repr(client: AsyncStreamClient) -> None:
    assert repr(client.images) == "Images()"
    assert repr(client.files) == "Files()"
