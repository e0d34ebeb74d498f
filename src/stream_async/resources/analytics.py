"""Analytics: tracking engagements and impressions (the analytics service), offered as
``client.track_engagements`` and ``client.track_impressions``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from stream_async._auth import Scope
from stream_async.models._base import EmptyResponse
from stream_async.resources import _checks
from stream_async.resources._base import RequestOptions, Resource


class Analytics(Resource):
    """Events for the analytics service, signed with an ``analytics`` token (any action,
    ``user_id: "*"``). An empty list of events sends nothing."""

    _scope = Scope("analytics", feed_id=None, user_id="*", action="*")
    _service = "analytics"

    async def track_engagements(
        self, engagements: Sequence[Mapping[str, Any]], **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Send engagement events (clicks, likes ...: mappings with ``label``, ``content``,
        ``user_data``, ``feed_id`` ...) to the analytics service: POST ``engagement/``
        with ``{"content_list": engagements}``. An empty list sends nothing."""
        events = _events(engagements, "engagements")
        return await self._track("engagement/", events, {"content_list": events}, options)

    async def track_impressions(
        self, impressions: Sequence[Mapping[str, Any]], **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Send impression events (mappings with ``content_list``, ``user_data``,
        ``feed_id`` ...) to the analytics service: POST ``impression/`` with the list. An
        empty list sends nothing."""
        events = _events(impressions, "impressions")
        return await self._track("impression/", events, events, options)

    async def _track(
        self, where: str, events: list[dict[str, Any]], body: Any, options: RequestOptions
    ) -> EmptyResponse:
        if not events:
            return EmptyResponse()
        return await self._request("POST", where, EmptyResponse, body=body, options=options)


def _events(values: object, field: str) -> list[dict[str, Any]]:
    return [
        _checks.mapping(value, f"{field}[{i}]")
        for i, value in enumerate(_checks.list_of(values, field, "events (mappings)"))
    ]
