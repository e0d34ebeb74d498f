"""Pydantic v2 models of what the API returns."""

from stream_async.models._base import RawResponse, StreamModel, StreamResponse
from stream_async.models.activities import (
    Activity,
    ActivityResponse,
    AddActivitiesResponse,
    FeedPage,
    RemoveActivityResponse,
)

__all__ = [
    "Activity",
    "ActivityResponse",
    "AddActivitiesResponse",
    "FeedPage",
    "RawResponse",
    "RemoveActivityResponse",
    "StreamModel",
    "StreamResponse",
]
