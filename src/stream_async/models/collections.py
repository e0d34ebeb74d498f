"""Collection objects: app data that ``SO:<collection>:<id>`` references point to."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from stream_async._serialization import StreamTime
from stream_async.models._base import StreamModel, StreamResponse


class CollectionObject(StreamModel):
    """One object of a collection; ``foreign_id`` is ``<collection>:<id>``."""

    id: str
    collection: str
    foreign_id: str
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: StreamTime
    updated_at: StreamTime


class CollectionObjectResponse(CollectionObject, StreamResponse):
    """One object, as an add, a get or an update returns it."""


class UpsertCollectionsResponse(StreamResponse):
    """What a batch upsert stored: the items as sent, by collection name."""

    data: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class CollectionObjects(StreamModel):
    """The ``response`` part of a batch select."""

    data: list[CollectionObject] = Field(default_factory=list)


class SelectCollectionsResponse(StreamResponse):
    """What a batch select found (unknown ids are left out); read it as ``.objects``."""

    response: CollectionObjects = Field(default_factory=CollectionObjects)

    @property
    def objects(self) -> list[CollectionObject]:
        """The objects found."""
        return self.response.data
