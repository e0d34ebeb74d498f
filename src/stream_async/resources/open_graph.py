"""Open Graph: the title, description, images ... that a web page declares, offered as
``client.og(url)``."""

from __future__ import annotations

from typing_extensions import Unpack

from stream_async._auth import Scope
from stream_async.models.files import OpenGraph
from stream_async.resources import _checks
from stream_async.resources._base import RequestOptions, Resource


class OpenGraphScraper(Resource):
    """Pages scraped by Stream, signed with a read-only token (``"*"`` resource)."""

    _scope = Scope("*", action="read")

    async def og(self, url: str, **options: Unpack[RequestOptions]) -> OpenGraph:
        """The Open Graph data (title, description, images, videos, audios ...) of the web
        page at ``url`` (an http(s) URL), scraped by Stream: GET ``og/?url=<url>``."""
        return await self._request(
            "GET", "og/", OpenGraph, params={"url": _checks.http_url(url)}, options=options
        )
