"""Reactions (likes, comments, ...) and the pages the reaction filter returns."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from stream_async._serialization import StreamTime
from stream_async.models._base import StreamModel, StreamResponse
from stream_async.models.activities import Activity


class Reaction(StreamModel):
    """A reaction to an activity, or a child reaction to a reaction (``parent`` set).

    ``user`` is the enriched user object when the API has one; ``latest_children`` holds
    the most recent children by kind and ``children_counts`` their counts. ``deleted_at``
    is set on a soft-deleted reaction; ``own_children`` appears when asked for.
    """

    id: str
    kind: str
    activity_id: str = ""
    user_id: str = ""
    user: dict[str, Any] | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    parent: str = ""
    created_at: StreamTime
    updated_at: StreamTime
    deleted_at: StreamTime | None = None
    latest_children: dict[str, list[Reaction]] = Field(default_factory=dict)
    children_counts: dict[str, int] = Field(default_factory=dict)
    own_children: dict[str, list[Reaction]] | None = None
    target_feeds: list[str] | None = None


class ReactionResponse(Reaction, StreamResponse):
    """One reaction, as an add, a get, an update or a restore returns it."""


class ReactionPage(StreamResponse):
    """One page of a reaction filter: ``results`` (newest first, or oldest first when
    paging with ``id_gt``/``id_gte``), ``next`` (the server's link to the following page,
    empty when there is none) and, with ``with_activity_data``, the ``activity``."""

    results: list[Reaction]
    next: str = ""
    activity: Activity | None = None

    @property
    def has_next(self) -> bool:
        return bool(self.next)
