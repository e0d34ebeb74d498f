"""Request limits: body sizes (413 code 18), image pixels, rate limits (429 code 9)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image

from stream_async.emulator import Emulator, EmulatorConfig
from tests.emulator.conftest import ADMIN, API_KEY, Api, error, ok

pytestmark = pytest.mark.asyncio

MIB = 1024 * 1024
JSON_LIMIT = 5 * MIB
UPLOAD_LIMIT = 100 * MIB


def _activity_of_size(size: int) -> bytes:
    """A valid activity body of exactly ``size`` bytes."""
    empty = json.dumps({"actor": "a", "verb": "v", "object": "o", "pad": ""}).encode()
    body = json.dumps({"actor": "a", "verb": "v", "object": "o", "pad": "x" * (size - len(empty))})
    assert len(body.encode()) == size
    return body.encode()


def _api(emulator: Emulator) -> Api:
    transport = httpx.ASGITransport(app=emulator.app)
    return Api(httpx.AsyncClient(transport=transport, base_url="http://emulator"))


async def test_json_bodies_up_to_5_mib_are_read(api: Api) -> None:
    at_limit = await api.request("POST", "feed/user/1/", content=_activity_of_size(JSON_LIMIT))
    assert len(ok(at_limit, 201)["pad"]) > JSON_LIMIT - 100


async def test_a_json_body_past_5_mib_is_413_code_18(api: Api) -> None:
    over = await api.request("POST", "feed/user/1/", content=_activity_of_size(JSON_LIMIT + 1))
    body = error(over, 413, 18)
    assert body["detail"] == f"request body is too large: the limit is {JSON_LIMIT} bytes"
    assert (await api.read("user:1"))["results"] == []


async def test_the_limit_is_checked_before_authentication(api: Api) -> None:
    """An unauthenticated oversized body is refused for its size, from Content-Length alone."""
    response = await api.client.post(
        "/api/v1.0/feed/user/1/",
        params={"api_key": API_KEY},
        content=b"{}",
        headers={"Content-Length": str(JSON_LIMIT + 1)},
    )
    error(response, 413, 18)


async def test_a_streamed_body_is_cut_off_at_the_limit() -> None:
    """Without Content-Length (chunked), the body is counted while it arrives."""
    emulator = Emulator(EmulatorConfig(max_json_bytes=1000))
    api = _api(emulator)
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for index in range(100):
            sent.append(index)
            yield b" " * 100

    response = await api.client.post(
        "/api/v1.0/feed/user/1/",
        params={"api_key": API_KEY},
        content=chunks(),
        headers={"Authorization": ADMIN},
    )
    error(response, 413, 18)
    assert len(sent) == 11  # the eleventh chunk crosses 1,000 bytes; nothing more is read
    fitting = await api.request("POST", "feed/user/1/", content=_activity_of_size(1000))
    ok(fitting, 201)
    await api.client.aclose()


async def test_uploads_may_be_larger_than_json_bodies(api: Api) -> None:
    data = b"x" * (JSON_LIMIT + 1)
    uploaded = await api.request("POST", "files/", files={"file": ("big.bin", data)})
    assert ok(uploaded, 201)["file"].endswith("/big.bin?v=1")


async def test_an_upload_past_100_mib_is_413(api: Api) -> None:
    for path in ("files/", "images/"):
        response = await api.client.post(
            f"/api/v1.0/{path}",
            params={"api_key": API_KEY},
            content=b"--x--",
            headers={
                "Authorization": ADMIN,
                "Content-Type": "multipart/form-data; boundary=x",
                "Content-Length": str(UPLOAD_LIMIT + 1),
            },
        )
        detail = error(response, 413, 18)["detail"]
        assert detail == f"request body is too large: the limit is {UPLOAD_LIMIT} bytes"


async def test_upload_limit_is_settable() -> None:
    api = _api(Emulator(EmulatorConfig(max_upload_bytes=1000)))
    small = await api.request("POST", "files/", files={"file": ("a.bin", b"x" * 10)})
    ok(small, 201)
    large = await api.request("POST", "files/", files={"file": ("a.bin", b"x" * 1000)})
    error(large, 413, 18)
    await api.client.aclose()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` but carries no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


async def test_images_past_50_megapixels_are_refused_before_decoding(api: Api) -> None:
    over = await api.request(
        "POST", "images/", files={"file": ("big.png", _png_header(1, 50_000_001), "image/png")}
    )
    assert error(over, 400, 4)["detail"] == (
        "image is too large: 1x50000001 pixels is more than the limit of 50000000 pixels"
        " (50 megapixels)"
    )
    at_limit = await api.request(
        "POST", "images/", files={"file": ("big.png", _png_header(1, 50_000_000), "image/png")}
    )
    # Within the limit the header passes; the missing pixel data is what fails then.
    detail = error(at_limit, 400, 4)["detail"]
    assert detail == "File type application/octet-stream is not supported"


async def test_pixel_limit_is_settable() -> None:
    api = _api(Emulator(EmulatorConfig(max_image_pixels=800)))

    def png(width: int, height: int) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), "red").save(buffer, format="PNG")
        return buffer.getvalue()

    fits = await api.request("POST", "images/", files={"file": ("a.png", png(40, 20))})
    ok(fits, 201)
    too_big = await api.request("POST", "images/", files={"file": ("a.png", png(41, 20))})
    assert "limit of 800 pixels" in error(too_big, 400, 4)["detail"]
    await api.client.aclose()


async def test_rate_limit_is_reported_not_enforced_by_default(api: Api) -> None:
    for _ in range(3):
        response = await api.request("GET", "feed/user/1/")
    assert response.status_code == 200
    assert response.headers["x-ratelimit-limit"] == "2000"
    assert "retry-after" not in response.headers


async def test_an_enforced_rate_limit_answers_429_code_9() -> None:
    api = _api(Emulator(EmulatorConfig(rate_limit=3, enforce_rate_limit=True)))
    for remaining in ("2", "1", "0"):
        response = await api.request("GET", "feed/user/1/")
        assert response.status_code == 200
        assert response.headers["x-ratelimit-remaining"] == remaining
    limited = await api.request("GET", "feed/user/1/")
    body = error(limited, 429, 9)
    assert body["exception"] == "RateLimitReached"  # the name §5 suggests
    assert body["detail"] == "rate limit reached: at most 3 requests per minute"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["x-ratelimit-limit"] == "3"
    assert limited.headers["x-ratelimit-remaining"] == "0"
    await api.client.aclose()


async def test_a_reported_limit_is_not_enforced_without_the_option() -> None:
    api = _api(Emulator(EmulatorConfig(rate_limit=1)))
    for _ in range(2):
        response = await api.request("GET", "feed/user/1/")
    assert response.status_code == 200
    assert response.headers["x-ratelimit-remaining"] == "0"
    await api.client.aclose()


@pytest.mark.parametrize(
    ("method", "path", "make", "cap", "created"),
    [
        (
            "POST",
            "feed/user/1/",
            lambda n: {
                "activities": [{"actor": "a", "verb": "v", "object": f"o{i}"} for i in range(n)]
            },
            100,
            201,
        ),
        (
            "POST",
            "follow_many/",
            lambda n: [{"source": f"timeline:{i}", "target": "user:1"} for i in range(n)],
            2500,
            201,
        ),
        (
            "POST",
            "unfollow_many/",
            lambda n: [{"source": f"timeline:{i}", "target": "user:1"} for i in range(n)],
            2500,
            201,
        ),
        (
            "POST",
            "activity/",
            lambda n: {"changes": [{"id": "missing", "set": {"a": 1}}] * n},
            100,
            404,
        ),
        (
            "POST",
            "collections/",
            lambda n: {"data": {"food": [{"id": f"i{i}"} for i in range(n)]}},
            1000,
            201,
        ),
    ],
)
async def test_batch_caps_accept_the_cap_and_refuse_one_more(
    api: Api, method: str, path: str, make: Any, cap: int, created: int
) -> None:
    at_cap = await api.request(method, path, json=make(cap))
    assert at_cap.status_code == created, at_cap.text
    over = await api.request(method, path, json=make(cap + 1))
    assert f"at most {cap} items (got {cap + 1})" in error(over, 400, 4)["detail"]
