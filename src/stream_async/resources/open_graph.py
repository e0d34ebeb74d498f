"""Open Graph: the title, description, images ... that a web page declares."""

from __future__ import annotations

from stream_async._auth import Scope
from stream_async._transport import Transport
from stream_async.models.files import OpenGraph
from stream_async.resources import _checks

_SCOPE = Scope("*", action="read")


async def scrape(transport: Transport, url: str) -> OpenGraph:
    """GET ``og/?url=<url>``: the page's Open Graph data, scraped by Stream."""
    return await transport.request(
        "GET", "og/", cast=OpenGraph, scope=_SCOPE, params={"url": _checks.http_url(url)}
    )
