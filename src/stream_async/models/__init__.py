"""Pydantic v2 models of what the API returns."""

from stream_async.models._base import EmptyResponse, RawResponse, StreamModel, StreamResponse
from stream_async.models.activities import (
    ActivitiesResponse,
    Activity,
    ActivityResponse,
    ActivityTargetsResponse,
    AddActivitiesResponse,
    AggregatedGroup,
    AggregatedPage,
    FeedPage,
    Follow,
    FollowCount,
    FollowsPage,
    FollowStats,
    FollowStatsResults,
    NotificationGroup,
    NotificationPage,
    PartialUpdateManyResponse,
    RemoveActivityResponse,
)
from stream_async.models.collections import (
    CollectionObject,
    CollectionObjectResponse,
    CollectionObjects,
    SelectCollectionsResponse,
    UpsertCollectionsResponse,
)
from stream_async.models.data_privacy import ExportedIds, ExportIdsResponse
from stream_async.models.files import FileResponse, OgAudio, OgImage, OgVideo, OpenGraph
from stream_async.models.moderation import AuditLog, AuditLogPage, FlagResponse
from stream_async.models.personalization import PersonalizationResponse
from stream_async.models.reactions import Reaction, ReactionPage, ReactionResponse
from stream_async.models.users import AddUsersResponse, GetUsersResponse, User, UserResponse

__all__ = [
    "CollectionObject",
    "CollectionObjectResponse",
    "CollectionObjects",
    "FileResponse",
    "OgAudio",
    "OgImage",
    "OgVideo",
    "OpenGraph",
    "PersonalizationResponse",
    "Reaction",
    "ReactionPage",
    "ReactionResponse",
    "SelectCollectionsResponse",
    "UpsertCollectionsResponse",
    "User",
    "UserResponse",
    "ActivitiesResponse",
    "Activity",
    "ActivityTargetsResponse",
    "AggregatedGroup",
    "AggregatedPage",
    "Follow",
    "FollowCount",
    "FollowStats",
    "FollowStatsResults",
    "FollowsPage",
    "NotificationGroup",
    "NotificationPage",
    "PartialUpdateManyResponse",
    "ActivityResponse",
    "AddActivitiesResponse",
    "EmptyResponse",
    "FeedPage",
    "RawResponse",
    "RemoveActivityResponse",
    "StreamModel",
    "StreamResponse",
    "AddUsersResponse",
    "GetUsersResponse",
    "ExportedIds",
    "ExportIdsResponse",
    "AuditLog",
    "AuditLogPage",
    "FlagResponse",
]
