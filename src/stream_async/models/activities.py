"""Activities and the responses of the feed endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import Field

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
    own_reactions: dict[str, list[dict[str, Any]]] | None = None
    latest_reactions: dict[str, list[dict[str, Any]]] | None = None
    latest_reactions_extra: dict[str, dict[str, Any]] | None = None
    reaction_counts: dict[str, int] | None = None

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


class ActivitiesResponse(StreamResponse):
    """Activities looked up by id or by foreign id and time; unknown ones are left out."""

    results: list[Activity]


class PartialUpdateManyResponse(StreamResponse):
    """The activities a batch partial update changed, as they are now."""

    activities: list[Activity]


class AggregatedGroup(StreamModel):
    """A group of an aggregated feed: activities that share the feed's aggregation format
    (by default, the verb and the day), newest first."""

    id: str
    group: str
    verb: str | None = None
    activities: list[Activity]
    activity_count: int
    actor_count: int
    created_at: StreamTime | None = None
    updated_at: StreamTime | None = None


class NotificationGroup(AggregatedGroup):
    """A group of a notification feed, with its seen and read state."""

    is_seen: bool = False
    is_read: bool = False


class AggregatedPage(StreamResponse):
    """One page of an aggregated feed: groups, most recently updated first."""

    results: list[AggregatedGroup]
    next: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next)


class NotificationPage(StreamResponse):
    """One page of a notification feed, with the feed's counts of unseen and unread groups
    as they were before this read marked anything."""

    results: list[NotificationGroup]
    next: str = ""
    unseen: int = 0
    unread: int = 0

    @property
    def has_next(self) -> bool:
        return bool(self.next)


class Follow(StreamModel):
    """A follow relationship: ``feed_id`` follows ``target_id``."""

    feed_id: str
    target_id: str
    created_at: StreamTime | None = None
    updated_at: StreamTime | None = None


class FollowsPage(StreamResponse):
    """Followers or followed feeds, most recent follow first."""

    results: list[Follow]


class FollowCount(StreamModel):
    feed: str
    count: int


class FollowStatsResults(StreamModel):
    followers: FollowCount
    following: FollowCount


class FollowStats(StreamResponse):
    """How many feeds follow a feed, and how many it follows."""

    results: FollowStatsResults


class ActivityTargetsResponse(StreamResponse):
    """An activity after its ``to`` targets changed, with the targets added and removed."""

    activity: Activity
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class RemoveActivityResponse(StreamResponse):
    """What a remove acknowledged: the activity id or foreign id, as given."""

    removed: str
