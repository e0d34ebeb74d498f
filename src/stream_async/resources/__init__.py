"""Resource namespaces: validate arguments, shape the call, await the transport."""

from stream_async.resources._base import RequestOptions
from stream_async.resources.activities import Activities
from stream_async.resources.audit_logs import AuditLogs
from stream_async.resources.collections import Collections, collection_reference
from stream_async.resources.data_privacy import DataPrivacy
from stream_async.resources.feeds import AggregatedFeed, Feed, NotificationFeed
from stream_async.resources.files import Files, Images
from stream_async.resources.moderation import Moderation
from stream_async.resources.personalization import Personalization
from stream_async.resources.reactions import Reactions
from stream_async.resources.users import Users, user_reference

__all__ = [
    "Collections",
    "Feed",
    "Files",
    "Images",
    "Personalization",
    "Reactions",
    "RequestOptions",
    "Users",
    "collection_reference",
    "user_reference",
    "AuditLogs",
    "Moderation",
    "Activities",
    "AggregatedFeed",
    "DataPrivacy",
    "NotificationFeed",
]
