"""Pydantic v2 models of what the API returns."""

from stream_async.models._base import EmptyResponse, RawResponse, StreamModel, StreamResponse
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
    "EmptyResponse",
    "FeedPage",
    "RawResponse",
    "RemoveActivityResponse",
    "StreamModel",
    "StreamResponse",
]
