"""Users: the profiles that ``SU:<id>`` references point to."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from stream_async._serialization import StreamTime
from stream_async.models._base import StreamModel, StreamResponse


class User(StreamModel):
    """A user and its ``data``; ``followers_count`` and ``following_count`` are there when
    the read asked for them (``with_follow_counts``)."""

    id: str
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: StreamTime
    updated_at: StreamTime
    followers_count: int | None = None
    following_count: int | None = None


class UserResponse(User, StreamResponse):
    """One user, as an add, a get or an update returns it."""


class AddUsersResponse(StreamResponse):
    """What ``users.add_many`` returns: the users it created (or, with ``override``,
    replaced), in the order sent; users left untouched are not listed."""

    created_users: list[User] = Field(default_factory=list)


class GetUsersResponse(StreamResponse):
    """What ``users.get_many`` returns: the users found (ids that do not exist are left
    out)."""

    users: list[User] = Field(default_factory=list)
