"""Open Graph: GET og/?url= answers a page's ``og:`` meta tags (§3.8 of the API semantics).

Hermetic by default, no network: a URL registered by the user (``EmulatorConfig.og_pages``,
``--og-pages DIR``, :meth:`Emulator.register_og_page`) is scraped from its registered HTML;
any other http(s) URL gets a result made up from the URL alone (:func:`made_up`: ``title``
host + path, ``description`` naming the URL, ``url``, ``site_name`` the host).

With ``og_fetch`` (``--og-fetch``) unregistered pages are fetched with httpx through
``og_transport`` (None: the network). Every target, the first and each redirect's (at most
5), must be http(s) and resolve only to public addresses: loopback, private, link-local,
shared, multicast and reserved ones are refused. Without ``og_fetch`` but with an
``og_transport`` (how tests serve pages), pages are fetched through that transport alone,
so no address is checked; schemes and redirects still are. One 5 s deadline covers the
whole fetch and at most 1 MiB is read. The address check happens before the connection,
which resolves the name again: a resolver that answers differently the second time (DNS
rebinding) is not defended against; keep ``og_fetch`` off where that matters.

Scraping uses BeautifulSoup. ``og:title``, ``og:type``, ``og:url``, ``og:site``,
``og:site_name``, ``og:description``, ``og:determiner`` and ``og:locale`` become top-level
strings (the first one wins); each ``og:image``, ``og:video`` and ``og:audio`` starts an item
of ``images``, ``videos`` and ``audios`` (keys ``image``, ``video``, ``audio``) and their
sub-properties (``url``, ``secure_url``, ``type``, and for images and videos ``width``,
``height``, ``alt``) fill the latest item. ``favicon`` is the page's icon link, absolute;
``original_url`` the URL asked for.

A page without ``og:`` tags, or one that cannot or may not be fetched (bad URL, refused
address, network error, HTTP error status, deadline), is a 400 code 4 "couldn't find og data
for the provided url". Documented choices: keys without a value are left out; a missing
``url`` parameter is a 400.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import httpx
from bs4 import BeautifulSoup, Tag

from stream_async.emulator.errors import ApiError, input_error
from stream_async.emulator.handlers.call import Call, OpenGraphSource, Reply
from stream_async.emulator.store import Store

NOT_FOUND = "couldn't find og data for the provided url"
TIMEOUT = 5.0
"""Seconds a whole fetch may take, redirects and reading included."""
MAX_BYTES = 1 << 20
"""The most bytes of a page read (1 MiB); the rest is ignored."""
MAX_REDIRECTS = 5
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


def _not_found() -> ApiError:
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


def load_pages(directory: str | os.PathLike[str]) -> dict[str, str]:
    """The ``*.html`` files under ``directory`` (recursively), each registered under the URL
    of its ``og:url`` tag. Raises ValueError naming a file that has none, or a file whose URL
    another file already claimed; OSError when the directory cannot be read."""
    pages: dict[str, str] = {}
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    for path in sorted(root.rglob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        url = (parse_page(html, path.as_uri()) or {}).get("url")
        if not isinstance(url, str):
            raise ValueError(f"{path} has no og:url tag naming the URL it stands for")
        if url in pages:
            raise ValueError(f"{path} claims {url}, which another file already claimed")
        pages[url] = html
    return pages


def made_up(url: str) -> dict[str, Any]:
    """The Open Graph data the emulator answers for a URL nobody registered: built from the
    URL alone, so the same URL always gets the same answer."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return {
        "title": f"{host}{parts.path.rstrip('/')}",
        "description": f"Open Graph data made up by the Stream emulator for {url}",
        "url": url,
        "site_name": host,
        "original_url": url,
    }


def is_public(address: str) -> bool:
    """Whether an IP address is a public one (not loopback, private, link-local, shared,
    multicast or reserved); an IPv4 address mapped into IPv6 is judged as itself."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def _check_target(url: httpx.URL, source: OpenGraphSource) -> None:
    """400 unless ``url`` is http(s) and (when ``source.guard``) every address its host
    resolves to is public."""
    if url.scheme not in ("http", "https") or not url.host:
        raise _not_found()
    if not source.guard:
        return
    resolver = source.resolver
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = await (resolver or _system_resolve)(url.host, port)
    except OSError:
        raise _not_found() from None
    if not addresses or not all(is_public(address) for address in addresses):
        raise _not_found()


async def _fetch(url: str, source: OpenGraphSource) -> tuple[str, str]:
    """The text of the page at ``url`` (at most :data:`MAX_BYTES`) and its final URL,
    following at most :data:`MAX_REDIRECTS` redirects, each target checked first."""
    target = httpx.URL(url)
    async with httpx.AsyncClient(transport=source.transport, timeout=TIMEOUT) as client:
        for _ in range(MAX_REDIRECTS + 1):
            await _check_target(target, source)
            request = client.build_request("GET", target, headers={"User-Agent": USER_AGENT})
            response = await client.send(request, stream=True)
            try:
                if response.is_redirect:
                    target = target.join(response.headers["location"])
                    continue
                if response.status_code >= 400:
                    raise _not_found()
                content = bytearray()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) >= MAX_BYTES:
                        break
                text = bytes(content[:MAX_BYTES]).decode(response.encoding or "utf-8", "replace")
                return text, str(target)
            finally:
                await response.aclose()
    raise _not_found()


async def open_graph(store: Store, call: Call) -> Reply:
    """GET og/?url=: the Open Graph data of a web page (registered, made up, or fetched)."""
    url = call.text("url")
    if not url:
        raise input_error("url is required")
    if not url.lower().startswith(("http://", "https://")):
        raise _not_found()
    page = call.og.pages.get(url)
    if page is None:
        if not call.og.fetch:
            try:
                return 200, made_up(url)
            except ValueError:
                raise _not_found() from None
        try:
            with anyio.fail_after(TIMEOUT):
                page, url_read = await _fetch(url, call.og)
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, KeyError):
            raise _not_found() from None
    else:
        url_read = url
    found = parse_page(page, url_read)
    if found is None:
        raise _not_found()
    return 200, {**found, "original_url": url}
