"""Data privacy: what an export of a user's ids returns."""

from __future__ import annotations

from pydantic import Field

from stream_async.models._base import StreamModel, StreamResponse


class ExportedIds(StreamModel):
    """The ids of what one user made: activities whose ``actor`` is the user id, and
    reactions whose ``user_id`` is, each list in creation order, with its count."""

    user_id: str
    activity_count: int = 0
    activity_ids: list[str] = Field(default_factory=list)
    reaction_count: int = 0
    reaction_ids: list[str] = Field(default_factory=list)


class ExportIdsResponse(StreamResponse):
    """What ``data_privacy.export_ids`` returns: the ``export``."""

    export: ExportedIds
