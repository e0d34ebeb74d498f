"""Files and images: upload, serve, delete, process (§3.8)."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from stream_async.emulator import Emulator
from stream_async.emulator.handlers.files import image_type
from tests.emulator.conftest import ADMIN, API_KEY, Api, error, ok

pytestmark = pytest.mark.asyncio


def png(width: int = 40, height: int = 20, color: str = "red") -> bytes:
    """A small PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


async def _upload(api: Api, path: str, name: str, data: bytes, kind: str | None = None) -> Any:
    part = (name, data) if kind is None else (name, data, kind)
    return await api.request("POST", path, files={"file": part})


async def _fetch(api: Api, url: str) -> httpx.Response:
    return await api.client.get(urlsplit(url).path)


async def test_file_upload_is_served_back_and_deleted(api: Api) -> None:
    uploaded = ok(await _upload(api, "files/", "helloworld.txt", b"hello", "text/plain"), 201)
    url = uploaded["file"]
    assert url.startswith("http://emulator/uploads/")
    assert "helloworld.txt?" in url
    served = await _fetch(api, url)
    assert served.status_code == 200
    assert served.content == b"hello"
    assert served.headers["content-type"].startswith("text/plain")
    assert await api.delete("files/", url=url) == {}
    error(await _fetch(api, url), 404, 16)
    error(await api.request("DELETE", "files/", params={"url": url}, json={}), 404, 16)


async def test_served_name_must_match(api: Api) -> None:
    uploaded = ok(await _upload(api, "files/", "a.txt", b"x"), 201)
    wrong = uploaded["file"].replace("a.txt", "b.txt")
    error(await _fetch(api, wrong), 404, 16)


async def test_file_names_lose_their_directories(api: Api) -> None:
    uploaded = ok(await _upload(api, "files/", "..\\dir/evil.txt", b"x"), 201)
    assert "/evil.txt?" in uploaded["file"]
    unnamed = ok(await _upload(api, "files/", "/", b"x"), 201)
    assert "/file?" in unnamed["file"]


async def test_upload_needs_a_file_field(api: Api) -> None:
    response = await api.request("POST", "files/", files={"other": ("a.txt", b"x")})
    assert "file" in error(response, 400, 4)["exception_fields"]
    error(await api.request("POST", "files/", json={"file": "x"}), 400, 4)


async def test_broken_multipart_is_400(api: Api) -> None:
    response = await api.client.post(
        "/api/v1.0/files/",
        params={"api_key": API_KEY},
        headers={
            "Authorization": ADMIN,
            "Content-Type": "multipart/form-data; boundary=x",
        },
        content=b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--x--\r\n",
    )
    error(response, 400, 4)


async def test_images_must_be_images(api: Api) -> None:
    uploaded = ok(await _upload(api, "images/", "pic.png", png(), "image/png"), 201)
    served = await _fetch(api, uploaded["file"])
    assert served.headers["content-type"] == "image/png"
    # The refused type is sniffed from the bytes, not taken from the declared type.
    refused = await _upload(api, "images/", "notes.txt", b"not an image", "image/png")
    assert error(refused, 400, 4)["detail"] == "File type text/plain is not supported"
    typed = await _upload(api, "images/", "doc.pdf", b"%PDF-1.4\n", "image/png")
    assert error(typed, 400, 4)["detail"] == "File type application/pdf is not supported"
    untyped = await api.request("POST", "images/", files={"file": ("x", io.BytesIO(b"\0"), "")})
    assert error(untyped, 400, 4)["detail"] == "File type application/octet-stream is not supported"


async def test_image_type_needs_decodable_data() -> None:
    assert image_type(png(), 800) == "image/png"
    assert image_type(png()[:60], 800) is None
    assert image_type(b"", 800) is None


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        return width, height


async def _process(api: Api, url: str, **params: Any) -> bytes:
    processed = await api.get("images/process/", url=url, **params)
    assert processed["file"] != url
    return (await _fetch(api, processed["file"])).content


