"""Open Graph scraping through an injected httpx transport (§3.8)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.emulator.og import MAX_BYTES, NOT_FOUND
from tests.emulator.conftest import Api, error

pytestmark = pytest.mark.asyncio

PAGE = """<html><head>
<title>ignored</title>
<meta property="og:title" content="The Rock">
<meta property="og:title" content="second title ignored">
<meta property="og:type" content="video.movie">
<meta property="og:url" content="https://example.test/rock">
<meta property="og:site_name" content="IMDb">
<meta name="og:description" content="A movie">
<meta property="og:locale" content="en_US">
<meta property="og:determiner" content="the">
<meta property="og:site" content="example">
<meta property="og:image" content="https://example.test/rock.jpg">
<meta property="og:image:width" content="300">
<meta property="og:image:height" content="200">
<meta property="og:image:alt" content="A rock">
<meta property="og:image" content="https://example.test/rock2.jpg">
<meta property="og:image:secure_url" content="https://example.test/rock2s.jpg">
<meta property="og:image:unknown" content="dropped">
<meta property="og:video:url" content="https://example.test/rock.mp4">
<meta property="og:video:type" content="video/mp4">
<meta property="og:audio" content="https://example.test/rock.mp3">
<meta property="og:audio:type" content="audio/mpeg">
<meta property="og:unknown" content="dropped">
<meta property="twitter:card" content="dropped">
<meta property="og:title">
<meta content="no name">
<link rel="stylesheet" href="/style.css">
<link rel="shortcut icon" href="/favicon.ico">
</head><body></body></html>"""


def _serve(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/moved":
        return httpx.Response(301, headers={"Location": "https://example.test/page"})
    if path == "/page":
        return httpx.Response(200, text=PAGE, headers={"Content-Type": "text/html"})
    if path == "/plain":
        return httpx.Response(200, text="<html><head><title>x</title></head></html>")
    if path == "/huge":
        return httpx.Response(
            200, content=b'<meta property="og:title" content="big">' + b" " * MAX_BYTES
        )
    if path == "/down":
        raise httpx.ConnectError("refused", request=request)
    return httpx.Response(404, text="missing")


@pytest_asyncio.fixture
async def og_api() -> AsyncIterator[Api]:
    """An API whose emulator fetches pages through :func:`_serve`."""
    emulator = Emulator(EmulatorConfig(og_transport=httpx.MockTransport(_serve)))
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        yield Api(client)


async def test_og_data_of_a_page(og_api: Api) -> None:
    found = await og_api.get("og/", url="https://example.test/moved")
    assert found == {
        "title": "The Rock",
        "type": "video.movie",
        "url": "https://example.test/rock",
        "site_name": "IMDb",
        "description": "A movie",
        "locale": "en_US",
        "determiner": "the",
        "site": "example",
        "favicon": "https://example.test/favicon.ico",
        "original_url": "https://example.test/moved",
        "images": [
            {
                "image": "https://example.test/rock.jpg",
                "width": "300",
                "height": "200",
                "alt": "A rock",
            },
            {
                "image": "https://example.test/rock2.jpg",
                "secure_url": "https://example.test/rock2s.jpg",
            },
        ],
        "videos": [{"url": "https://example.test/rock.mp4", "type": "video/mp4"}],
        "audios": [{"audio": "https://example.test/rock.mp3", "type": "audio/mpeg"}],
    }


async def test_reads_at_most_one_mebibyte(og_api: Api) -> None:
    assert (await og_api.get("og/", url="https://example.test/huge"))["title"] == "big"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.test/plain",
        "https://example.test/missing",
        "https://example.test/down",
        "ftp://example.test/page",
        "http://[invalid",
    ],
)
async def test_pages_without_og_data_are_400(og_api: Api, url: str) -> None:
    body = error(await og_api.request("GET", "og/", params={"url": url}), 400, 4)
    assert body["detail"] == NOT_FOUND
    assert body["exception"] == "InputException"


async def test_url_is_required(og_api: Api) -> None:
    error(await og_api.request("GET", "og/"), 400, 4)


async def test_default_fetcher_uses_the_network_transport() -> None:
    assert Emulator().config.og_transport is None
