"""Analytics: tracking engagements and impressions (the analytics service)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stream_async._auth import Scope
from stream_async._transport import Transport
from stream_async.models._base import EmptyResponse
from stream_async.resources import _checks

_SCOPE = Scope("analytics", feed_id=None, user_id="*", action="*")


def _events(values: object, field: str) -> list[dict[str, Any]]:
    return [
        _checks.mapping(value, f"{field}[{i}]")
        for i, value in enumerate(_checks.list_of(values, field, "events (mappings)"))
    ]


async def track_engagements(
    transport: Transport, engagements: Sequence[Mapping[str, Any]]
) -> EmptyResponse:
    """POST ``engagement/`` with ``{"content_list": engagements}``; an empty list sends
    nothing."""
    events = _events(engagements, "engagements")
    if not events:
        return EmptyResponse()
    return await transport.request(
        "POST",
        "engagement/",
        cast=EmptyResponse,
        scope=_SCOPE,
        service="analytics",
        body={"content_list": events},
    )


async def track_impressions(
    transport: Transport, impressions: Sequence[Mapping[str, Any]]
) -> EmptyResponse:
    """POST ``impression/`` with the list of impressions; an empty list sends nothing."""
    events = _events(impressions, "impressions")
    if not events:
        return EmptyResponse()
    return await transport.request(
        "POST",
        "impression/",
        cast=EmptyResponse,
        scope=_SCOPE,
        service="analytics",
        body=events,
    )
