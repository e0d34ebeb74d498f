"""Open Graph scraping through an injected httpx transport (§3.8)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.emulator.handlers import open_graph
from stream_async.emulator.handlers.open_graph import MAX_BYTES, load_pages
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


async def public_resolver(host: str, port: int) -> list[str]:
    """Every name resolves to one public address (documentation range excluded)."""
    return ["93.184.216.34"]


@pytest_asyncio.fixture
async def og_api() -> AsyncIterator[Api]:
    """An API whose emulator fetches pages through :func:`_serve`."""
    config = EmulatorConfig(
        og_fetch=True, og_transport=httpx.MockTransport(_serve), og_resolver=public_resolver
    )
    emulator = Emulator(config)
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
    # §4: the JS client expects exactly this body for a page without Open Graph data.
    assert body["detail"] == "couldn't find og data for the provided url"
    assert body["exception"] == "InputException"


async def test_url_is_required(og_api: Api) -> None:
    error(await og_api.request("GET", "og/"), 400, 4)


async def test_default_fetcher_uses_the_network_transport() -> None:
    config = Emulator().config
    assert config.og_transport is None
    assert config.og_resolver is None
    assert config.og_fetch is False


async def test_unregistered_urls_get_made_up_data_without_network(api: Api) -> None:
    found = await api.get("og/", url="https://news.example/articles/42/")
    assert found == {
        "title": "news.example/articles/42",
        "description": (
            "Open Graph data made up by the Stream emulator for https://news.example/articles/42/"
        ),
        "url": "https://news.example/articles/42/",
        "site_name": "news.example",
        "original_url": "https://news.example/articles/42/",
    }
    assert await api.get("og/", url="https://news.example/articles/42/") == found
    error(await api.request("GET", "og/", params={"url": "http://[invalid"}), 400, 4)


async def test_registered_pages_are_scraped(emulator: Emulator, api: Api) -> None:
    emulator.register_og_page(url="https://example.test/rock", html=PAGE)
    found = await api.get("og/", url="https://example.test/rock")
    assert found["title"] == "The Rock"
    assert found["favicon"] == "https://example.test/favicon.ico"
    emulator.register_og_page(url="https://example.test/bare", html="<html></html>")
    bare = await api.request("GET", "og/", params={"url": "https://example.test/bare"})
    assert error(bare, 400, 4)["detail"] == "couldn't find og data for the provided url"


async def test_pages_load_from_a_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "rock.html").write_text(PAGE)
    (tmp_path / "notes.txt").write_text("ignored")
    assert load_pages(tmp_path) == {"https://example.test/rock": PAGE}
    (tmp_path / "copy.html").write_text(PAGE)
    with pytest.raises(
        ValueError, match=re.escape("rock.html claims https://example.test/rock, which another")
    ):
        load_pages(tmp_path)
    (tmp_path / "copy.html").write_text("<html></html>")
    with pytest.raises(ValueError, match=re.escape("copy.html has no og:url tag")):
        load_pages(tmp_path)
    with pytest.raises(NotADirectoryError):
        load_pages(tmp_path / "notes.txt")


def _guarded(addresses: dict[str, list[str]], serve: Any = _serve) -> Api:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in addresses:
            raise OSError(f"cannot resolve {host}")
        return addresses[host]

    config = EmulatorConfig(
        og_fetch=True, og_transport=httpx.MockTransport(serve), og_resolver=resolve
    )
    transport = httpx.ASGITransport(app=Emulator(config).app)
    return Api(httpx.AsyncClient(transport=transport, base_url="http://emulator"))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
async def test_fetching_refuses_internal_addresses(address: str) -> None:
    api = _guarded({"example.test": [address]})
    refused = await api.request("GET", "og/", params={"url": "https://example.test/page"})
    assert error(refused, 400, 4)["detail"] == "couldn't find og data for the provided url"
    await api.client.aclose()


async def test_one_internal_address_among_public_ones_is_refused() -> None:
    api = _guarded({"example.test": ["93.184.216.34", "127.0.0.1"]})
    error(await api.request("GET", "og/", params={"url": "https://example.test/page"}), 400, 4)
    await api.client.aclose()


async def test_redirects_are_checked_at_every_hop() -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.host == "public.test":
            return httpx.Response(302, headers={"Location": "http://inside.test/page"})
        return _serve(request)

    api = _guarded({"public.test": ["93.184.216.34"], "inside.test": ["10.0.0.1"]}, serve)
    error(await api.request("GET", "og/", params={"url": "https://public.test/"}), 400, 4)
    await api.client.aclose()


async def test_too_many_redirects_are_refused() -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/again"})

    api = _guarded({"loop.test": ["93.184.216.34"]}, serve)
    error(await api.request("GET", "og/", params={"url": "https://loop.test/"}), 400, 4)
    await api.client.aclose()


async def test_redirects_to_other_schemes_are_refused() -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "file:///etc/passwd"})

    api = _guarded({"public.test": ["93.184.216.34"]}, serve)
    error(await api.request("GET", "og/", params={"url": "https://public.test/"}), 400, 4)
    await api.client.aclose()


async def test_unresolvable_hosts_are_400() -> None:
    api = _guarded({})
    error(await api.request("GET", "og/", params={"url": "https://nowhere.test/"}), 400, 4)
    await api.client.aclose()


async def test_the_system_resolver_refuses_loopback_spellings() -> None:
    config = EmulatorConfig(og_fetch=True, og_transport=httpx.MockTransport(_serve))
    transport = httpx.ASGITransport(app=Emulator(config).app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        api = Api(client)
        for url in ("http://127.0.0.1/page", "http://localhost/page", "http://0x7f000001/page"):
            error(await api.request("GET", "og/", params={"url": url}), 400, 4)


async def test_one_deadline_covers_a_dripping_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(open_graph, "TIMEOUT", 0.3)

    class Drip(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(100):
                await asyncio.sleep(0.05)
                yield b" "

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Drip())

    api = _guarded({"slow.test": ["93.184.216.34"]}, serve)
    started = time.monotonic()
    error(await api.request("GET", "og/", params={"url": "https://slow.test/"}), 400, 4)
    assert time.monotonic() - started < 3  # generous: the page alone would take 5 s
    await api.client.aclose()
