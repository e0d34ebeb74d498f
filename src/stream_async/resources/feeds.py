"""``client.feed(feed_slug, user_id)``: one feed's activities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import Transport, path
from stream_async.errors import StreamValidationError
from stream_async.models import (
    ActivityResponse,
    AddActivitiesResponse,
    FeedPage,
    RemoveActivityResponse,
)


class Feed:
    """A handle on the feed ``feed_slug:user_id``. Creating one sends nothing."""

    __slots__ = ("_feed_scope", "_transport", "slug", "user_id")

    def __init__(self, transport: Transport, feed_slug: str, user_id: str) -> None:
        self._transport = transport
        self.slug = check.feed_slug(feed_slug)
        self.user_id = check.user_id(user_id)
        self._feed_scope = Scope("feed", feed_id=f"{self.slug}{self.user_id}")

    def __repr__(self) -> str:
        return f"Feed({self.id!r})"

    @property
    def id(self) -> str:
        """The feed id, ``slug:user_id``."""
        return f"{self.slug}:{self.user_id}"

    async def add_activity(self, activity: Mapping[str, Any]) -> ActivityResponse:
        """Add one activity; returns it as stored, with its ``id``.

        ``activity`` needs ``actor``, ``verb`` and ``object``; ``time`` (a datetime or an
        ISO string) and ``foreign_id`` make it idempotent; ``to`` lists more feed ids to
        copy it into. Raises :class:`~stream_async.errors.StreamValidationError` on a
        missing field or a bad ``to`` before sending.
        """
        data = check.activity(activity)
        return await self._transport.request(
            "POST",
            path("feed", self.slug, self.user_id),
            cast=ActivityResponse,
            scope=self._feed_scope,
            body=data,
        )

    async def add_activities(
        self, activities: Sequence[Mapping[str, Any]]
    ) -> AddActivitiesResponse:
        """Add up to 100 activities in one request; returns them in order, with ids.

        An empty sequence sends nothing and returns an empty result.
        """
        if isinstance(activities, (str, bytes, Mapping)):
            raise StreamValidationError("activities", "must be a sequence of activities")
        check.max_items(activities, "activities_per_add", "activities")
        data = [check.activity(a, f"activities[{i}]") for i, a in enumerate(activities)]
        if not data:
            return AddActivitiesResponse(activities=[])
        return await self._transport.request(
            "POST",
            path("feed", self.slug, self.user_id),
            cast=AddActivitiesResponse,
            scope=self._feed_scope,
            body={"activities": data},
        )

    async def get(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        id_lt: str | None = None,
        id_lte: str | None = None,
        id_gt: str | None = None,
        id_gte: str | None = None,
    ) -> FeedPage:
        """Read one page of the feed, newest first.

        ``limit`` (1..100, server default 25) and ``offset`` page by position; the
        ``id_*`` bounds page by activity id, which is faster for deep pages.
        """
        params: dict[str, str | int | None] = {
            "limit": None if limit is None else check.int_range(limit, "limit", low=1, high=100),
            "offset": None if offset is None else check.int_range(offset, "offset", low=0),
            "id_lt": _optional_id(id_lt, "id_lt"),
            "id_lte": _optional_id(id_lte, "id_lte"),
            "id_gt": _optional_id(id_gt, "id_gt"),
            "id_gte": _optional_id(id_gte, "id_gte"),
        }
        return await self._transport.request(
            "GET",
            path("feed", self.slug, self.user_id),
            cast=FeedPage,
            scope=self._feed_scope,
            params=params,
        )

    async def remove_activity(
        self,
        activity_id: str | None = None,
        *,
        foreign_id: str | None = None,
    ) -> RemoveActivityResponse:
        """Remove an activity from this feed (and the feeds it fanned out to), by its id or
        by its ``foreign_id``: give exactly one. Removing what is not there succeeds."""
        if (activity_id is None) == (foreign_id is None):
            raise StreamValidationError(
                "activity_id", "give exactly one of activity_id and foreign_id"
            )
        if foreign_id is not None:
            key = check.non_empty_str(foreign_id, "foreign_id")
            params: dict[str, str | int | None] = {"foreign_id": 1}
        else:
            key = check.non_empty_str(activity_id, "activity_id")
            params = {}
        return await self._transport.request(
            "DELETE",
            path("feed", self.slug, self.user_id, key),
            cast=RemoveActivityResponse,
            scope=self._feed_scope,
            params=params,
        )


def _optional_id(value: object, field: str) -> str | None:
    return None if value is None else check.non_empty_str(value, field)
