"""What the emulator stores besides activities and feeds: users, collection objects,
reactions, uploaded files and analytics events.

Users, collection objects and reactions print their times with a trailing ``Z`` (§6.6 of the
API semantics); activities do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stream_async.emulator.store.time import format_time_z


@dataclass
class User:
    """A user: id, free-form ``data`` and its times."""

    id: str
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def render(self) -> dict[str, Any]:
        """The user as the API returns it."""
        return {
            "id": self.id,
            "data": self.data,
            "created_at": format_time_z(self.created_at),
            "updated_at": format_time_z(self.updated_at),
        }


@dataclass
class CollectionObject:
    """An object of a collection; ``user_id`` is who added it (None: a server token)."""

    collection: str
    id: str
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    user_id: str | None = None

    def render(self) -> dict[str, Any]:
        """The object as the API returns it, ``foreign_id`` being ``<collection>:<id>``."""
        return {
            "id": self.id,
            "collection": self.collection,
            "foreign_id": f"{self.collection}:{self.id}",
            "data": self.data,
            "created_at": format_time_z(self.created_at),
            "updated_at": format_time_z(self.updated_at),
        }


@dataclass
class Reaction:
    """A reaction to an activity, or a child of another reaction (``parent``).

    ``sequence`` orders reactions by creation; ``target_feeds`` is None when none were ever
    given.
    """

    id: str
    kind: str
    activity_id: str
    user_id: str
    data: dict[str, Any]
    parent: str
    created_at: datetime
    updated_at: datetime
    sequence: int
    target_feeds: list[str] | None = None
    target_feeds_extra_data: dict[str, Any] | None = None
    deleted_at: datetime | None = None

    @property
    def live(self) -> bool:
        """Not soft-deleted."""
        return self.deleted_at is None


@dataclass
class StoredFile:
    """An uploaded file (or a processed image): what was sent, and who sent it."""

    filename: str
    content_type: str
    data: bytes
    owner: str | None
    image: bool


@dataclass
class AnalyticsEvent:
    """One tracked event: ``kind`` is ``engagement`` or ``impression``."""

    kind: str
    event: dict[str, Any]


@dataclass
class AuditEntry:
    """One audit-log entry: ``action`` (``create``, ``update``, ``delete``, ``flag``) done
    to an entity (``entity_type`` ``activity``, ``reaction`` or ``user``, and its id) by or
    for ``user_id``; ``sequence`` orders the log."""

    sequence: int
    entity_type: str
    entity_id: str
    action: str
    user_id: str
    custom: dict[str, Any]
    created_at: datetime

    def render(self) -> dict[str, Any]:
        """The entry as the API returns it."""
        return {
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "action": self.action,
            "user_id": self.user_id,
            "custom": self.custom,
            "created_at": format_time_z(self.created_at),
        }


FLAGGED_TYPES = {
    "stream:user": "user",
    "stream:feeds:v2:activity": "activity",
    "stream:feeds:v2:reaction": "reaction",
}
"""The moderation ``entity_type`` of each flaggable entity -> its audit-log entity type."""


@dataclass
class Flag:
    """A moderation flag: ``user_id`` flagged the entity (``entity_type`` one of
    :data:`FLAGGED_TYPES`) for ``reason``; ``target_user_id`` is the user behind the entity,
    None when the emulator does not know it."""

    id: str
    entity_type: str
    entity_id: str
    user_id: str
    reason: str
    custom: dict[str, Any]
    target_user_id: str | None
    created_at: datetime

    def render(self) -> dict[str, Any]:
        """The flag as the flag call answers it (``target_user_id`` only when known)."""
        body: dict[str, Any] = {
            "flag_id": self.id,
            "flagged_by": self.user_id,
            "reason": self.reason,
            "created_at": format_time_z(self.created_at),
        }
        if self.target_user_id is not None:
            body["target_user_id"] = self.target_user_id
        return body
