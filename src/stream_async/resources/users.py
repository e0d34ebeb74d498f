"""``client.users``: user profiles, which activities and reactions point to as ``SU:<id>``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from stream_async._auth import Scope
from stream_async._transport import path
from stream_async.errors import StreamValidationError
from stream_async.models._base import EmptyResponse
from stream_async.models.users import User, UserResponse
from stream_async.resources import _checks
from stream_async.resources._base import RequestOptions, Resource


def user_reference(user: str | User | Mapping[str, Any]) -> str:
    """The reference ``SU:<id>`` to a user, from its id, a :class:`User` or a mapping with
    an ``id``; put it in an activity's ``actor`` (or any field) to have reads enrich it."""
    if isinstance(user, User):
        user_id: object = user.id
    elif isinstance(user, Mapping):
        user_id = user.get("id")
    else:
        user_id = user
    return f"SU:{_checks.reference(user_id, 'user_id')}"


class Users(Resource):
    """``client.users``. Signed with ``users`` tokens (action by HTTP method)."""

    _scope = Scope("users")

    create_reference = staticmethod(user_reference)

    async def add(
        self,
        user_id: str,
        data: Mapping[str, Any] | None = None,
        *,
        get_or_create: bool = False,
        **options: Unpack[RequestOptions],
    ) -> UserResponse:
        """Create the user ``user_id`` (at most 255 characters) with ``data``.

        An existing id raises :class:`~stream_async.errors.ConflictError`, unless
        ``get_or_create=True``: then the existing user is returned unchanged (the new
        ``data`` is ignored).
        """
        key = _checks.reference(user_id, "user_id")
        body: dict[str, Any] = {"id": key}
        if data is not None:
            body["data"] = _checks.mapping(data, "data")
        if not isinstance(get_or_create, bool):
            raise StreamValidationError("get_or_create", "must be a boolean")
        return await self._request(
            "POST",
            "user/",
            UserResponse,
            params={"get_or_create": get_or_create},
            body=body,
            idempotent=get_or_create,
            options=options,
        )

    async def get(
        self, user_id: str, *, with_follow_counts: bool = False, **options: Unpack[RequestOptions]
    ) -> UserResponse:
        """Read a user; ``with_follow_counts=True`` adds ``followers_count`` and
        ``following_count``. A missing user raises
        :class:`~stream_async.errors.NotFoundError`."""
        key = _checks.reference(user_id, "user_id")
        if not isinstance(with_follow_counts, bool):
            raise StreamValidationError("with_follow_counts", "must be a boolean")
        return await self._request(
            "GET",
            path("user", key),
            UserResponse,
            params={"with_follow_counts": True} if with_follow_counts else None,
            options=options,
        )

    async def update(
        self, user_id: str, data: Mapping[str, Any], **options: Unpack[RequestOptions]
    ) -> UserResponse:
        """Replace a user's ``data`` (the only field that can change)."""
        key = _checks.reference(user_id, "user_id")
        return await self._request(
            "PUT",
            path("user", key),
            UserResponse,
            body={"data": _checks.mapping(data, "data")},
            options=options,
        )

    async def delete(self, user_id: str, **options: Unpack[RequestOptions]) -> EmptyResponse:
        """Delete a user."""
        key = _checks.reference(user_id, "user_id")
        return await self._request("DELETE", path("user", key), EmptyResponse, options=options)