@pytest.mark.parametrize(
    ("params", "size"),
    [
        ({"w": "20", "h": "20"}, (20, 10)),
        ({"w": "20", "h": "20", "resize": "crop"}, (20, 20)),
        ({"w": "20", "h": "20", "resize": "crop", "crop": "top,left"}, (20, 20)),
        ({"w": "20", "h": "20", "resize": "crop", "crop": "bottom,right"}, (20, 20)),
        ({"w": "10", "h": "30", "resize": "scale"}, (10, 30)),
        ({"w": "20", "h": "20", "resize": "fill", "crop": "center"}, (20, 20)),
        ({"h": "10", "resize": "scale"}, (40, 10)),
    ],
)
async def test_image_processing(api: Api, params: dict[str, str], size: tuple[int, int]) -> None:
    url = ok(await _upload(api, "images/", "pic.png", png(), "image/png"), 201)["file"]
    assert _size(await _process(api, url, **params)) == size


async def test_images_get_also_processes(api: Api) -> None:
    url = ok(await _upload(api, "images/", "pic.png", png(), "image/png"), 201)["file"]
    processed = await api.get("images/", url=url, w="4", h="4", resize="scale")
    assert _size((await _fetch(api, processed["file"])).content) == (4, 4)


async def test_formats_pillow_cannot_write_become_png(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 8), "blue").save(buffer, format="JPEG")
    url = ok(await _upload(api, "images/", "pic.jpg", buffer.getvalue()), 201)["file"]
    original_save = Image.Image.save

    def save_png_only(image: Image.Image, fp: Any, format: str | None = None) -> None:
        if format != "PNG":
            raise KeyError(format)
        original_save(image, fp, format=format)

    monkeypatch.setattr(Image.Image, "save", save_png_only)
    processed = await api.get("images/", url=url, w="4", h="4", resize="fill")
    served = await _fetch(api, processed["file"])
    assert served.headers["content-type"] == "image/png"
    assert _size(served.content) == (4, 4)


@pytest.mark.parametrize(
    "params",
    [
        {"resize": "stretch"},
        {"crop": "middle"},
        {"w": "-1"},
        {"h": "0"},
        {"w": "abc"},
        {"w": "5000"},
        {"url": ""},
        {"url": "http://emulator/uploads/0123456789abcdef0123456789abcdef/x.png"},
        {"url": "http://elsewhere/x.png"},
    ],
)
async def test_bad_processing_requests(api: Api, params: dict[str, str]) -> None:
    url = ok(await _upload(api, "images/", "pic.png", png(), "image/png"), 201)["file"]
    response = await api.request("GET", "images/process/", params={"url": url, **params})
    assert response.status_code in (400, 404), response.text
    assert response.json()["exception"]


async def test_processing_a_plain_file_is_400(api: Api) -> None:
    url = ok(await _upload(api, "files/", "a.txt", b"x"), 201)["file"]
    error(await api.request("GET", "images/", params={"url": url, "w": "2"}), 400, 4)


async def test_images_delete_and_missing_url(api: Api, emulator: Emulator) -> None:
    url = ok(await _upload(api, "images/", "pic.png", png(), "image/png"), 201)["file"]
    assert await api.delete("images/", url=url) == {}
    assert emulator.store.file_summaries() == []
    error(await api.request("DELETE", "images/", json={}), 400, 4)


@pytest.mark.parametrize(
    ("declared", "served"),
    [
        ("text/plain", "text/plain"),
        ("image/png", "image/png"),
        ("application/pdf", "application/pdf"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
        ("text/xml", "application/octet-stream"),
    ],
)
async def test_only_inert_types_are_served_as_declared(
    api: Api, declared: str, served: str
) -> None:
    uploaded = ok(await _upload(api, "files/", "page.html", b"<script>1</script>", declared), 201)
    response = await _fetch(api, uploaded["file"])
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"].partition(";")[0] == served
    if served == "application/octet-stream":
        assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''page.html"
    else:
        assert "content-disposition" not in response.headers


@pytest.mark.parametrize("name", ["..", ".", "...", "a b#?.txt", "100%.txt", "ü.txt"])
async def test_any_file_name_gets_a_working_url(api: Api, name: str) -> None:
    uploaded = ok(await _upload(api, "files/", name, b"content", "text/plain"), 201)
    response = await api.client.get(uploaded["file"])
    assert response.status_code == 200, uploaded["file"]
    assert response.content == b"content"
