"""Open Graph: GET og/?url= fetches the page and answers its ``og:`` meta tags (§3.8 of the
API semantics).

The page is fetched with httpx (redirects followed, a 5 s timeout, at most 1 MiB read)
through the configured transport (``EmulatorConfig.og_transport``; None: the network) and
parsed with BeautifulSoup. ``og:title``, ``og:type``, ``og:url``, ``og:site``,
``og:site_name``, ``og:description``, ``og:determiner`` and ``og:locale`` become top-level
strings (the first one wins); each ``og:image``, ``og:video`` and ``og:audio`` starts an item
of ``images``, ``videos`` and ``audios`` (keys ``image``, ``video``, ``audio``) and their
sub-properties (``url``, ``secure_url``, ``type``, and for images and videos ``width``,
``height``, ``alt``) fill the latest item. ``favicon`` is the page's icon link, absolute;
``original_url`` the URL asked for.

A page without ``og:`` tags, or one that cannot be fetched (bad URL, network error, HTTP
error status), is a 400 code 4 "couldn't find og data for the provided url". Documented
choices: keys without a value are left out; a missing ``url`` parameter is a 400.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import httpx
from bs4 import BeautifulSoup, Tag

from stream_async.emulator.call import Call
from stream_async.emulator.errors import StreamError, input_error
from stream_async.emulator.routing import Reply
from stream_async.emulator.store import Store

NOT_FOUND = "couldn't find og data for the provided url"
TIMEOUT = 5.0
MAX_BYTES = 1 << 20
USER_AGENT = "stream-async-emulator (Open Graph)"
STRINGS = frozenset(
    {"title", "type", "url", "site", "site_name", "description", "determiner", "locale"}
)
MEDIA = {"image": "images", "video": "videos", "audio": "audios"}
SUB_PROPERTIES = {
    "image": frozenset({"url", "secure_url", "type", "width", "height", "alt"}),
    "video": frozenset({"url", "secure_url", "type", "width", "height", "alt"}),
    "audio": frozenset({"url", "secure_url", "type"}),
}


def _not_found() -> StreamError:
    return input_error(NOT_FOUND)


def _favicon(soup: BeautifulSoup, page_url: str) -> str | None:
    for link in soup.find_all("link"):
        rel = link.get("rel")
        href = link.get("href")
        if isinstance(rel, list) and "icon" in (word.lower() for word in rel) and href:
            return urljoin(page_url, str(href))
    return None


def parse_page(html: str, page_url: str) -> dict[str, Any] | None:
    """The Open Graph data of a page (``page_url`` resolves relative links), or None when it
    has no ``og:`` tags."""
    soup = BeautifulSoup(html, "html.parser")
    found: dict[str, Any] = {}
    media: dict[str, list[dict[str, str]]] = {name: [] for name in MEDIA.values()}
    tags = 0
    for meta in soup.find_all("meta"):
        assert isinstance(meta, Tag)
        name = meta.get("property") or meta.get("name")
        content = meta.get("content")
        if not isinstance(name, str) or not isinstance(content, str):
            continue
        if not name.startswith("og:"):
            continue
        tags += 1
        kind, _, sub = name[3:].partition(":")
        if kind in MEDIA:
            items = media[MEDIA[kind]]
            if not sub:
                items.append({kind: content})
            elif sub in SUB_PROPERTIES[kind]:
                if not items:
                    items.append({})
                items[-1].setdefault(sub, content)
        elif kind in STRINGS and not sub:
            found.setdefault(kind, content)
    if not tags:
        return None
    favicon = _favicon(soup, page_url)
    if favicon is not None:
        found["favicon"] = favicon
    found.update({name: items for name, items in media.items() if items})
    return found


async def _fetch(url: str, transport: httpx.AsyncBaseTransport | None) -> tuple[str, str]:
    """The text of the page at ``url`` (at most :data:`MAX_BYTES`) and its final URL."""
    async with (
        httpx.AsyncClient(transport=transport, follow_redirects=True, timeout=TIMEOUT) as client,
        client.stream("GET", url, headers={"User-Agent": USER_AGENT}) as response,
    ):
        if response.status_code >= 400:
            raise _not_found()
        content = bytearray()
        async for chunk in response.aiter_bytes():
            content += chunk
            if len(content) >= MAX_BYTES:
                break
        text = bytes(content[:MAX_BYTES]).decode(response.encoding or "utf-8", "replace")
        return text, str(response.url)


async def open_graph(store: Store, call: Call) -> Reply:
    """GET og/?url=: the Open Graph data of a web page."""
    url = call.text("url")
    if not url:
        raise input_error("url is required")
    if not url.lower().startswith(("http://", "https://")):
        raise _not_found()
    try:
        html, final_url = await _fetch(url, call.transport)
    except (httpx.HTTPError, httpx.InvalidURL):
        raise _not_found() from None
    found = parse_page(html, final_url)
    if found is None:
        raise _not_found()
    return 200, {**found, "original_url": url}
