"""Activities and the responses of the feed endpoints."""

from __future__ import annotations

from typing import Any

from stream_async._serialization import StreamTime
from stream_async.models._base import StreamModel, StreamResponse

Ref = str | dict[str, Any]
"""A reference field: a string (``"SU:alice"``, ``"user:1"``), or the object it points to
once the API has enriched it."""


class Activity(StreamModel):
    """An activity as stored by the API. Custom fields are kept as extra attributes
    (``activity.model_extra``, or ``activity.custom``)."""

    id: str
    actor: Ref
    verb: str
    object: Ref
    target: Ref | None = None
    time: StreamTime | None = None
    foreign_id: str | None = None
    origin: str | None = None
    to: list[str] | None = None

    @property
    def custom(self) -> dict[str, Any]:
        """The activity's custom fields."""
        return dict(self.model_extra or {})


class ActivityResponse(Activity, StreamResponse):
    """One activity, as returned by an add or an update."""


class AddActivitiesResponse(StreamResponse):
    """The activities a batch add stored, in order, with their ids."""

    activities: list[Activity]


class FeedPage(StreamResponse):
    """One page of a flat feed: activities newest first, and ``next``, the server's link to
    the following page (empty when there is none)."""

    results: list[Activity]
    next: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next)


class RemoveActivityResponse(StreamResponse):
    """What a remove acknowledged: the activity id or foreign id, as given."""

    removed: str
